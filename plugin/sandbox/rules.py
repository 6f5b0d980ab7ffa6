"""Rules that check a fulfillment request against its stored order.

A request for an order with no units left is a 409 conflict
(``order_fulfilled``, or ``order_cancelled`` when every unit was cancelled).
Each item must belong to the order, and the units requested for an item
(``quantity`` plus ``cancelQuantity``, summed over entries naming the same
item) must not exceed the units left on it.
"""

from __future__ import annotations

from collections import Counter

from plugin.sandbox.errors import conflict
from plugin.sandbox.fields import Problems
from plugin.sandbox.models import FulfillmentItem, FulfillmentRequest, Order, OrderItem

__all__ = ["apply_to_order", "check_against_order"]


def check_against_order(order: Order, request: FulfillmentRequest) -> None:
    """Raise an ``ApiError`` unless ``order`` can take ``request`` whole."""
    _check_order_open(order)
    problems = Problems()
    requested: Counter[str] = Counter()
    for index, item in enumerate(request.items):
        order_item = order.item(item.item_id)
        if order_item is None:
            _report_unknown_item(order, item, f"items[{index}]", problems)
            continue
        requested[item.item_id] += _units(item)
        if requested[item.item_id] > order_item.remaining_quantity:
            _report_too_many(
                order_item, requested[item.item_id], f"items[{index}]", problems
            )
    problems.raise_if_any()


def _report_unknown_item(
    order: Order, item: FulfillmentItem, parameter: str, problems: Problems
) -> None:
    known = ", ".join(entry.id for entry in order.items)
    problems.invalid(
        f"{parameter}.itemId",
        f"{parameter}.itemId {item.item_id!r} is not an item of order {order.id} "
        f"(its items: {known}).",
    )


def _report_too_many(
    order_item: OrderItem, requested: int, parameter: str, problems: Problems
) -> None:
    problems.invalid(
        f"{parameter}.quantity",
        f"{parameter} asks for {requested} unit(s) of item {order_item.id} but only "
        f"{order_item.remaining_quantity} of its {order_item.quantity} are left "
        f"(fulfilled {order_item.fulfilled_quantity}, cancelled "
        f"{order_item.cancelled_quantity}).",
    )


def _check_order_open(order: Order) -> None:
    if order.state == "fulfilled":
        raise conflict(
            "order_fulfilled",
            "orderId",
            f"Every item of order {order.id} is already fulfilled or cancelled; "
            "list its fulfillments instead of sending another.",
        )
    if order.state == "cancelled":
        # NOTE: order_cancelled is the sandbox's own choice: the code Digital
        # River sends for an order whose units were all cancelled is not known.
        raise conflict(
            "order_cancelled",
            "orderId",
            f"Every item of order {order.id} is cancelled; nothing is left to fulfill.",
        )


def _units(item: FulfillmentItem) -> int:
    return (item.quantity or 0) + (item.cancel_quantity or 0)


def apply_to_order(order: Order, request: FulfillmentRequest) -> None:
    """Add the request's fulfilled and cancelled units to the order's items.

    Call only after ``check_against_order`` accepted ``request``.
    """
    for item in request.items:
        order_item = order.item(item.item_id)
        assert order_item is not None, "check_against_order rejects unknown items"
        order_item.fulfilled_quantity += item.quantity or 0
        order_item.cancelled_quantity += item.cancel_quantity or 0
