"""Default choice of the distributor that shipped a line."""

from __future__ import annotations

from plugin.saleor.payload import FulfillmentLine, Warehouse
from plugin.settings import RoutingSettings, Settings

__all__ = ["RuleIndex", "distributor_by_rules"]


class RuleIndex:
    """The routing rules of the settings in dictionaries, for O(1) lookups.

    Each key maps to its first rule, so the first matching rule still wins
    as when the lists are tried in order.
    """

    def __init__(self, routing: RoutingSettings) -> None:
        self.default = routing.default_distributor
        self.by_sku: dict[str, str] = {}
        for sku_rule in routing.by_sku:
            self.by_sku.setdefault(sku_rule.sku, sku_rule.distributor)
        # Position and distributor of the first rule naming each slug or id.
        self.by_warehouse: dict[str, tuple[int, str]] = {}
        for position, rule in enumerate(routing.by_warehouse):
            self.by_warehouse.setdefault(rule.warehouse, (position, rule.distributor))

    def warehouse_distributor(self, warehouse: Warehouse) -> str | None:
        """Return the distributor of the first rule naming the warehouse."""
        matches = [
            self.by_warehouse[key]
            for key in (warehouse.slug, warehouse.id)
            if key in self.by_warehouse
        ]
        return min(matches)[1] if matches else None


def rule_index(settings: Settings) -> RuleIndex:
    """Return the rule index of ``settings``, built once per settings object."""
    cached = settings.__dict__.get("_rule_index")
    if not isinstance(cached, RuleIndex):
        cached = RuleIndex(settings.routing)
        object.__setattr__(settings, "_rule_index", cached)
    return cached


def distributor_by_rules(
    line: FulfillmentLine, warehouse: Warehouse | None, settings: Settings
) -> str | None:
    """Return the distributor id the routing rules give for ``line``.

    Rules are tried in order: the line's SKU, then the fulfillment's warehouse
    (by slug or by global id), then the default distributor.
    """
    index = rule_index(settings)
    sku = line.order_line.sku
    if sku is not None and sku in index.by_sku:
        return index.by_sku[sku]
    if warehouse is not None:
        distributor = index.warehouse_distributor(warehouse)
        if distributor is not None:
            return distributor
    return index.default
