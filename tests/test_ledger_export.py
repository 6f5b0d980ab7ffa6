"""Ledger exports: item values, exact totals, CSV sections, JSON strings, time bounds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from plugin.ledger_export import (
    ITEM_COLUMNS,
    TOTAL_COLUMNS,
    Totals,
    format_time,
    item_values,
    parse_time_bound,
    write_csv,
    write_json,
)
from plugin.store import LedgerItem, LedgerRow

T0 = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def ledger_row(
    distributor="dist-a",
    cost="0.10",
    shipping=None,
    quantity=1,
    currency="USD",
    sku="SKU-1",
    created_at=T0,
    key="req-1",
):
    item = LedgerItem(
        dr_item_id=f"item-{sku}",
        sku=sku,
        distributor_id=distributor,
        quantity=quantity,
        distributor_cost=Decimal(cost),
        shipping_cost=None if shipping is None else Decimal(shipping),
    )
    return LedgerRow(
        request_key=key,
        job_id=None,
        dr_fulfillment_id=f"ful_{key}",
        dr_order_id="dr-order-1",
        saleor_api_url="https://shop.example.com/graphql/",
        saleor_fulfillment_id="RnVsZmlsbG1lbnQ6MQ==",
        order_number="1001",
        currency=currency,
        created_at=created_at,
        item=item,
    )


def reject_float(text):
    raise AssertionError(f"JSON number {text} would be read as a float")


def csv_sections(text):
    items, totals = text.split("\n\n")
    return list(csv.reader(io.StringIO(items))), list(csv.reader(io.StringIO(totals)))


def test_item_values_follow_columns():
    assert tuple(item_values(ledger_row())) == ITEM_COLUMNS


def test_item_values():
    values = item_values(ledger_row(cost="12.30", shipping="0.05", quantity=3))
    assert values == {
        "order_number": "1001",
        "dr_order_id": "dr-order-1",
        "saleor_fulfillment_id": "RnVsZmlsbG1lbnQ6MQ==",
        "dr_fulfillment_id": "ful_req-1",
        "dr_item_id": "item-SKU-1",
        "sku": "SKU-1",
        "quantity": 3,
        "distributor_id": "dist-a",
        "distributor_cost": "12.30",
        "shipping_cost": "0.05",
        "currency": "USD",
        "reported_at": "2026-05-01T12:00:00Z",
        "request_key": "req-1",
    }


def test_item_without_shipping_cost():
    assert item_values(ledger_row())["shipping_cost"] is None


def test_totals_add_exactly():
    totals = Totals()
    for _ in range(10):
        totals.add(ledger_row(cost="0.10", shipping="0.20"))
    total = next(iter(totals))
    assert total.distributor_cost == Decimal("1.00")
    assert total.shipping_cost == Decimal("2.00")
    assert total.values()["distributor_cost"] == "1.00"


def test_totals_sum_quantity_and_items():
    totals = Totals()
    totals.add(ledger_row(quantity=2))
    totals.add(ledger_row(quantity=5))
    total = next(iter(totals))
    assert total.items == 2
    assert total.quantity == 7


def test_totals_per_distributor_and_currency():
    totals = Totals()
    totals.add(ledger_row(distributor="dist-b", currency="EUR", cost="1.00"))
    totals.add(ledger_row(distributor="dist-a", currency="USD", cost="2.00"))
    totals.add(ledger_row(distributor="dist-a", currency="EUR", cost="3.00"))
    totals.add(ledger_row(distributor="dist-a", currency="USD", cost="4.00"))
    keys = [(total.distributor_id, total.currency) for total in totals]
    assert keys == [("dist-a", "EUR"), ("dist-a", "USD"), ("dist-b", "EUR")]
    assert [total.distributor_cost for total in totals] == [
        Decimal("3.00"),
        Decimal("6.00"),
        Decimal("1.00"),
    ]
    assert len(totals) == 3


def test_total_without_shipping_shows_minor_unit():
    totals = Totals()
    totals.add(ledger_row(currency="USD"))
    totals.add(ledger_row(distributor="dist-j", currency="JPY", cost="150"))
    totals.add(ledger_row(distributor="dist-k", currency="KWD", cost="1.500"))
    shipping = [total.values()["shipping_cost"] for total in totals]
    assert shipping == ["0.00", "0", "0.000"]


def test_total_keeps_finer_places():
    totals = Totals()
    totals.add(ledger_row(cost="1.5"))
    totals.add(ledger_row(cost="0.125"))
    assert next(iter(totals)).values()["distributor_cost"] == "1.625"


def test_csv_has_items_blank_line_and_totals():
    rows = [
        ledger_row(cost="0.10", shipping="0.20", key="req-1"),
        ledger_row(cost="0.20", key="req-2", sku="SKU-2", quantity=2),
        ledger_row(distributor="dist-b", currency="EUR", cost="5.00", key="req-3"),
    ]
    text = io.StringIO()
    write_csv(rows, text)
    items, totals = csv_sections(text.getvalue())

    assert items[0] == list(ITEM_COLUMNS)
    assert len(items) == 4
    assert items[1][ITEM_COLUMNS.index("distributor_cost")] == "0.10"
    assert items[2][ITEM_COLUMNS.index("shipping_cost")] == ""
    assert totals == [
        list(TOTAL_COLUMNS),
        ["dist-a", "USD", "2", "3", "0.30", "0.20"],
        ["dist-b", "EUR", "1", "1", "5.00", "0.00"],
    ]


def test_csv_of_nothing_has_both_headers():
    text = io.StringIO()
    write_csv([], text)
    assert (
        text.getvalue()
        == ",".join(ITEM_COLUMNS) + "\n\n" + ",".join(TOTAL_COLUMNS) + "\n"
    )


def test_csv_quotes_values_with_commas():
    text = io.StringIO()
    write_csv([ledger_row(sku="SKU,1")], text)
    items, _ = csv_sections(text.getvalue())
    assert items[1][ITEM_COLUMNS.index("sku")] == "SKU,1"


def test_json_amounts_are_strings():
    rows = [ledger_row(cost="0.10", shipping="0.20"), ledger_row(cost="0.20", key="r2")]
    text = io.StringIO()
    write_json(rows, text)
    data = json.loads(text.getvalue(), parse_float=reject_float)

    assert list(data) == ["items", "totals"]
    assert data["items"][0]["distributor_cost"] == "0.10"
    assert data["items"][0]["shipping_cost"] == "0.20"
    assert data["items"][1]["shipping_cost"] is None
    assert data["items"][0]["quantity"] == 1
    assert data["totals"] == [
        {
            "distributor_id": "dist-a",
            "currency": "USD",
            "items": 2,
            "quantity": 2,
            "distributor_cost": "0.30",
            "shipping_cost": "0.20",
        }
    ]


def test_json_item_keys_follow_columns():
    text = io.StringIO()
    write_json([ledger_row()], text)
    data = json.loads(text.getvalue())
    assert tuple(data["items"][0]) == ITEM_COLUMNS
    assert tuple(data["totals"][0]) == TOTAL_COLUMNS


def test_json_of_nothing():
    text = io.StringIO()
    write_json([], text)
    assert json.loads(text.getvalue()) == {"items": [], "totals": []}


def test_json_keeps_non_ascii_text():
    text = io.StringIO()
    write_json([ledger_row(sku="TÉE-ß")], text)
    assert "TÉE-ß" in text.getvalue()
    assert json.loads(text.getvalue())["items"][0]["sku"] == "TÉE-ß"


@pytest.mark.parametrize("write", [write_csv, write_json])
def test_progress_counts_items(write):
    counts = []
    write(
        [ledger_row(key=f"r{index}") for index in range(3)],
        io.StringIO(),
        counts.append,
    )
    assert counts == [1, 2, 3]


@pytest.mark.parametrize("write", [write_csv, write_json])
def test_rows_are_read_once_in_order(write):
    def rows():
        for index in range(3):
            yield ledger_row(key=f"r{index}")

    text = io.StringIO()
    totals = write(rows(), text)
    assert next(iter(totals)).items == 3
    assert (
        text.getvalue().index("r0")
        < text.getvalue().index("r1")
        < text.getvalue().index("r2")
    )


def test_format_time_utc_with_z():
    assert format_time(T0) == "2026-05-01T12:00:00Z"


def test_format_time_keeps_microseconds():
    moment = T0.replace(microsecond=1500)
    assert format_time(moment) == "2026-05-01T12:00:00.001500Z"


def test_format_time_converts_offset():
    moment = dt.datetime(2026, 5, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_time(moment) == "2026-05-01T12:00:00Z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01", dt.datetime(2026, 5, 1, tzinfo=dt.UTC)),
        ("2026-05-01T12:30", dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.UTC)),
        ("2026-05-01 12:30:15", dt.datetime(2026, 5, 1, 12, 30, 15, tzinfo=dt.UTC)),
        ("2026-05-01T12:30Z", dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.UTC)),
        ("2026-05-01T14:30+02:00", dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.UTC)),
        ("2026-05-01T12:30:00.250000Z", dt.datetime(2026, 5, 1, 12, 30, 0, 250000, tzinfo=dt.UTC)),
    ],
)  # fmt: skip
def test_time_bound_parsed(text, expected):
    parsed = parse_time_bound(text)
    assert parsed == expected
    assert parsed.tzinfo == dt.UTC


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2026-13-01", "20260501", "2026-05-01T25:00", "12:00"]
)
def test_invalid_time_bound_rejected(text):
    with pytest.raises(ValueError, match="use YYYY-MM-DD or"):
        parse_time_bound(text)
