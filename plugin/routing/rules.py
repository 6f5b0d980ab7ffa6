"""Default choice of the distributor that shipped a line."""

from __future__ import annotations

from plugin.saleor.payload import FulfillmentLine, Warehouse
from plugin.settings import Settings

__all__ = ["distributor_by_rules"]


def distributor_by_rules(
    line: FulfillmentLine, warehouse: Warehouse | None, settings: Settings
) -> str | None:
    """Return the distributor id the routing rules give for ``line``.

    Rules are tried in order: the line's SKU, then the fulfillment's warehouse
    (by slug or by global id), then the default distributor.
    """
    routing = settings.routing
    sku = line.order_line.sku
    if sku is not None:
        for sku_rule in routing.by_sku:
            if sku_rule.sku == sku:
                return sku_rule.distributor

    if warehouse is not None:
        for rule in routing.by_warehouse:
            if rule.warehouse in (warehouse.slug, warehouse.id):
                return rule.distributor

    return routing.default_distributor
