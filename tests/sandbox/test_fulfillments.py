"""POST /fulfillments: what is echoed, Digital River's rules, and atomicity."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import simplejson

from plugin.sandbox import SandboxServer, SandboxState
from tests.support.sandbox import add_order, auth_headers, make_order

ORDER = "240012340337"  # one item of 2 units
ITEM = "170012340340"
TWO_ITEMS = "240012340338"  # items of 3 and 1 units


def fulfill(client, order_id=ORDER, items=None, **fields: Any):
    body = {
        "orderId": order_id,
        "items": items or [{"itemId": ITEM, "quantity": 1}],
        **fields,
    }
    return client.post("/fulfillments", json=body)


def only_error(response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


def test_create_returns_fulfillment(sandbox_http):
    response = fulfill(
        sandbox_http,
        items=[
            {
                "itemId": ITEM,
                "quantity": 2,
                "subfulfillerId": "dist-1",
                "distributorCost": 21.5,
                "shippingCost": 4,
            }
        ],
        currency="USD",
        metadata={"requestKey": "job-1:USD", "attempt": 1, "retry": False},
        trackingNumber="1Z999",
        trackingCompany="UPS",
        trackingUrl="https://example.test/track/1Z999",
    )

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"ful_[0-9a-f-]{36}", body["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["createdTime"])
    assert body["orderId"] == ORDER
    assert body["items"] == [
        {
            "itemId": ITEM,
            "skuId": "328223580",
            "quantity": 2,
            "subfulfillerId": "dist-1",
            "distributorCost": 21.5,
            "shippingCost": 4,
        }
    ]
    assert body["currency"] == "USD"
    assert body["metadata"] == {"requestKey": "job-1:USD", "attempt": 1, "retry": False}
    assert body["liveMode"] is False
    assert body["trackingNumber"] == "1Z999"
    assert body["trackingCompany"] == "UPS"
    assert body["trackingUrl"] == "https://example.test/track/1Z999"


def test_amounts_round_trip_exactly(sandbox_http):
    raw = (
        '{"orderId": "240012340337", "currency": "USD", "items": [{"itemId": '
        '"170012340340", "quantity": 1, "distributorCost": 0.10, "shippingCost": '
        "1234567890.123456789}]}"
    )

    response = sandbox_http.post(
        "/fulfillments", content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 201
    assert '"distributorCost":0.10' in response.text
    assert '"shippingCost":1234567890.123456789' in response.text
    item = simplejson.loads(response.text, use_decimal=True)["items"][0]
    assert item["shippingCost"] == Decimal("1234567890.123456789")


def test_stored_amounts_are_decimal(sandbox, sandbox_http):
    fulfill(
        sandbox_http,
        items=[{"itemId": ITEM, "quantity": 1, "distributorCost": 9.99}],
        currency="USD",
    )

    (stored,) = sandbox.state.fulfillments
    assert stored.request.items[0].distributor_cost == Decimal("9.99")


def test_unknown_order_is_not_found(sandbox_http):
    response = fulfill(sandbox_http, order_id="999")

    assert response.status_code == 404
    assert response.json()["type"] == "not_found"
    error = only_error(response)
    assert error["code"] == "not_found"
    assert error["parameter"] == "orderId"
    assert "'999'" in error["message"]


def test_unknown_item_is_bad_request(sandbox_http):
    response = fulfill(sandbox_http, items=[{"itemId": "nope", "quantity": 1}])

    assert response.status_code == 400
    assert response.json()["type"] == "bad_request"
    error = only_error(response)
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] == "items[0].itemId"
    assert "'nope'" in error["message"]


def test_quantity_above_remaining(sandbox_http):
    assert (
        fulfill(sandbox_http, items=[{"itemId": ITEM, "quantity": 1}]).status_code
        == 201
    )

    response = fulfill(sandbox_http, items=[{"itemId": ITEM, "quantity": 2}])

    assert response.status_code == 400
    error = only_error(response)
    assert error["parameter"] == "items[0].quantity"
    assert "only 1 of its 2 are left" in error["message"]


def test_repeated_item_quantities_add_up(sandbox_http):
    items = [{"itemId": ITEM, "quantity": 1}, {"itemId": ITEM, "quantity": 2}]

    response = fulfill(sandbox_http, items=items)

    assert response.status_code == 400
    assert only_error(response)["parameter"] == "items[1].quantity"


def test_cancelled_units_count_as_used(sandbox_http):
    assert (
        fulfill(sandbox_http, items=[{"itemId": ITEM, "cancelQuantity": 1}]).status_code
        == 201
    )

    response = fulfill(sandbox_http, items=[{"itemId": ITEM, "quantity": 2}])

    assert response.status_code == 400
    assert "cancelled 1" in only_error(response)["message"]


@pytest.mark.parametrize(
    "quantity",
    [True, "1", 1.0, 1.5, 0, -1, [1], {"value": 1}],
    ids=[
        "boolean",
        "string",
        "float-whole",
        "float",
        "zero",
        "negative",
        "array",
        "object",
    ],
)
def test_quantity_must_be_positive_integer(sandbox_http, quantity):
    response = fulfill(sandbox_http, items=[{"itemId": ITEM, "quantity": quantity}])

    assert response.status_code == 400
    error = only_error(response)
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] == "items[0].quantity"
    assert "JSON integer" in error["message"]


def test_item_needs_a_quantity(sandbox_http):
    response = fulfill(sandbox_http, items=[{"itemId": ITEM, "subfulfillerId": "d"}])

    assert response.status_code == 400
    error = only_error(response)
    assert error["code"] == "missing_parameter"
    assert error["parameter"] == "items[0].quantity"


@pytest.mark.parametrize("field", ["distributorCost", "shippingCost"])
@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        (-0.01, "must not be negative"),
        ("1.00", "must be a JSON number"),
        (True, "must be a JSON number"),
    ],
    ids=["negative", "string", "boolean"],
)
def test_invalid_cost(sandbox_http, field, cost, expected):
    item = {"itemId": ITEM, "quantity": 1, field: cost}

    response = fulfill(sandbox_http, items=[item], currency="USD")

    assert response.status_code == 400
    error = only_error(response)
    assert error["parameter"] == f"items[0].{field}"
    assert expected in error["message"]


def test_zero_cost_is_accepted(sandbox_http):
    item = {"itemId": ITEM, "quantity": 1, "distributorCost": 0, "shippingCost": 0.0}

    assert fulfill(sandbox_http, items=[item], currency="USD").status_code == 201


@pytest.mark.parametrize("field", ["distributorCost", "shippingCost"])
def test_cost_needs_currency(sandbox_http, field):
    response = fulfill(sandbox_http, items=[{"itemId": ITEM, "quantity": 1, field: 5}])

    assert response.status_code == 400
    error = only_error(response)
    assert error["code"] == "missing_parameter"
    assert error["parameter"] == "currency"


@pytest.mark.parametrize("currency", ["usd", "XXX1", "ABC", "XAU", ""])
def test_invalid_currency(sandbox_http, currency):
    item = {"itemId": ITEM, "quantity": 1, "distributorCost": 5}

    response = fulfill(sandbox_http, items=[item], currency=currency)

    assert response.status_code == 400
    error = only_error(response)
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] == "currency"


def test_currency_may_differ_from_order(sandbox_http):
    item = {"itemId": ITEM, "quantity": 1, "distributorCost": 500}

    response = fulfill(sandbox_http, items=[item], currency="JPY")

    assert response.status_code == 201
    assert response.json()["currency"] == "JPY"


def test_metadata_at_limits_is_accepted(sandbox_http):
    metadata = {f"k{index:02d}".ljust(40, "x"): "v" * 500 for index in range(20)}

    response = fulfill(sandbox_http, metadata=metadata)

    assert response.status_code == 201
    assert response.json()["metadata"] == metadata


@pytest.mark.parametrize(
    ("metadata", "parameter", "expected"),
    [
        ({f"k{index}": "v" for index in range(21)}, "metadata", "at most 20"),
        ({"k" * 41: "v"}, "metadata." + "k" * 41, "the maximum is 40"),
        ({"key": "v" * 501}, "metadata.key", "the maximum is 500"),
        ({"key": 1.5}, "metadata.key", "string, boolean or integer"),
        ({"key": None}, "metadata.key", "string, boolean or integer"),
        ({"key": {"nested": 1}}, "metadata.key", "string, boolean or integer"),
        (["key"], "metadata", "must be a JSON object"),
    ],
    ids=["21-keys", "long-key", "long-value", "float", "null", "object", "array"],
)
def test_metadata_limits(sandbox_http, metadata, parameter, expected):
    response = fulfill(sandbox_http, metadata=metadata)

    assert response.status_code == 400
    error = only_error(response)
    assert error["parameter"] == parameter
    assert expected in error["message"]


def test_all_problems_listed_together(sandbox_http):
    items = [{"itemId": ITEM, "quantity": "2", "distributorCost": -1}]

    response = fulfill(sandbox_http, items=items, metadata={"k": 1.5})

    parameters = {error["parameter"] for error in response.json()["errors"]}
    assert parameters == {
        "items[0].quantity",
        "items[0].distributorCost",
        "currency",
        "metadata.k",
    }


def test_sku_id_is_read_only(sandbox_http):
    response = fulfill(
        sandbox_http, items=[{"itemId": ITEM, "quantity": 1, "skuId": "328223580"}]
    )

    assert response.status_code == 400
    assert only_error(response)["parameter"] == "items[0].skuId"


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        (
            {
                "orderId": ORDER,
                "items": [{"itemId": ITEM, "quantity": 1}],
                "subfulfillerID": "d",
            },
            "subfulfillerID",
        ),
        (
            {"orderId": ORDER, "items": [{"itemId": ITEM, "quantity": 1, "cost": 1}]},
            "items[0].cost",
        ),
    ],
    ids=["top-level", "item"],
)
def test_unknown_field_is_rejected(sandbox_http, body, parameter):
    response = sandbox_http.post("/fulfillments", json=body)

    assert response.status_code == 400
    assert only_error(response)["parameter"] == parameter


@pytest.mark.parametrize(
    ("body", "parameter", "code"),
    [
        ({"items": [{"itemId": ITEM, "quantity": 1}]}, "orderId", "missing_parameter"),
        (
            {"orderId": 240012340337, "items": [{"itemId": ITEM, "quantity": 1}]},
            "orderId",
            "invalid_parameter",
        ),
        ({"orderId": ORDER}, "items", "missing_parameter"),
        ({"orderId": ORDER, "items": []}, "items", "invalid_parameter"),
        ({"orderId": ORDER, "items": ["x"]}, "items[0]", "invalid_parameter"),
        (
            {"orderId": ORDER, "items": [{"quantity": 1}]},
            "items[0].itemId",
            "missing_parameter",
        ),
        (
            {
                "orderId": ORDER,
                "items": [{"itemId": ITEM, "quantity": 1}],
                "trackingNumber": 5,
            },
            "trackingNumber",
            "invalid_parameter",
        ),
    ],
    ids=[
        "no-order",
        "order-number",
        "no-items",
        "empty-items",
        "item-string",
        "no-item-id",
        "tracking-number",
    ],
)
def test_request_shape(sandbox_http, body, parameter, code):
    response = sandbox_http.post("/fulfillments", json=body)

    assert response.status_code == 400
    error = only_error(response)
    assert error["parameter"] == parameter
    assert error["code"] == code


@pytest.mark.parametrize(
    "content",
    ["", "{", "[1, 2]", '{"orderId": NaN}'],
    ids=["empty", "truncated", "array", "nan"],
)
def test_body_must_be_json_object(sandbox_http, content):
    response = sandbox_http.post(
        "/fulfillments", content=content, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert only_error(response)["code"] == "invalid_request"


def test_order_fulfilled_conflict(sandbox_http):
    assert (
        fulfill(sandbox_http, items=[{"itemId": ITEM, "quantity": 2}]).status_code
        == 201
    )

    response = fulfill(sandbox_http, items=[{"itemId": ITEM, "quantity": 1}])

    assert response.status_code == 409
    assert response.json()["type"] == "conflict"
    error = only_error(response)
    assert error["code"] == "order_fulfilled"
    assert error["parameter"] == "orderId"


def test_cancelled_order_conflict(sandbox_http):
    assert (
        fulfill(sandbox_http, items=[{"itemId": ITEM, "cancelQuantity": 2}]).status_code
        == 201
    )

    response = fulfill(sandbox_http)

    assert response.status_code == 409
    assert only_error(response)["code"] == "order_cancelled"


def test_rejected_request_changes_nothing(sandbox, sandbox_http):
    items = [
        {"itemId": "170012340350", "quantity": 3},
        {"itemId": "170012340351", "quantity": 2},
    ]

    response = fulfill(sandbox_http, order_id=TWO_ITEMS, items=items)

    assert response.status_code == 400
    assert sandbox.state.fulfillments == []
    order = sandbox.state.order(TWO_ITEMS)
    assert [item.remaining_quantity for item in order.items] == [3, 1]
    assert sandbox_http.get("/orders/" + TWO_ITEMS).json()["state"] == "accepted"


def test_known_subfulfillers_enforced():
    state = SandboxState(subfulfiller_ids={"dist-1", "dist-2"})
    with SandboxServer(state, orders=[make_order(2, 2, order_id="ord-d")]) as server:
        import httpx

        with httpx.Client(base_url=server.url, headers=auth_headers(server)) as client:
            unknown = fulfill(
                client,
                "ord-d",
                [{"itemId": "ord-d-item-1", "quantity": 1, "subfulfillerId": "dist-9"}],
            )
            missing = fulfill(
                client, "ord-d", [{"itemId": "ord-d-item-1", "quantity": 1}]
            )
            known = fulfill(
                client,
                "ord-d",
                [{"itemId": "ord-d-item-1", "quantity": 1, "subfulfillerId": "dist-2"}],
            )

    assert unknown.status_code == 400
    assert only_error(unknown)["code"] == "invalid_parameter"
    assert only_error(unknown)["parameter"] == "items[0].subfulfillerId"
    assert "'dist-9'" in only_error(unknown)["message"]
    assert missing.status_code == 400
    assert only_error(missing)["parameter"] == "items[0].subfulfillerId"
    assert "required" in only_error(missing)["message"]
    assert known.status_code == 201


def test_subfulfiller_optional_by_default(sandbox_http):
    assert fulfill(sandbox_http).status_code == 201


def test_order_added_at_run_time_accepts_fulfillments(sandbox, sandbox_http):
    order = add_order(sandbox, make_order(1))
    item_id = order["items"][0]["id"]

    response = fulfill(
        sandbox_http, order_id=order["id"], items=[{"itemId": item_id, "quantity": 1}]
    )

    assert response.status_code == 201
