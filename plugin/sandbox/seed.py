"""Seed orders: the orders a sandbox starts with or receives at run time.

A seed file is a JSON array of orders (one such object is also accepted by
``POST /_sandbox/orders``)::

    [
      {
        "id": "240012340337",
        "currency": "USD",
        "createdTime": "2024-05-17T12:00:00Z",
        "metadata": {"saleorOrderId": "T3JkZXI6MQ=="},
        "items": [
          {"id": "170012340340", "skuId": "328223580", "quantity": 2,
           "metadata": {}}
        ]
      }
    ]

``id``, ``currency`` (ISO 4217), ``items`` (at least one) and, per item,
``id``, ``skuId`` and ``quantity`` (a JSON integer above 0) are required.
``createdTime`` (ISO 8601, default: when the order is added) and both
``metadata`` objects are optional. Item ids are unique within an order.
Every order starts ``accepted`` with every item ``created``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from plugin.money import is_currency
from plugin.sandbox.errors import SeedError
from plugin.sandbox.jsonio import loads
from plugin.sandbox.models import Order, OrderItem, utc_now

__all__ = ["load_orders", "parse_order", "parse_orders"]

_ORDER_FIELDS = frozenset({"id", "currency", "createdTime", "metadata", "items"})
_ITEM_FIELDS = frozenset({"id", "skuId", "quantity", "metadata"})


def load_orders(path: Path) -> list[Order]:
    """Read a seed file; raise ``SeedError`` naming the file and the bad field."""
    try:
        data = loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError(f"cannot read seed orders from {path}: {exc}") from None
    try:
        return parse_orders(data)
    except SeedError as exc:
        raise SeedError(f"{path}: {exc}") from None


def parse_orders(data: Any, clock: Callable[[], dt.datetime] = utc_now) -> list[Order]:
    """Build orders from a JSON array in the seed format."""
    if not isinstance(data, list):
        raise SeedError("seed orders must be a JSON array of order objects")
    orders = [
        parse_order(entry, clock, f"orders[{index}]")
        for index, entry in enumerate(data)
    ]
    seen: set[str] = set()
    for order in orders:
        if order.id in seen:
            raise SeedError(
                f"order id {order.id!r} appears twice; order ids must be unique"
            )
        seen.add(order.id)
    return orders


def parse_order(
    data: Any, clock: Callable[[], dt.datetime] = utc_now, where: str = "order"
) -> Order:
    """Build one order from a JSON object in the seed format."""
    fields = _object(data, where, _ORDER_FIELDS)
    currency = _text(fields, "currency", where)
    if not is_currency(currency):
        raise SeedError(
            f"{where}.currency {currency!r} is not an ISO 4217 code such as USD"
        )
    items = _items(fields.get("items"), f"{where}.items")
    return Order(
        id=_text(fields, "id", where),
        currency=currency,
        items=items,
        created_time=_created_time(fields.get("createdTime"), where, clock),
        metadata=_metadata(fields, where),
    )


def _items(data: Any, where: str) -> list[OrderItem]:
    if not isinstance(data, list) or not data:
        raise SeedError(f"{where} must be a non-empty array of items")
    items = [_item(entry, f"{where}[{index}]") for index, entry in enumerate(data)]
    ids = [item.id for item in items]
    duplicates = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
    if duplicates:
        raise SeedError(f"{where} repeats item id(s) {', '.join(duplicates)}")
    return items


def _item(data: Any, where: str) -> OrderItem:
    fields = _object(data, where, _ITEM_FIELDS)
    quantity = fields.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise SeedError(
            f"{where}.quantity must be a JSON integer above 0, got {quantity!r}"
        )
    return OrderItem(
        id=_text(fields, "id", where),
        sku_id=_text(fields, "skuId", where),
        quantity=quantity,
        metadata=_metadata(fields, where),
    )


def _object(data: Any, where: str, known: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise SeedError(f"{where} must be a JSON object")
    unknown = sorted(set(data) - known)
    if unknown:
        raise SeedError(
            f"{where} has unknown field(s) {', '.join(unknown)}; "
            f"known fields: {', '.join(sorted(known))}"
        )
    return data


def _text(fields: Mapping[str, Any], name: str, where: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value:
        raise SeedError(f"{where}.{name} must be a non-empty string, got {value!r}")
    return value


def _metadata(fields: Mapping[str, Any], where: str) -> dict[str, Any]:
    value = fields.get("metadata", {})
    if not isinstance(value, dict):
        raise SeedError(f"{where}.metadata must be a JSON object")
    return dict(value)


def _created_time(
    value: Any, where: str, clock: Callable[[], dt.datetime]
) -> dt.datetime:
    if value is None:
        return clock()
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise SeedError(
            f"{where}.createdTime must be an ISO 8601 time with a zone such as "
            f"2024-05-17T12:00:00Z, got {value!r}"
        )
    return moment.astimezone(dt.UTC)
