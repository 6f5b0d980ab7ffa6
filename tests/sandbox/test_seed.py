"""Seed files: the format, its errors, and SandboxServer(orders=...)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from plugin.sandbox import (
    SandboxError,
    SandboxServer,
    SeedError,
    load_orders,
    parse_orders,
)
from tests.support.sandbox import SEED_ORDERS


def test_load_orders_from_file(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(SEED_ORDERS), encoding="utf-8")

    orders = load_orders(path)

    assert [order.id for order in orders] == [
        "240012340337",
        "240012340338",
        "240012340339",
    ]
    assert orders[1].items[0].sku_id == "TEE-M"
    assert orders[1].items[0].quantity == 3
    assert orders[1].metadata == {"saleorOrderId": "T3JkZXI6Mg=="}
    assert orders[1].state == "accepted"


def test_created_time_defaults_to_clock():
    moment = dt.datetime(2024, 5, 17, 12, 0, tzinfo=dt.UTC)

    (order,) = parse_orders(SEED_ORDERS[:1], clock=lambda: moment)

    assert order.created_time == moment


def test_missing_file_names_path(tmp_path):
    path = tmp_path / "absent.json"

    with pytest.raises(SeedError, match=r"absent\.json"):
        load_orders(path)


def test_invalid_json_names_path(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")

    with pytest.raises(SeedError, match=r"broken\.json"):
        load_orders(path)


def test_invalid_order_names_file_and_field(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text(
        json.dumps(
            [{"id": "o", "currency": "USD", "items": [{"id": "i", "skuId": "s"}]}]
        ),
        encoding="utf-8",
    )

    with pytest.raises(
        SeedError, match=r"orders\.json: orders\[0\]\.items\[0\]\.quantity"
    ):
        load_orders(path)


def test_top_level_must_be_array():
    with pytest.raises(SeedError, match="must be a JSON array"):
        parse_orders({"id": "o"})


def test_repeated_order_id():
    with pytest.raises(SeedError, match="appears twice"):
        parse_orders([SEED_ORDERS[0], SEED_ORDERS[0]])


def test_naive_created_time_rejected():
    seed = {**SEED_ORDERS[0], "createdTime": "2024-05-17T12:00:00"}

    with pytest.raises(SeedError, match="with a zone"):
        parse_orders([seed])


def test_server_seeds_orders():
    server = SandboxServer(orders=SEED_ORDERS)

    assert [order.id for order in server.state.orders] == [
        order["id"] for order in SEED_ORDERS
    ]


def test_server_rejects_taken_order_id():
    server = SandboxServer(orders=SEED_ORDERS[:1])

    with pytest.raises(SandboxError, match="already exists"):
        server.add_order(SEED_ORDERS[0])
