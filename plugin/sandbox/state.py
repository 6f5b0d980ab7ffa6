"""The sandbox's in-memory state: orders, fulfillments, received requests.

One lock guards everything, so the server thread and a test thread can use
the state at once. Readers get copies, never the stored objects.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable

from plugin.sandbox.errors import SandboxError, not_found
from plugin.sandbox.faults import FaultInjector, FaultSettings
from plugin.sandbox.listing import ListQuery, Page, matches, paginate, unknown_cursor
from plugin.sandbox.models import (
    Fulfillment,
    FulfillmentItem,
    FulfillmentRequest,
    Order,
    RequestRecord,
    utc_now,
)
from plugin.sandbox.rules import apply_to_order, check_against_order

__all__ = ["TEST_KEY_PREFIX", "SandboxState"]

logger = logging.getLogger(__name__)

TEST_KEY_PREFIX = "sk_test_"


class SandboxState:
    """Orders, fulfillments, the request record and the fault injector.

    ``api_keys`` limits the accepted secret keys; by default any key that
    starts with ``sk_test_`` is accepted. ``subfulfiller_ids``, when set, is
    the set of distributor ids that ``subfulfillerId`` must name.
    """

    def __init__(
        self,
        orders: Iterable[Order] = (),
        *,
        faults: FaultSettings | None = None,
        api_keys: Collection[str] | None = None,
        subfulfiller_ids: Collection[str] | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._orders: dict[str, Order] = {}
        self._fulfillments: dict[str, Fulfillment] = {}
        self._requests: list[RequestRecord] = []
        self._sequence = itertools.count(1)
        self.faults = FaultInjector(faults, monotonic)
        self.api_keys = None if api_keys is None else frozenset(api_keys)
        self.subfulfiller_ids = (
            None if subfulfiller_ids is None else frozenset(subfulfiller_ids)
        )
        for order in orders:
            self.add_order(order)

    def now(self) -> dt.datetime:
        """Return the current time of the sandbox's clock."""
        return self._clock()

    def accepts_key(self, key: str) -> bool:
        """Return whether ``key`` is an accepted secret key."""
        if self.api_keys is not None:
            return key in self.api_keys
        return key.startswith(TEST_KEY_PREFIX) and len(key) > len(TEST_KEY_PREFIX)

    def add_order(self, order: Order) -> None:
        """Store a new order; raise ``SandboxError`` if its id is taken."""
        with self._lock:
            if order.id in self._orders:
                raise SandboxError(
                    f"order {order.id} already exists; give the new order another id"
                )
            self._orders[order.id] = copy.deepcopy(order)
        logger.info("sandbox order added order_id=%s", order.id)

    def order(self, order_id: str) -> Order | None:
        """Return a copy of the order with ``order_id``, or ``None``."""
        with self._lock:
            order = self._orders.get(order_id)
            return copy.deepcopy(order)

    @property
    def orders(self) -> list[Order]:
        """Copies of every order, in the order they were added."""
        with self._lock:
            return copy.deepcopy(list(self._orders.values()))

    def create_fulfillment(self, request: FulfillmentRequest) -> Fulfillment:
        """Check ``request`` against its order, then store it atomically.

        Raises a 404 ``ApiError`` for an unknown order and the errors of
        ``check_against_order``; a rejected request changes nothing.
        """
        with self._lock:
            order = self._orders.get(request.order_id)
            if order is None:
                raise not_found(
                    "orderId",
                    f"Order {request.order_id!r} was not found; check the Digital "
                    "River order id.",
                )
            check_against_order(order, request)
            fulfillment = self._new_fulfillment(order, request)
            apply_to_order(order, request)
            self._fulfillments[fulfillment.id] = fulfillment
        logger.info(
            "sandbox fulfillment created fulfillment_id=%s order_id=%s",
            fulfillment.id,
            request.order_id,
        )
        return fulfillment

    def _new_fulfillment(
        self, order: Order, request: FulfillmentRequest
    ) -> Fulfillment:
        items = tuple(_with_sku(item, order) for item in request.items)
        return Fulfillment(
            id=f"ful_{uuid.uuid4()}",
            sequence=next(self._sequence),
            created_time=self._clock(),
            request=copy.deepcopy(dataclasses.replace(request, items=items)),
        )

    def fulfillment(self, fulfillment_id: str) -> Fulfillment | None:
        """Return the fulfillment with ``fulfillment_id``, or ``None``."""
        with self._lock:
            return self._fulfillments.get(fulfillment_id)

    @property
    def fulfillments(self) -> list[Fulfillment]:
        """Every fulfillment, oldest first."""
        with self._lock:
            return list(self._fulfillments.values())

    def list_fulfillments(self, query: ListQuery) -> Page[Fulfillment]:
        """Return one page of fulfillments, newest first.

        Raises a 400 ``ApiError`` when a cursor names no fulfillment.
        """
        with self._lock:
            after = self._cursor_position("startingAfter", query.starting_after)
            before = self._cursor_position("endingBefore", query.ending_before)
            newest_first = reversed(self._fulfillments.values())
            selected = [entry for entry in newest_first if matches(entry, query)]
        return paginate(selected, _sequence_of, query.limit, after, before)

    def _cursor_position(self, parameter: str, cursor: str | None) -> int | None:
        if cursor is None:
            return None
        fulfillment = self._fulfillments.get(cursor)
        if fulfillment is None:
            raise unknown_cursor(parameter, cursor)
        return fulfillment.sequence

    def record_request(self, record: RequestRecord) -> None:
        """Append a received Digital River request to the record."""
        with self._lock:
            self._requests.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """Copies of the recorded requests, oldest first."""
        with self._lock:
            return copy.deepcopy(self._requests)

    def reset(self) -> None:
        """Drop every fulfillment and recorded request; orders get all units back.

        Orders added at run time stay, and the fault settings are kept.
        """
        with self._lock:
            self._fulfillments.clear()
            self._requests.clear()
            for order in self._orders.values():
                for item in order.items:
                    item.fulfilled_quantity = 0
                    item.cancelled_quantity = 0
        logger.info("sandbox reset")


def _sequence_of(fulfillment: Fulfillment) -> int:
    return fulfillment.sequence


def _with_sku(item: FulfillmentItem, order: Order) -> FulfillmentItem:
    order_item = order.item(item.item_id)
    assert order_item is not None, "check_against_order rejects unknown items"
    return dataclasses.replace(item, sku_id=order_item.sku_id)
