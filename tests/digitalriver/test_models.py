"""Request bodies and response parsing of the Digital River models."""

from __future__ import annotations

import json
from decimal import Decimal

import pydantic
import pytest
import simplejson

from plugin.digitalriver import (
    REQUEST_KEY_FIELD,
    Fulfillment,
    FulfillmentList,
    FulfillmentRequest,
    FulfillmentRequestItem,
    Order,
)
from tests.digitalriver.conftest import make_request


def test_request_body_uses_camel_case_names() -> None:
    payload = make_request().to_payload()

    assert set(payload) == {
        "orderId",
        "items",
        "currency",
        "metadata",
        "trackingNumber",
    }
    assert set(payload["items"][0]) == {
        "itemId",
        "quantity",
        "subfulfillerId",
        "distributorCost",
        "shippingCost",
    }


def test_request_body_omits_unset_fields() -> None:
    payload = make_request().to_payload()

    assert "shippingCost" not in payload["items"][1]
    assert "trackingCompany" not in payload
    assert "trackingUrl" not in payload


def test_request_json_writes_decimal_digits_exactly() -> None:
    text = make_request().to_json()

    assert '"distributorCost":12.30' in text
    assert '"shippingCost":4.05' in text
    assert '"distributorCost":7.00' in text


def test_request_json_sends_quantity_as_integer() -> None:
    body = json.loads(make_request().to_json())

    assert body["items"][0]["quantity"] == 2
    assert isinstance(body["items"][0]["quantity"], int)


def test_request_json_round_trips_amounts_as_decimal() -> None:
    body = simplejson.loads(make_request().to_json(), use_decimal=True)

    assert body["items"][0]["distributorCost"] == Decimal("12.30")
    assert body["metadata"][REQUEST_KEY_FIELD] == "job-42:USD"


def test_request_accepts_python_names_and_dr_names() -> None:
    by_alias = FulfillmentRequestItem.model_validate(
        {"itemId": "i", "quantity": 1, "subfulfillerId": "d"}
    )
    by_name = FulfillmentRequestItem(item_id="i", quantity=1, subfulfiller_id="d")

    assert by_alias == by_name


def test_request_key_property_reads_metadata() -> None:
    assert make_request().request_key == "job-42:USD"
    assert make_request(request_key=None).request_key is None


def _item(**changes: object) -> dict[str, object]:
    item: dict[str, object] = {
        "item_id": "item_1",
        "quantity": 1,
        "subfulfiller_id": "dist-1",
        "distributor_cost": Decimal("1.00"),
    }
    item.update(changes)
    return item


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"currency": None}, "currency is missing"),
        ({"currency": "usd"}, "String should match pattern"),
        ({"currency": "XAU"}, "has no minor unit"),
        ({"items": []}, "at least 1 item"),
        ({"items": [_item(quantity=0)]}, "greater than or equal to 1"),
        (
            {"items": [_item(distributor_cost=Decimal("-1"))]},
            "greater than or equal to 0",
        ),
        ({"items": [_item(distributor_cost=Decimal("NaN"))]}, "finite number"),
        ({"items": [_item(distributor_cost=Decimal("1.005"))]}, "3 decimal places"),
        ({"items": [_item(subfulfiller_id="")]}, "at least 1 character"),
        ({"metadata": {f"k{i}": i for i in range(21)}}, "21 keys"),
        ({"metadata": {"k" * 41: "v"}}, "1 to 40 characters"),
        ({"metadata": {"k": "v" * 501}}, "501 characters long"),
        ({"metadata": {"k": 1.5}}, "metadata.k"),
        ({"unknown": 1}, "Extra inputs are not permitted"),
    ],
)
def test_request_rejects_invalid_values(
    changes: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {
        "order_id": "ord_1",
        "items": [_item()],
        "currency": "USD",
        "metadata": {REQUEST_KEY_FIELD: "k"},
    }
    fields.update(changes)

    with pytest.raises(pydantic.ValidationError) as caught:
        FulfillmentRequest.model_validate(fields)

    assert message in str(caught.value)


def test_request_allows_zero_decimal_currency_without_fraction() -> None:
    request = FulfillmentRequest(
        order_id="ord_1",
        items=[FulfillmentRequestItem(**_item(distributor_cost=Decimal("1500")))],
        currency="JPY",
    )

    assert '"distributorCost":1500' in request.to_json()


def test_request_metadata_keeps_value_types() -> None:
    request = FulfillmentRequest(
        order_id="ord_1",
        items=[FulfillmentRequestItem(**_item())],
        currency="USD",
        metadata={"flag": True, "count": 3, "name": "x"},
    )

    assert json.loads(request.to_json())["metadata"] == {
        "flag": True,
        "count": 3,
        "name": "x",
    }


def test_fulfillment_parses_dr_body_with_unknown_fields() -> None:
    body = simplejson.loads(
        """{"id": "ful_1", "createdTime": "2024-05-17T12:00:00Z", "orderId": "ord_1",
        "items": [{"itemId": "i1", "quantity": 2, "subfulfillerId": "d",
                   "distributorCost": 12.30, "newItemField": 1}],
        "currency": "USD", "metadata": {"requestKey": "k1"}, "liveMode": false,
        "brandNewField": {"a": 1}}""",
        use_decimal=True,
    )

    fulfillment = Fulfillment.model_validate(body)

    assert fulfillment.id == "ful_1"
    assert fulfillment.order_id == "ord_1"
    assert fulfillment.items[0].distributor_cost == Decimal("12.30")
    assert fulfillment.request_key == "k1"
    assert fulfillment.live_mode is False
    assert fulfillment.created_time is not None
    assert fulfillment.created_time.year == 2024


def test_fulfillment_list_parses_page() -> None:
    page = FulfillmentList.model_validate(
        {"hasMore": True, "data": [{"id": "ful_1", "orderId": "ord_1"}]}
    )

    assert page.has_more is True
    assert page.data[0].id == "ful_1"


def test_order_parses_items() -> None:
    order = Order.model_validate(
        {
            "id": "ord_1",
            "state": "accepted",
            "currency": "USD",
            "totalAmount": 10.5,
            "items": [
                {
                    "id": "item_1",
                    "skuId": "sku_1",
                    "quantity": 2,
                    "state": "created",
                    "metadata": {"saleorLineId": "T3JkZXJMaW5lOjE="},
                }
            ],
        }
    )

    assert order.items[0].sku_id == "sku_1"
    assert order.items[0].quantity == 2
    assert order.items[0].state == "created"
    assert order.items[0].metadata == {"saleorLineId": "T3JkZXJMaW5lOjE="}
