"""GET /orders/{id} and how fulfillments move item and order states."""

from __future__ import annotations

TWO_ITEMS = "240012340338"  # items 170012340350 (3 units) and 170012340351 (1 unit)


def fulfill(client, items):
    response = client.post("/fulfillments", json={"orderId": TWO_ITEMS, "items": items})
    assert response.status_code == 201, response.text


def states(client):
    order = client.get(f"/orders/{TWO_ITEMS}").json()
    return order["state"], [item["state"] for item in order["items"]]


def test_seeded_order_shape(sandbox_http):
    response = sandbox_http.get(f"/orders/{TWO_ITEMS}")

    assert response.status_code == 200
    order = response.json()
    assert order["id"] == TWO_ITEMS
    assert order["currency"] == "EUR"
    assert order["state"] == "accepted"
    assert order["metadata"] == {"saleorOrderId": "T3JkZXI6Mg=="}
    assert order["liveMode"] is False
    assert order["items"] == [
        {
            "id": "170012340350",
            "skuId": "TEE-M",
            "quantity": 3,
            "state": "created",
            "metadata": {},
        },
        {
            "id": "170012340351",
            "skuId": "CAP",
            "quantity": 1,
            "state": "created",
            "metadata": {},
        },
    ]


def test_partial_fulfillment_keeps_item_created(sandbox_http):
    fulfill(sandbox_http, [{"itemId": "170012340350", "quantity": 2}])

    assert states(sandbox_http) == ("accepted", ["created", "created"])


def test_whole_item_becomes_fulfilled(sandbox_http):
    fulfill(sandbox_http, [{"itemId": "170012340351", "quantity": 1}])

    assert states(sandbox_http) == ("accepted", ["created", "fulfilled"])


def test_all_items_fulfilled_fulfills_order(sandbox_http):
    fulfill(sandbox_http, [{"itemId": "170012340350", "quantity": 2}])
    fulfill(
        sandbox_http,
        [
            {"itemId": "170012340350", "quantity": 1},
            {"itemId": "170012340351", "quantity": 1},
        ],
    )

    assert states(sandbox_http) == ("fulfilled", ["fulfilled", "fulfilled"])


def test_cancelled_and_fulfilled_mix(sandbox_http):
    fulfill(
        sandbox_http,
        [
            {"itemId": "170012340350", "quantity": 1, "cancelQuantity": 2},
            {"itemId": "170012340351", "cancelQuantity": 1},
        ],
    )

    assert states(sandbox_http) == ("fulfilled", ["fulfilled", "cancelled"])


def test_unknown_order(sandbox_http):
    response = sandbox_http.get("/orders/nope")

    assert response.status_code == 404
    assert response.json()["type"] == "not_found"
    (error,) = response.json()["errors"]
    assert error["code"] == "not_found"
    assert "'nope'" in error["message"]


def test_unknown_route_in_error_format(sandbox_http):
    response = sandbox_http.get("/refunds")

    assert response.status_code == 404
    assert response.json()["type"] == "not_found"


def test_wrong_method_in_error_format(sandbox_http):
    response = sandbox_http.delete("/fulfillments")

    assert response.status_code == 405
    assert response.json()["type"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]
