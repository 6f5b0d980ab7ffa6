"""Digital River order and item ids of a fulfillment's lines."""

from __future__ import annotations

from collections import defaultdict

from plugin.context import PipelineContext
from plugin.digitalriver.models import Order as DrOrder
from plugin.errors import RoutingProblem
from plugin.saleor.payload import FulfillmentCreated, FulfillmentLine, metadata_value
from plugin.settings import Settings

__all__ = ["dr_order_id", "line_problem", "resolve_item_ids", "stored_dr_order_id"]


def line_problem(line: FulfillmentLine, message: str) -> RoutingProblem:
    """Return a problem about ``line`` that names its id, SKU and product."""
    return RoutingProblem(
        message=message,
        line_id=line.id,
        sku=line.order_line.sku,
        product_name=line.order_line.product_name or None,
    )


def stored_dr_order_id(event: FulfillmentCreated, settings: Settings) -> str | None:
    """Return the Digital River order id stored on the Saleor order, if any."""
    key = settings.metadata.order_id
    order = event.order
    value = metadata_value(
        order.metadata, order.private_metadata, key.key, is_private=key.private
    )
    return value or None


def dr_order_id(
    event: FulfillmentCreated, context: PipelineContext, problems: list[RoutingProblem]
) -> str | None:
    """Return the Digital River order id, adding a problem when it is missing."""
    value = stored_dr_order_id(event, context.settings)
    if value is None:
        key = context.settings.metadata.order_id
        order = event.order
        kind = "private" if key.private else "public"
        problems.append(
            RoutingProblem(
                f"order {order.number} has no Digital River order id in its {kind} "
                f"metadata key {key.key!r}; check that the checkout integration "
                "writes it, or set metadata.order_id in the settings"
            )
        )
        return None
    return value


async def resolve_item_ids(
    event: FulfillmentCreated,
    order_id: str | None,
    context: PipelineContext,
    problems: list[RoutingProblem],
) -> dict[str, str]:
    """Return the Digital River item id of each line, keyed by line id.

    The id comes from the order line's metadata key; for lines without it,
    the Digital River order is fetched once and its items matched by SKU.
    """
    key = context.settings.metadata.item_id
    item_ids: dict[str, str] = {}
    missing: list[FulfillmentLine] = []
    for line in event.fulfillment.lines:
        order_line = line.order_line
        value = metadata_value(
            order_line.metadata,
            order_line.private_metadata,
            key.key,
            is_private=key.private,
        )
        if value:
            item_ids[line.id] = value
        else:
            missing.append(line)

    if missing and order_id is not None:
        order = await context.digitalriver.get_order(order_id)
        item_ids.update(_match_by_sku(missing, order, key.key, problems))
    return item_ids


def _match_by_sku(
    lines: list[FulfillmentLine],
    order: DrOrder,
    key: str,
    problems: list[RoutingProblem],
) -> dict[str, str]:
    items_by_sku: dict[str, list[str]] = defaultdict(list)
    for item in order.items:
        if item.sku_id is not None:
            items_by_sku[item.sku_id].append(item.id)

    matched = {}
    for line in lines:
        sku = line.order_line.sku
        candidates = items_by_sku.get(sku, []) if sku else []
        if len(candidates) == 1:
            matched[line.id] = candidates[0]
            continue
        prefix = f"no Digital River item id in metadata key {key!r}"
        if sku is None:
            message = f"{prefix}, and the line has no SKU to match order {order.id} by"
        elif not candidates:
            message = f"{prefix}, and Digital River order {order.id} has no item with this SKU"
        else:
            message = (
                f"{prefix}, and Digital River order {order.id} has {len(candidates)} "
                f"items with this SKU ({', '.join(candidates)}); store the item id "
                "on the order line"
            )
        problems.append(line_problem(line, message))
    return matched
