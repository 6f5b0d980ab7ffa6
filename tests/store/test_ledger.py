"""The ledger of fulfillments sent to Digital River: idempotent, exact, streamed."""

from __future__ import annotations

import datetime as dt
import types
from decimal import Decimal

import pytest

from plugin.store import LedgerItem
from tests.store.raw import raw_rows

API_URL = "https://shop.example.com/graphql/"
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def item(sku="SKU-1", distributor="dist-a", cost="0.10", shipping=None, quantity=1):
    return LedgerItem(
        dr_item_id=f"item-{sku}",
        sku=sku,
        distributor_id=distributor,
        quantity=quantity,
        distributor_cost=Decimal(cost),
        shipping_cost=None if shipping is None else Decimal(shipping),
    )


def record(store, key="req-1", items=None, created_at=T0, currency="USD", job_id=None):
    return store.record_fulfillment(
        job_id,
        key,
        f"ful_{key}",
        "dr-order-1",
        API_URL,
        "saleor-ful-1",
        "1001",
        currency,
        created_at,
        items if items is not None else [item()],
    )


def test_record_returns_true_first_time(store):
    assert record(store) is True


def test_record_same_key_changes_nothing(store, store_url):
    record(store, items=[item(cost="1.00")])
    assert record(store, items=[item(cost="9.99"), item("SKU-2")]) is False

    rows = list(store.iter_ledger())
    assert len(rows) == 1
    assert rows[0].item.distributor_cost == Decimal("1.00")
    assert (
        raw_rows(store_url, "SELECT count(*) AS n FROM ledger_fulfillments")[0]["n"]
        == 1
    )


def test_record_links_job(store):
    job, _ = store.enqueue_job(
        API_URL, "F1", "O1", "1001", "fulfillment_created", "{}", T0
    )
    record(store, job_id=job.id)
    assert next(store.iter_ledger()).job_id == job.id


def test_amounts_round_trip_exactly(store):
    items = [
        item("A", cost="0.10", shipping="0.20"),
        item("B", cost="0.20", shipping="0.10"),
        item("C", cost="1.234", shipping="0.005"),
        item("D", cost="12345678901234567890.123456789"),
    ]
    record(store, items=items, currency="KWD")
    rows = list(store.iter_ledger())

    costs = [row.item.distributor_cost for row in rows]
    assert costs == [Decimal("0.10"), Decimal("0.20"), Decimal("1.234"),
                     Decimal("12345678901234567890.123456789")]  # fmt: skip
    assert all(type(cost) is Decimal for cost in costs)
    assert str(costs[0]) == "0.10"
    assert str(costs[2]) == "1.234"
    assert costs[0] + costs[1] == Decimal("0.30")
    assert rows[2].item.shipping_cost == Decimal("0.005")
    assert rows[3].item.shipping_cost is None


def test_money_column_never_float(store, store_url):
    record(store, items=[item(cost="0.10")])
    stored = raw_rows(store_url, "SELECT distributor_cost FROM ledger_items")[0]
    assert not isinstance(stored["distributor_cost"], float)


def test_item_rejects_float():
    with pytest.raises(TypeError, match="must be a Decimal"):
        LedgerItem(dr_item_id="i", sku="s", distributor_id="d", quantity=1,
                   distributor_cost=0.1)  # fmt: skip


@pytest.mark.parametrize("cost", ["-0.01", "NaN", "Infinity"])
def test_item_rejects_bad_amount(cost):
    with pytest.raises(ValueError, match="distributor_cost"):
        item(cost=cost)


@pytest.mark.parametrize("quantity", [0, -1])
def test_item_rejects_bad_quantity(quantity):
    with pytest.raises(ValueError, match="quantity"):
        item(quantity=quantity)


def test_iter_joins_fulfillment(store):
    record(store, key="req-9", currency="EUR")
    row = next(store.iter_ledger())
    assert row.request_key == "req-9"
    assert row.dr_fulfillment_id == "ful_req-9"
    assert row.dr_order_id == "dr-order-1"
    assert row.saleor_api_url == API_URL
    assert row.saleor_fulfillment_id == "saleor-ful-1"
    assert row.order_number == "1001"
    assert row.currency == "EUR"
    assert row.created_at == T0
    assert row.item == item()


def test_iter_in_time_order(store):
    record(store, key="late", created_at=T0 + dt.timedelta(hours=2))
    record(store, key="early", created_at=T0)
    record(store, key="middle", created_at=T0 + dt.timedelta(hours=1))
    assert [row.request_key for row in store.iter_ledger()] == [
        "early",
        "middle",
        "late",
    ]


def test_iter_keeps_item_order(store):
    record(store, items=[item("Z"), item("A"), item("M")])
    assert [row.item.sku for row in store.iter_ledger()] == ["Z", "A", "M"]


def test_iter_filters_distributor(store):
    record(store, items=[item("A", "dist-a"), item("B", "dist-b")])
    rows = list(store.iter_ledger(distributor_id="dist-b"))
    assert [row.item.sku for row in rows] == ["B"]


def test_iter_filters_time_window(store):
    for hour in range(4):
        record(store, key=f"h{hour}", created_at=T0 + dt.timedelta(hours=hour))
    rows = store.iter_ledger(
        since=T0 + dt.timedelta(hours=1), until=T0 + dt.timedelta(hours=3)
    )
    assert [row.request_key for row in rows] == ["h1", "h2"]


def test_iter_is_lazy_generator(store):
    for index in range(3):
        record(store, key=f"r{index}", created_at=T0 + dt.timedelta(minutes=index))
    rows = store.iter_ledger()
    assert isinstance(rows, types.GeneratorType)
    assert next(rows).request_key == "r0"
    rows.close()
    with pytest.raises(StopIteration):
        next(rows)


def test_iter_streams_many_rows(store):
    for index in range(30):
        items = [item(f"SKU-{n}") for n in range(100)]
        record(store, key=f"r{index:02}", items=items,
               created_at=T0 + dt.timedelta(minutes=index))  # fmt: skip
    count = sum(1 for _ in store.iter_ledger())
    assert count == 3000
