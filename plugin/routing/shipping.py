"""Default shipping cost of a shipment and its split over lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from plugin.money import allocate
from plugin.routing.costs import parse_amount
from plugin.saleor.payload import SaleorFulfillment, metadata_value
from plugin.settings import Distributor, MetadataKey

__all__ = ["allocate_shipping", "shipping_from_settings"]


def shipping_from_settings(
    distributor: Distributor,
    fulfillment: SaleorFulfillment,
    key: MetadataKey,
    ships_everything: bool,
) -> Decimal | None:
    """Return the shipment's shipping cost for ``distributor``.

    The fulfillment's metadata key wins over the distributor's configured
    ``shipping_cost``. Its value is either one amount, the cost of the whole
    shipment, allowed only when ``distributor`` shipped every line of it, or
    a JSON object mapping distributor ids to amounts.
    """
    value = metadata_value(
        fulfillment.metadata,
        fulfillment.private_metadata,
        key.key,
        is_private=key.private,
    )
    if value is None:
        return distributor.shipping_cost
    what = f"shipping cost in fulfillment metadata key {key.key!r}"

    if value.lstrip().startswith("{"):
        return _amount_for_distributor(value, distributor, what)
    if not ships_everything:
        raise ValueError(
            f"{what} is one amount but distributor {distributor.id!r} shipped only "
            "some lines of the fulfillment; store a JSON object such as "
            '{"<distributor id>": "4.95"}'
        )
    return parse_amount(value, what)


def _amount_for_distributor(
    value: str, distributor: Distributor, what: str
) -> Decimal | None:
    try:
        amounts = json.loads(value, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} is not valid JSON: {error}") from None
    if not isinstance(amounts, dict):
        raise ValueError(f"{what} must be a JSON object of distributor ids to amounts")
    amount = amounts.get(distributor.id)
    if amount is None:
        return distributor.shipping_cost
    return parse_amount(str(amount), what)


def allocate_shipping(
    total: Decimal,
    costs: Sequence[Decimal],
    quantities: Sequence[int],
    currency: str,
) -> list[Decimal]:
    """Split ``total`` over lines in proportion to their cost.

    When every cost is zero the split follows the quantities. The parts add up
    to ``total`` exactly in the currency's minor unit (largest remainder).
    """
    if any(cost > 0 for cost in costs):
        weights = list(costs)
    else:
        weights = [Decimal(quantity) for quantity in quantities]
    return allocate(total, weights, currency)
