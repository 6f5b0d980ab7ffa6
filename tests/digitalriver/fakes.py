"""In-process stand-ins for Digital River and for time, for the unit tests.

``FakeDigitalRiver`` is an ``httpx.MockTransport`` handler that keeps
fulfillments in memory, pages its lists and plays scripted faults, so the
client's retry and reconcile paths run without a network. ``FakeClock`` is a
monotonic clock whose ``sleep`` only moves time forward and records the delay.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import simplejson

from plugin.digitalriver.models import REQUEST_KEY_FIELD

REQUEST_ID = "req_test_0001"


@dataclass
class ErrorReply:
    """An error response that a fault produces."""

    status: int
    type: str = "bad_request"
    code: str = "invalid_parameter"
    parameter: str | None = None
    message: str = "Something is wrong."
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> httpx.Response:
        detail: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.parameter is not None:
            detail["parameter"] = self.parameter
        headers = {"x-dr-requestid": REQUEST_ID, **self.headers}
        body = {"type": self.type, "errors": [detail]}
        return httpx.Response(self.status, json=body, headers=headers)


Fault = str | ErrorReply | Callable[[httpx.Request], httpx.Response]
"""``"timeout"``, ``"connect_error"``, ``"timeout_after_commit"``,
``"drop_after_commit"``, an ``ErrorReply`` or a function of the request."""

SERVER_ERROR = ErrorReply(500, "internal_server_error", "internal_error")
UNAVAILABLE = ErrorReply(503, "service_unavailable", "service_unavailable")


def rate_limited(retry_after: str) -> ErrorReply:
    return ErrorReply(
        429,
        "too_many_requests",
        "too_many_requests",
        headers={"Retry-After": retry_after},
    )


def json_response(status: int, body: Any) -> httpx.Response:
    """Build a JSON response whose Decimal amounts keep their digits."""
    text = simplejson.dumps(body, use_decimal=True)
    headers = {"content-type": "application/json", "x-dr-requestid": REQUEST_ID}
    return httpx.Response(status, content=text.encode(), headers=headers)


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    headers: httpx.Headers
    body: Any
    content: bytes

    @property
    def body_json(self) -> Any:
        """The body parsed by the standard json module, amounts as float."""
        return json.loads(self.content)


class FakeDigitalRiver:
    """Digital River double serving ``/fulfillments`` and ``/orders/{id}``."""

    def __init__(self, page_size: int = 100) -> None:
        self.page_size = page_size
        self.orders: dict[str, dict[str, Any]] = {}
        self.fulfillments: list[dict[str, Any]] = []
        self.requests: list[RecordedRequest] = []
        self.faults: dict[str, list[Fault]] = {"GET": [], "POST": []}
        self._ids = itertools.count(1)

    def add_order(self, order_id: str, quantities: dict[str, int]) -> None:
        items = [
            {"id": item_id, "skuId": f"sku_{item_id}", "quantity": quantity}
            for item_id, quantity in quantities.items()
        ]
        self.orders[order_id] = {"id": order_id, "state": "accepted", "items": items}

    def fail_next(self, method: str, *faults: Fault) -> None:
        self.faults[method].extend(faults)

    def add_fulfillment(
        self,
        order_id: str,
        request_key: str | None = None,
        quantities: dict[str, int] | None = None,
    ) -> str:
        """Store a fulfillment as if an earlier request had made it."""
        fulfillment_id = f"ful_{next(self._ids):04d}"
        metadata = {REQUEST_KEY_FIELD: request_key} if request_key else {}
        items = [
            {"itemId": item_id, "quantity": quantity, "subfulfillerId": "dist-1"}
            for item_id, quantity in (quantities or {}).items()
        ]
        self.fulfillments.append(
            self._fulfillment(fulfillment_id, order_id, items, metadata)
        )
        return fulfillment_id

    def posts(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.method == "POST"]

    def gets(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.method == "GET"]

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = (
            simplejson.loads(request.content, use_decimal=True)
            if request.content
            else None
        )
        self.requests.append(
            RecordedRequest(
                request.method,
                request.url.path,
                dict(request.url.params),
                request.headers,
                body,
                request.content,
            )
        )
        fault = (
            self.faults[request.method].pop(0) if self.faults[request.method] else None
        )
        return self._apply(fault, request, body)

    def _apply(
        self, fault: Fault | None, request: httpx.Request, body: Any
    ) -> httpx.Response:
        if isinstance(fault, ErrorReply):
            return fault.response()
        if callable(fault):
            return fault(request)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "connect_error":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

        response = self._route(request, body)
        if fault == "timeout_after_commit":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "drop_after_commit":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        assert fault is None, f"unknown fault {fault!r}"
        return response

    def _route(self, request: httpx.Request, body: Any) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/fulfillments":
            return self._create(body)
        if request.method == "GET" and path == "/fulfillments":
            return self._list(dict(request.url.params))
        if request.method == "GET" and path.startswith("/orders/"):
            order = self.orders.get(path.removeprefix("/orders/"))
            if order is None:
                return ErrorReply(404, "not_found", "resource_not_found").response()
            return json_response(200, order)
        return ErrorReply(404, "not_found", "resource_not_found").response()

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        order_id = body["orderId"]
        if order_id in self.orders and self._all_fulfilled(order_id):
            return ErrorReply(
                409, "conflict", "order_fulfilled", message="Order is fulfilled."
            ).response()
        fulfillment_id = f"ful_{next(self._ids):04d}"
        fulfillment = self._fulfillment(
            fulfillment_id, order_id, body["items"], body.get("metadata", {})
        )
        fulfillment["currency"] = body.get("currency")
        self.fulfillments.append(fulfillment)
        return json_response(201, fulfillment)

    def _list(self, params: dict[str, str]) -> httpx.Response:
        matching = [
            f for f in self.fulfillments if f["orderId"] == params.get("orderId")
        ]
        start = 0
        if "startingAfter" in params:
            ids = [f["id"] for f in matching]
            start = ids.index(params["startingAfter"]) + 1
        limit = min(int(params.get("limit", 10)), self.page_size)
        page = matching[start : start + limit]
        has_more = start + limit < len(matching)
        return json_response(200, {"hasMore": has_more, "data": page})

    def _all_fulfilled(self, order_id: str) -> bool:
        shipped: dict[str, int] = {}
        for fulfillment in self.fulfillments:
            if fulfillment["orderId"] != order_id:
                continue
            for item in fulfillment["items"]:
                shipped[item["itemId"]] = (
                    shipped.get(item["itemId"], 0) + item["quantity"]
                )
        items = self.orders[order_id]["items"]
        return all(shipped.get(item["id"], 0) >= item["quantity"] for item in items)

    @staticmethod
    def _fulfillment(
        fulfillment_id: str,
        order_id: str,
        items: list[dict[str, Any]],
        metadata: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "id": fulfillment_id,
            "createdTime": "2024-05-17T12:00:00Z",
            "orderId": order_id,
            "items": items,
            "metadata": metadata,
            "liveMode": False,
            "someNewField": {"nested": True},
        }


class FakeClock:
    """Monotonic clock for tests: ``sleep`` advances it and records the delay."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
