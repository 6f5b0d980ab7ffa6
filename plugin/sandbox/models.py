"""Records kept by the sandbox: orders, fulfillments and received requests.

An order item's state follows from its quantities: ``created`` while units
are left, ``fulfilled`` once none are left and at least one unit was
fulfilled, ``cancelled`` once every unit was cancelled. The order's state is
``accepted`` while any item has units left, then ``fulfilled`` (or
``cancelled`` when every unit of every item was cancelled).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "Fulfillment",
    "FulfillmentItem",
    "FulfillmentRequest",
    "Order",
    "OrderItem",
    "RequestRecord",
    "format_time",
    "utc_now",
]


def utc_now() -> dt.datetime:
    """Return the current time in UTC."""
    return dt.datetime.now(dt.UTC)


def format_time(moment: dt.datetime) -> str:
    """Format ``moment`` as ISO 8601 in UTC in whole seconds, with a ``Z`` suffix."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class OrderItem:
    """A line item of a seeded order and the units reported on it so far."""

    id: str
    sku_id: str
    quantity: int
    metadata: dict[str, Any] = field(default_factory=dict)
    fulfilled_quantity: int = 0
    cancelled_quantity: int = 0

    @property
    def remaining_quantity(self) -> int:
        """Units neither fulfilled nor cancelled yet."""
        return self.quantity - self.fulfilled_quantity - self.cancelled_quantity

    @property
    def state(self) -> str:
        """Digital River item state derived from the quantities."""
        if self.remaining_quantity > 0:
            return "created"
        if self.fulfilled_quantity > 0:
            return "fulfilled"
        return "cancelled"


@dataclass
class Order:
    """A Digital River order as the sandbox stores it."""

    id: str
    currency: str
    items: list[OrderItem]
    created_time: dt.datetime
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str:
        """Digital River order state derived from the item states."""
        states = {item.state for item in self.items}
        if "created" in states:
            return "accepted"
        if states == {"cancelled"}:
            return "cancelled"
        return "fulfilled"

    def item(self, item_id: str) -> OrderItem | None:
        """Return the item with ``item_id``, or ``None`` if the order has none."""
        return next((item for item in self.items if item.id == item_id), None)


@dataclass(frozen=True)
class FulfillmentItem:
    """One entry of a fulfillment's ``items[]``; ``None`` fields were not sent."""

    item_id: str
    quantity: int | None = None
    cancel_quantity: int | None = None
    sku_id: str | None = None
    subfulfiller_id: str | None = None
    distributor_cost: Decimal | int | None = None
    shipping_cost: Decimal | int | None = None
    shipment_item_id: str | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None


@dataclass(frozen=True)
class FulfillmentRequest:
    """A ``POST /fulfillments`` body whose fields passed validation."""

    order_id: str
    items: tuple[FulfillmentItem, ...]
    currency: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    shipment_id: str | None = None
    partner_id: str | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None


@dataclass(frozen=True)
class Fulfillment:
    """A created fulfillment; ``sequence`` orders fulfillments by creation."""

    id: str
    sequence: int
    created_time: dt.datetime
    request: FulfillmentRequest

    @property
    def order_id(self) -> str:
        """Identifier of the order the fulfillment belongs to."""
        return self.request.order_id


@dataclass
class RequestRecord:
    """A request received on a Digital River path and the response sent.

    ``status`` is the status sent (or started, when ``dropped``), ``fault``
    the injected fault name, and ``headers`` omit ``Authorization``.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]
    time: dt.datetime
    request_id: str
    status: int | None = None
    fault: str | None = None
    dropped: bool = False
