"""Demonstration mode: sandbox orders that match a payload.

Without a Digital River API key, ``process`` and the worker send to the
bundled sandbox, seeded with the order behind each payload.
"""

from __future__ import annotations

from typing import Any

from plugin.routing.items import stored_dr_order_id
from plugin.saleor.payload import FulfillmentCreated, metadata_value
from plugin.settings import Settings

__all__ = ["orders_for_event"]


def orders_for_event(
    event: FulfillmentCreated, settings: Settings
) -> list[dict[str, Any]]:
    """Return the sandbox seed of the Digital River order behind ``event``.

    Each fulfilled order line becomes an item of the order's full quantity,
    under the item id in its metadata or, without one, an id made from the
    line's position, carrying the line's SKU so lookups by SKU find it.
    """
    order_id = stored_dr_order_id(event, settings)
    if order_id is None:
        return []
    key = settings.metadata.item_id
    items = []
    for position, line in enumerate(event.fulfillment.lines, start=1):
        order_line = line.order_line
        item_id = metadata_value(
            order_line.metadata,
            order_line.private_metadata,
            key.key,
            is_private=key.private,
        )
        items.append(
            {
                "id": item_id or f"{order_id}{position:03d}",
                "skuId": order_line.sku or f"sku-{position}",
                "quantity": order_line.quantity,
            }
        )
    currency = event.order.channel.currency_code if event.order.channel else "USD"
    return [{"id": order_id, "currency": currency, "items": items}]
