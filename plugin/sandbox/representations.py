"""JSON shapes of the sandbox's records, as Digital River's API writes them.

Optional fields are left out when they were never set, the way Digital River
omits them. Amounts stay ``Decimal`` so ``jsonio.dumps`` writes them exactly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from plugin.sandbox.models import (
    Fulfillment,
    FulfillmentItem,
    Order,
    OrderItem,
    RequestRecord,
    format_time,
)

__all__ = [
    "fulfillment_json",
    "fulfillment_with_order_json",
    "order_json",
    "request_record_json",
]


def _without_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _fulfillment_item_json(item: FulfillmentItem) -> dict[str, Any]:
    return _without_none(
        {
            "itemId": item.item_id,
            "skuId": item.sku_id,
            "shipmentItemId": item.shipment_item_id,
            "quantity": item.quantity,
            "cancelQuantity": item.cancel_quantity,
            "subfulfillerId": item.subfulfiller_id,
            "distributorCost": item.distributor_cost,
            "shippingCost": item.shipping_cost,
            "trackingCompany": item.tracking_company,
            "trackingNumber": item.tracking_number,
            "trackingUrl": item.tracking_url,
        }
    )


def fulfillment_json(fulfillment: Fulfillment) -> dict[str, Any]:
    """Return the ``Fulfillment`` object of ``POST`` and ``GET /fulfillments``."""
    request = fulfillment.request
    return _without_none(
        {
            "id": fulfillment.id,
            "createdTime": format_time(fulfillment.created_time),
            "orderId": request.order_id,
            "shipmentId": request.shipment_id,
            "items": [_fulfillment_item_json(item) for item in request.items],
            "currency": request.currency,
            "trackingCompany": request.tracking_company,
            "trackingNumber": request.tracking_number,
            "trackingUrl": request.tracking_url,
            "metadata": dict(request.metadata),
            "liveMode": False,
        }
    )


def fulfillment_with_order_json(
    fulfillment: Fulfillment, order: Order
) -> dict[str, Any]:
    """Return the ``FulfillmentOrder`` object of ``GET /fulfillments/{id}``."""
    return {**fulfillment_json(fulfillment), "orderDetails": order_json(order)}


def _order_item_json(item: OrderItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "skuId": item.sku_id,
        "quantity": item.quantity,
        "state": item.state,
        "metadata": dict(item.metadata),
    }


def order_json(order: Order) -> dict[str, Any]:
    """Return the ``Order`` object of ``GET /orders/{id}``."""
    return {
        "id": order.id,
        "createdTime": format_time(order.created_time),
        "currency": order.currency,
        "items": [_order_item_json(item) for item in order.items],
        "state": order.state,
        "metadata": dict(order.metadata),
        "liveMode": False,
    }


def _format_precise_time(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds") + "Z"


def request_record_json(record: RequestRecord) -> dict[str, Any]:
    """Return a received request as ``GET /_sandbox/requests`` lists it."""
    return {
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "body": record.body,
        "headers": record.headers,
        "time": _format_precise_time(record.time),
        "requestId": record.request_id,
        "status": record.status,
        "fault": record.fault,
        "dropped": record.dropped,
    }
