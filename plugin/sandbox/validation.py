"""Validation of ``POST /fulfillments`` bodies that needs no stored order.

Checks the fields of ``FulfillmentRequest`` in Digital River's OpenAPI
description and the rules its field descriptions state:

- every item has ``quantity`` and/or ``cancelQuantity``, which must be JSON
  integers (the sandbox also rejects 0 and negative counts);
- ``distributorCost`` and ``shippingCost`` are non-negative numbers, and
  either one makes ``currency`` required;
- ``currency`` is an ISO 4217 code.

Metadata must also keep within Digital River's limits
(``plugin.sandbox.metadata``).

Checks against the stored order are in ``plugin.sandbox.rules``.

The sandbox is stricter than the description in two ways, to catch client
mistakes: unknown fields are rejected, and so is ``skuId`` in an item, which
the description marks read-only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from plugin.money import is_currency
from plugin.sandbox.errors import bad_request
from plugin.sandbox.fields import (
    Problems,
    describe,
    read_amount,
    read_count,
    read_string,
)
from plugin.sandbox.metadata import read_metadata
from plugin.sandbox.models import FulfillmentItem, FulfillmentRequest

__all__ = ["parse_fulfillment_request"]

REQUEST_FIELDS = frozenset(
    {
        "orderId",
        "shipmentId",
        "items",
        "currency",
        "metadata",
        "trackingCompany",
        "trackingNumber",
        "trackingUrl",
        "partnerId",
    }
)
ITEM_FIELDS = frozenset(
    {
        "itemId",
        "shipmentItemId",
        "quantity",
        "cancelQuantity",
        "trackingCompany",
        "trackingNumber",
        "trackingUrl",
        "subfulfillerId",
        "distributorCost",
        "shippingCost",
    }
)


def parse_fulfillment_request(
    body: Any, subfulfiller_ids: Collection[str] | None = None
) -> FulfillmentRequest:
    """Validate a ``POST /fulfillments`` body and return it as a request.

    With ``subfulfiller_ids`` set, every item must name one of them in
    ``subfulfillerId``. Raises a 400 ``ApiError`` listing every problem.
    """
    if not isinstance(body, dict):
        raise bad_request(
            "invalid_request",
            None,
            f"The request body must be a JSON object, got {describe(body)}.",
        )
    problems = Problems()
    problems.check_unknown(body, REQUEST_FIELDS)
    order_id = _read_order_id(body, problems)
    items = _read_items(body.get("items"), subfulfiller_ids, problems)
    currency = _read_currency(body, problems)
    metadata = read_metadata(body.get("metadata"), "metadata", problems)
    request = FulfillmentRequest(
        order_id=order_id or "",
        items=tuple(items),
        currency=currency,
        metadata=metadata,
        shipment_id=_read_text(body, "shipmentId", "", problems),
        partner_id=_read_text(body, "partnerId", "", problems),
        tracking_company=_read_text(body, "trackingCompany", "", problems),
        tracking_number=_read_text(body, "trackingNumber", "", problems),
        tracking_url=_read_text(body, "trackingUrl", "", problems),
    )
    problems.raise_if_any()
    return request


def _read_order_id(body: Mapping[str, Any], problems: Problems) -> str | None:
    if body.get("orderId") is None:
        problems.missing(
            "orderId", "orderId is required: send the Digital River order id."
        )
    return read_string(body, "orderId", "orderId", problems)


def _read_text(
    fields: Mapping[str, Any], name: str, prefix: str, problems: Problems
) -> str | None:
    return read_string(fields, name, f"{prefix}{name}", problems, allow_empty=True)


def _read_currency(body: Mapping[str, Any], problems: Problems) -> str | None:
    currency = read_string(body, "currency", "currency", problems)
    if currency is not None and not is_currency(currency):
        problems.invalid(
            "currency",
            f"currency {currency!r} is not an ISO 4217 currency code; send one "
            "such as USD or EUR.",
        )
    if _sends_cost(body.get("items")) and body.get("currency") is None:
        problems.missing(
            "currency",
            "currency is required when an item has distributorCost or "
            "shippingCost: send the distributor's payout currency.",
        )
    return currency


def _sends_cost(items: Any) -> bool:
    """Return whether any item sends a cost, valid or not."""
    if not isinstance(items, list):
        return False
    return any(
        isinstance(entry, dict)
        and (
            entry.get("distributorCost") is not None
            or entry.get("shippingCost") is not None
        )
        for entry in items
    )


def _read_items(
    value: Any, subfulfiller_ids: Collection[str] | None, problems: Problems
) -> list[FulfillmentItem]:
    if value is None:
        problems.missing("items", "items is required: send at least one item.")
        return []
    if not isinstance(value, list) or not value:
        problems.invalid(
            "items", f"items must be a non-empty array, got {describe(value)}."
        )
        return []
    parsed = [
        _read_item(entry, f"items[{index}].", subfulfiller_ids, problems)
        for index, entry in enumerate(value)
    ]
    return [item for item in parsed if item is not None]


def _read_item(
    entry: Any,
    prefix: str,
    subfulfiller_ids: Collection[str] | None,
    problems: Problems,
) -> FulfillmentItem | None:
    if not isinstance(entry, dict):
        parameter = prefix.rstrip(".")
        problems.invalid(
            parameter, f"{parameter} must be a JSON object, got {describe(entry)}."
        )
        return None
    _check_item_fields(entry, prefix, problems)
    item_id = _read_item_id(entry, prefix, problems)
    item = FulfillmentItem(
        item_id=item_id or "",
        quantity=read_count(entry, "quantity", f"{prefix}quantity", problems),
        cancel_quantity=read_count(
            entry, "cancelQuantity", f"{prefix}cancelQuantity", problems
        ),
        subfulfiller_id=_read_subfulfiller(entry, prefix, subfulfiller_ids, problems),
        distributor_cost=read_amount(
            entry, "distributorCost", f"{prefix}distributorCost", problems
        ),
        shipping_cost=read_amount(
            entry, "shippingCost", f"{prefix}shippingCost", problems
        ),
        shipment_item_id=_read_text(entry, "shipmentItemId", prefix, problems),
        tracking_company=_read_text(entry, "trackingCompany", prefix, problems),
        tracking_number=_read_text(entry, "trackingNumber", prefix, problems),
        tracking_url=_read_text(entry, "trackingUrl", prefix, problems),
    )
    return item if item_id is not None else None


def _check_item_fields(
    entry: Mapping[str, Any], prefix: str, problems: Problems
) -> None:
    if "skuId" in entry:
        problems.invalid(
            f"{prefix}skuId",
            f"{prefix}skuId is read-only: Digital River takes it from the order "
            "item, so remove it from the request.",
        )
    problems.check_unknown(
        {name: value for name, value in entry.items() if name != "skuId"},
        ITEM_FIELDS,
        prefix,
    )
    if entry.get("quantity") is None and entry.get("cancelQuantity") is None:
        problems.missing(
            f"{prefix}quantity",
            f"{prefix} needs quantity (units shipped) and/or cancelQuantity "
            "(units cancelled).",
        )


def _read_item_id(
    entry: Mapping[str, Any], prefix: str, problems: Problems
) -> str | None:
    if entry.get("itemId") is None:
        problems.missing(
            f"{prefix}itemId",
            f"{prefix}itemId is required: send the Digital River order item id.",
        )
    return read_string(entry, "itemId", f"{prefix}itemId", problems)


def _read_subfulfiller(
    entry: Mapping[str, Any],
    prefix: str,
    subfulfiller_ids: Collection[str] | None,
    problems: Problems,
) -> str | None:
    parameter = f"{prefix}subfulfillerId"
    subfulfiller_id = read_string(entry, "subfulfillerId", parameter, problems)
    if subfulfiller_ids is None:
        return subfulfiller_id

    known = ", ".join(sorted(subfulfiller_ids)) or "none"
    if entry.get("subfulfillerId") is None:
        problems.invalid(
            parameter,
            f"{parameter} is required because this sandbox knows its distributors "
            f"(known: {known}); send the id agreed with Digital River.",
        )
    elif subfulfiller_id is not None and subfulfiller_id not in subfulfiller_ids:
        problems.invalid(
            parameter,
            f"{parameter} {subfulfiller_id!r} is not a known distributor "
            f"(known: {known}); send the id agreed with Digital River.",
        )
    return subfulfiller_id
