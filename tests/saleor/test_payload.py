"""Parsing FULFILLMENT_CREATED bodies."""

import json

import pytest

from plugin.errors import PayloadError
from plugin.saleor.payload import parse_fulfillment_created
from tests.support.fixtures import captured_delivery
from tests.support.paths import EXAMPLES

CAPTURED_BODIES = [
    "fulfillment_created_single_line",
    "fulfillment_created_multi_line",
    "fulfillment_created_single_line__fulfillment_approved",
]


@pytest.mark.parametrize("name", CAPTURED_BODIES)
def test_captured_body_parses(name):
    capture = captured_delivery(name)

    event = parse_fulfillment_created(capture["raw_body"].encode())

    assert event.fulfillment.id == capture["json"]["fulfillment"]["id"]
    assert [line.quantity for line in event.fulfillment.lines] == [
        line["quantity"] for line in capture["json"]["fulfillment"]["lines"]
    ]
    assert event.order.number == capture["json"]["order"]["number"]


def test_multi_line_capture_fields():
    event = parse_fulfillment_created(
        captured_delivery("fulfillment_created_multi_line")["raw_body"]
    )

    second = event.fulfillment.lines[1]
    assert second.quantity == 1
    assert second.order_line.quantity == 2
    assert second.order_line.sku == "818223582"
    assert event.fulfillment.warehouse.slug == "default-warehouse"
    assert event.fulfillment.tracking_number == ""


def test_example_payload_parses():
    event = parse_fulfillment_created(
        (EXAMPLES / "fulfillment_created.json").read_bytes()
    )

    assert len(event.fulfillment.lines) == 3


def test_errors_key_names_permission():
    body = captured_delivery("fulfillment_created_single_line")["json"]
    body["errors"] = [
        {
            "message": "You need one of the following permissions: MANAGE_PRODUCTS",
            "path": ["fulfillment", "lines", 0, "orderLine", "variant"],
        }
    ]

    with pytest.raises(PayloadError, match="MANAGE_PRODUCTS"):
        parse_fulfillment_created(body)


def test_missing_fields_named():
    body = captured_delivery("fulfillment_created_single_line")["json"]
    del body["order"]["number"]
    body["fulfillment"]["lines"][0]["orderLine"] = None

    with pytest.raises(PayloadError) as caught:
        parse_fulfillment_created(body)

    message = str(caught.value)
    assert "order.number" in message
    assert "fulfillment.lines.0.orderLine" in message


@pytest.mark.parametrize(
    ("body", "reason"), [(b"not json", "not valid JSON"), (b"[1]", "JSON object")]
)
def test_malformed_json_rejected(body, reason):
    with pytest.raises(PayloadError, match=reason):
        parse_fulfillment_created(body)


def test_zero_quantity_rejected():
    body = json.loads(captured_delivery("fulfillment_created_single_line")["raw_body"])
    body["fulfillment"]["lines"][0]["quantity"] = 0

    with pytest.raises(PayloadError, match=r"fulfillment\.lines\.0\.quantity"):
        parse_fulfillment_created(body)


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"n": ' + b"9" * 5000 + b"}", b"\xff\xfe{}"],
    ids=["deeply-nested", "huge-integer", "not-utf-8"],
)
def test_hostile_json_rejected(body):
    with pytest.raises(PayloadError, match="not valid JSON"):
        parse_fulfillment_created(body)
