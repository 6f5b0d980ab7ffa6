"""Build FULFILLMENT_CREATED bodies shaped exactly like Saleor's."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from typing import Any

_ids = itertools.count(1)


def global_id(type_name: str, value: object) -> str:
    """Return a Saleor global id such as ``base64("Order:12")``."""
    return base64.b64encode(f"{type_name}:{value}".encode()).decode()


def metadata(**items: str) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in items.items()]


@dataclass
class Line:
    """One fulfillment line of a test payload."""

    sku: str | None
    quantity: int = 1
    ordered: int | None = None
    item_id: str | None = None
    name: str = "Product"
    line_metadata: dict[str, str] = field(default_factory=dict)
    variant_metadata: dict[str, str] = field(default_factory=dict)


def fulfillment_created(
    lines: list[Line],
    *,
    order_id: str | None = "240000000001",
    warehouse_slug: str = "main-warehouse",
    fulfillment_metadata: dict[str, str] | None = None,
    created: str = "2026-12-02T09:00:00+00:00",
    number: str = "100",
    tracking_number: str = "",
) -> dict[str, Any]:
    """Return a FULFILLMENT_CREATED body with these lines."""
    serial = next(_ids)
    fulfillment_lines = [
        _fulfillment_line(line, serial, index) for index, line in enumerate(lines)
    ]
    order_metadata = metadata(**{"digitalriver.orderId": order_id}) if order_id else []
    return {
        "issuedAt": created,
        "version": "3.24.0-a.0",
        "notifyCustomer": False,
        "fulfillment": {
            "id": global_id("Fulfillment", serial),
            "fulfillmentOrder": 1,
            "status": "FULFILLED",
            "trackingNumber": tracking_number,
            "created": created,
            "metadata": [],
            "privateMetadata": metadata(**(fulfillment_metadata or {})),
            "warehouse": {
                "id": global_id("Warehouse", warehouse_slug),
                "name": warehouse_slug.title(),
                "slug": warehouse_slug,
                "externalReference": None,
                "metadata": [],
            },
            "lines": fulfillment_lines,
        },
        "order": {
            "id": global_id("Order", serial),
            "number": number,
            "created": created,
            "status": "FULFILLED",
            "userEmail": "shopper@example.com",
            "channel": {"slug": "default-channel", "currencyCode": "USD"},
            "total": {"gross": {"amount": 10.0, "currency": "USD"}},
            "shippingPrice": {"gross": {"amount": 0.0, "currency": "USD"}},
            "metadata": [],
            "privateMetadata": order_metadata,
            "lines": [
                {
                    "id": item["orderLine"]["id"],
                    "productSku": item["orderLine"]["productSku"],
                    "quantity": item["orderLine"]["quantity"],
                    "quantityFulfilled": item["quantity"],
                }
                for item in fulfillment_lines
            ],
        },
    }


def _fulfillment_line(line: Line, serial: int, index: int) -> dict[str, Any]:
    private = dict(line.line_metadata)
    if line.item_id is not None:
        private["digitalriver.itemId"] = line.item_id
    variant_id = global_id("ProductVariant", f"{serial}-{index}")
    return {
        "id": global_id("FulfillmentLine", f"{serial}-{index}"),
        "quantity": line.quantity,
        "orderLine": {
            "id": global_id("OrderLine", f"{serial}-{index}"),
            "productName": line.name,
            "variantName": "",
            "productSku": line.sku,
            "productVariantId": variant_id,
            "quantity": line.ordered or line.quantity,
            "quantityFulfilled": line.quantity,
            "unitPrice": {
                "gross": {"amount": 10.0, "currency": "USD"},
                "net": {"amount": 10.0, "currency": "USD"},
            },
            "metadata": [],
            "privateMetadata": metadata(**private),
            "variant": {
                "id": variant_id,
                "sku": line.sku,
                "metadata": [],
                "privateMetadata": metadata(**line.variant_metadata),
            },
        },
    }


def sandbox_order(
    body: dict[str, Any], extra_items: list[dict[str, Any]] = ()
) -> dict[str, Any]:  # type: ignore[assignment]
    """Return the sandbox seed of the Digital River order behind ``body``."""
    order_id = body["order"]["privateMetadata"][0]["value"]
    items = []
    for line in body["fulfillment"]["lines"]:
        order_line = line["orderLine"]
        item_ids = [
            m["value"]
            for m in order_line["privateMetadata"]
            if m["key"] == "digitalriver.itemId"
        ]
        if item_ids:
            items.append(
                {
                    "id": item_ids[0],
                    "skuId": order_line["productSku"],
                    "quantity": order_line["quantity"],
                }
            )
    return {"id": order_id, "currency": "USD", "items": items + list(extra_items)}
