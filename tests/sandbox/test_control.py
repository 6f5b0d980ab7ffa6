"""Control routes under /_sandbox/: orders, request record, reset."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest

from tests.support.sandbox import add_order, make_order

ORDER = "240012340337"
CREATE = {
    "orderId": ORDER,
    "items": [{"itemId": "170012340340", "quantity": 1, "distributorCost": 1.10}],
    "currency": "USD",
}


def test_add_order_returns_order(sandbox):
    seed = {
        "id": "ord-new",
        "currency": "GBP",
        "createdTime": "2024-05-17T12:00:00+02:00",
        "metadata": {"source": "test"},
        "items": [{"id": "i-1", "skuId": "S", "quantity": 4, "metadata": {"line": 1}}],
    }

    stored = add_order(sandbox, seed)

    assert stored["id"] == "ord-new"
    assert stored["createdTime"] == "2024-05-17T10:00:00Z"
    assert stored["state"] == "accepted"
    assert stored["items"] == [
        {
            "id": "i-1",
            "skuId": "S",
            "quantity": 4,
            "state": "created",
            "metadata": {"line": 1},
        }
    ]
    assert sandbox.state.order("ord-new").currency == "GBP"


def test_added_order_readable_through_api(sandbox, sandbox_http):
    add_order(sandbox, make_order(2, order_id="ord-read"))

    assert sandbox_http.get("/orders/ord-read").status_code == 200


def test_add_duplicate_order_conflicts(sandbox):
    response = httpx.post(
        f"{sandbox.url}/_sandbox/orders", json=make_order(order_id=ORDER)
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "order_exists"


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ({"id": "x", "currency": "USD", "items": []}, "must be a non-empty array"),
        (
            {
                "id": "x",
                "currency": "US",
                "items": [{"id": "i", "skuId": "s", "quantity": 1}],
            },
            "ISO 4217",
        ),
        (
            {
                "id": "x",
                "currency": "USD",
                "items": [{"id": "i", "skuId": "s", "quantity": "1"}],
            },
            "quantity must be a JSON integer",
        ),
        (
            {
                "id": "x",
                "currency": "USD",
                "items": [{"id": "i", "skuId": "s", "quantity": 1, "qty": 1}],
            },
            "unknown field(s) qty",
        ),
        (
            {"currency": "USD", "items": [{"id": "i", "skuId": "s", "quantity": 1}]},
            "order.id must be a non-empty string",
        ),
        (
            {
                "id": "x",
                "currency": "USD",
                "createdTime": "yesterday",
                "items": [{"id": "i", "skuId": "s", "quantity": 1}],
            },
            "createdTime must be an ISO 8601 time",
        ),
        (
            {
                "id": "x",
                "currency": "USD",
                "items": [
                    {"id": "i", "skuId": "s", "quantity": 1},
                    {"id": "i", "skuId": "t", "quantity": 1},
                ],
            },
            "repeats item id(s) i",
        ),
    ],
    ids=[
        "no-items",
        "currency",
        "quantity",
        "unknown-field",
        "no-id",
        "created-time",
        "repeated-item",
    ],
)
def test_add_invalid_order(sandbox, seed, expected):
    response = httpx.post(f"{sandbox.url}/_sandbox/orders", json=seed)

    assert response.status_code == 400
    assert expected in response.json()["errors"][0]["message"]


def test_server_add_order_helper(sandbox, sandbox_http):
    order = sandbox.add_order(make_order(1, order_id="ord-direct"))

    assert order.id == "ord-direct"
    assert (
        sandbox_http.get("/orders/ord-direct").json()["items"][0]["state"] == "created"
    )


def test_requests_recorded(sandbox, sandbox_http):
    sandbox_http.post(
        "/fulfillments", json=CREATE, headers={"DigitalRiver-Version": "2021-12-13"}
    )
    sandbox_http.get("/fulfillments", params={"orderId": ORDER, "limit": 5})
    httpx.get(f"{sandbox.url}/orders/{ORDER}")

    records = httpx.get(f"{sandbox.url}/_sandbox/requests").json()["data"]

    assert [
        (record["method"], record["path"], record["status"]) for record in records
    ] == [
        ("POST", "/fulfillments", 201),
        ("GET", "/fulfillments", 200),
        ("GET", f"/orders/{ORDER}", 401),
    ]
    assert records[0]["body"] == CREATE
    assert records[0]["headers"]["digitalriver-version"] == "2021-12-13"
    assert records[1]["query"] == {"orderId": [ORDER], "limit": ["5"]}
    assert records[1]["body"] is None
    assert all(
        record["fault"] is None and record["dropped"] is False for record in records
    )


def test_record_time_and_request_id(sandbox, sandbox_http):
    response = sandbox_http.get(f"/orders/{ORDER}")

    (record,) = httpx.get(f"{sandbox.url}/_sandbox/requests").json()["data"]
    assert record["requestId"] == response.headers["x-dr-requestid"]
    recorded = dt.datetime.fromisoformat(record["time"])
    assert abs(dt.datetime.now(dt.UTC) - recorded) < dt.timedelta(seconds=10)


def test_record_keeps_decimal_amounts(sandbox, sandbox_http):
    sandbox_http.post("/fulfillments", json=CREATE)

    (record,) = sandbox.state.requests
    assert record.body["items"][0]["distributorCost"] == Decimal("1.1")


def test_record_keeps_invalid_body_text(sandbox, sandbox_http):
    sandbox_http.post(
        "/fulfillments",
        content=b"not json",
        headers={"Content-Type": "application/json"},
    )

    (record,) = sandbox.state.requests
    assert record.body == "not json"
    assert record.status == 400


def test_control_requests_not_recorded(sandbox):
    httpx.get(f"{sandbox.url}/_sandbox/faults")
    httpx.get(f"{sandbox.url}/_sandbox/requests")

    assert sandbox.state.requests == []


def test_reset_clears_fulfillments_and_record(sandbox, sandbox_http):
    add_order(sandbox, make_order(1, order_id="ord-kept"))
    sandbox_http.post(
        "/fulfillments",
        json={"orderId": ORDER, "items": [{"itemId": "170012340340", "quantity": 2}]},
    )

    response = httpx.post(f"{sandbox.url}/_sandbox/reset")

    assert response.status_code == 204
    assert sandbox.state.fulfillments == []
    assert sandbox.state.requests == []
    assert sandbox.state.order(ORDER).items[0].remaining_quantity == 2
    assert sandbox.state.order("ord-kept") is not None
    assert sandbox_http.get(f"/orders/{ORDER}").json()["state"] == "accepted"


def test_reset_keeps_faults(sandbox):
    httpx.put(f"{sandbox.url}/_sandbox/faults", json={"error_rate": 1})

    httpx.post(f"{sandbox.url}/_sandbox/reset")

    assert httpx.get(f"{sandbox.url}/_sandbox/faults").json()["error_rate"] == 1
