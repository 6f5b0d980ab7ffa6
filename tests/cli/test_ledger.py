"""``dr-distributor ledger export`` on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from plugin.cli.ledger import ledger
from plugin.ledger_export import ITEM_COLUMNS, TOTAL_COLUMNS
from plugin.store import LedgerItem, Store
from tests.support.paths import ROOT

SCRIPT = Path(sys.executable).parent / "dr-distributor"
API_URL = "https://shop.example.com/graphql/"
T0 = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

ITEM_HEADER = (
    "order_number,dr_order_id,saleor_fulfillment_id,dr_fulfillment_id,dr_item_id,"
    "sku,quantity,distributor_id,distributor_cost,shipping_cost,currency,"
    "reported_at,request_key"
)
TOTAL_HEADER = "distributor_id,currency,items,quantity,distributor_cost,shipping_cost"


def item(sku, distributor, cost, quantity=1, shipping=None):
    return LedgerItem(
        dr_item_id=f"item-{sku}",
        sku=sku,
        distributor_id=distributor,
        quantity=quantity,
        distributor_cost=Decimal(cost),
        shipping_cost=None if shipping is None else Decimal(shipping),
    )


def record(store, key, created_at, currency, items, order="1001"):
    store.record_fulfillment(
        None,
        key,
        f"ful_{key}",
        f"dr-order-{order}",
        API_URL,
        f"saleor-{key}",
        order,
        currency,
        created_at,
        items,
    )


@pytest.fixture
def ledger_store(store):
    """A store with four fulfillments over three days, two distributors and currencies."""
    usd_items = [
        item("SKU-1", "dist-a", "0.20", quantity=2, shipping="0.10"),
        item("SKU-2", "dist-a", "12.35", shipping="0.20"),
    ]
    record(store, "req-1", T0, "USD", usd_items)
    record(store, "req-2", T0 + DAY, "EUR", [item("SKU-3", "dist-b", "5.00")], "1002")
    shipped = [item("SKU-1", "dist-a", "0.10", shipping="0.05")]
    record(store, "req-3", T0 + 2 * DAY, "USD", shipped, "1003")
    midnight = dt.datetime(2026, 5, 4, tzinfo=dt.UTC)
    record(store, "req-4", midnight, "EUR", [item("SKU-4", "dist-a", "7.00")], "1004")
    return store


def invoke(*arguments):
    return CliRunner().invoke(
        ledger, ["export", *(str(argument) for argument in arguments)]
    )


def sections(text):
    items, totals = text.split("\n\n")
    return list(csv.DictReader(io.StringIO(items))), list(
        csv.DictReader(io.StringIO(totals))
    )


def keys(items):
    return [row["request_key"] for row in items]


def test_csv_items_then_totals(ledger_store, store_url):
    result = invoke("--database", store_url)

    assert result.exit_code == 0, result.output
    items, totals = sections(result.stdout)
    assert result.stdout.splitlines()[0] == ITEM_HEADER
    assert keys(items) == ["req-1", "req-1", "req-2", "req-3", "req-4"]
    assert items[0] == {
        "order_number": "1001",
        "dr_order_id": "dr-order-1001",
        "saleor_fulfillment_id": "saleor-req-1",
        "dr_fulfillment_id": "ful_req-1",
        "dr_item_id": "item-SKU-1",
        "sku": "SKU-1",
        "quantity": "2",
        "distributor_id": "dist-a",
        "distributor_cost": "0.20",
        "shipping_cost": "0.10",
        "currency": "USD",
        "reported_at": "2026-05-01T12:00:00Z",
        "request_key": "req-1",
    }
    assert items[2]["shipping_cost"] == ""
    assert totals == [
        {"distributor_id": "dist-a", "currency": "EUR", "items": "1", "quantity": "1",
         "distributor_cost": "7.00", "shipping_cost": "0.00"},
        {"distributor_id": "dist-a", "currency": "USD", "items": "3", "quantity": "4",
         "distributor_cost": "12.65", "shipping_cost": "0.35"},
        {"distributor_id": "dist-b", "currency": "EUR", "items": "1", "quantity": "1",
         "distributor_cost": "5.00", "shipping_cost": "0.00"},
    ]  # fmt: skip
    assert result.stderr == "exported 5 ledger items and 3 totals to standard output\n"


def test_csv_headers_as_documented(ledger_store, store_url):
    result = invoke("--database", store_url)
    lines = result.stdout.splitlines()
    assert ",".join(ITEM_COLUMNS) == ITEM_HEADER
    assert ",".join(TOTAL_COLUMNS) == TOTAL_HEADER
    assert lines[0] == ITEM_HEADER
    assert lines[6] == ""
    assert lines[7] == TOTAL_HEADER


def test_totals_add_up_to_items(ledger_store, store_url):
    items, totals = sections(invoke("--database", store_url).stdout)

    sums = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for row in items:
        total = sums[(row["distributor_id"], row["currency"])]
        total[0] += int(row["quantity"])
        total[1] += Decimal(row["distributor_cost"])
        total[2] += Decimal(row["shipping_cost"] or "0")
    for total in totals:
        quantity, cost, shipping = sums[(total["distributor_id"], total["currency"])]
        assert int(total["quantity"]) == quantity
        assert Decimal(total["distributor_cost"]) == cost
        assert Decimal(total["shipping_cost"]) == shipping
    assert len(totals) == len(sums)


def test_filter_by_distributor(ledger_store, store_url):
    items, totals = sections(
        invoke("--database", store_url, "--distributor", "dist-b").stdout
    )
    assert keys(items) == ["req-2"]
    assert [total["distributor_id"] for total in totals] == ["dist-b"]


def test_unknown_distributor_exports_nothing(ledger_store, store_url):
    result = invoke("--database", store_url, "--distributor", "dist-z")
    items, totals = sections(result.stdout)
    assert result.exit_code == 0
    assert items == []
    assert totals == []


def test_since_is_inclusive(ledger_store, store_url):
    result = invoke("--database", store_url, "--since", (T0 + DAY).isoformat())
    items, _ = sections(result.stdout)
    assert keys(items) == ["req-2", "req-3", "req-4"]


def test_until_is_exclusive(ledger_store, store_url):
    result = invoke("--database", store_url, "--until", (T0 + DAY).isoformat())
    items, _ = sections(result.stdout)
    assert keys(items) == ["req-1", "req-1"]


def test_dates_mean_midnight_utc(ledger_store, store_url):
    result = invoke(
        "--database", store_url, "--since", "2026-05-02", "--until", "2026-05-04"
    )
    items, _ = sections(result.stdout)
    assert keys(items) == ["req-2", "req-3"]


def test_time_without_offset_is_utc(ledger_store, store_url):
    result = invoke("--database", store_url, "--since", "2026-05-01T12:00:00.000001")
    items, _ = sections(result.stdout)
    assert keys(items)[0] == "req-2"


def test_time_with_offset_converted(ledger_store, store_url):
    result = invoke(
        "--database", store_url, "--until", "2026-05-01T14:00:00.000001+02:00"
    )
    items, _ = sections(result.stdout)
    assert keys(items) == ["req-1", "req-1"]


def test_distributor_and_window_together(ledger_store, store_url):
    result = invoke(
        "--database", store_url, "--distributor", "dist-a", "--since", "2026-05-02"
    )
    items, totals = sections(result.stdout)
    assert keys(items) == ["req-3", "req-4"]
    assert [(total["currency"], total["distributor_cost"]) for total in totals] == [
        ("EUR", "7.00"),
        ("USD", "0.10"),
    ]


def test_json_amounts_are_strings(ledger_store, store_url):
    def reject_float(text):
        raise AssertionError(f"JSON number {text} would be read as a float")

    result = invoke("--database", store_url, "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=reject_float)
    assert [entry["request_key"] for entry in data["items"]] == [
        "req-1", "req-1", "req-2", "req-3", "req-4",
    ]  # fmt: skip
    assert data["items"][1]["distributor_cost"] == "12.35"
    assert data["items"][2]["shipping_cost"] is None
    assert data["items"][0]["quantity"] == 2
    assert data["totals"][1] == {
        "distributor_id": "dist-a",
        "currency": "USD",
        "items": 3,
        "quantity": 4,
        "distributor_cost": "12.65",
        "shipping_cost": "0.35",
    }


def test_json_filtered(ledger_store, store_url):
    result = invoke(
        "--database", store_url, "--format", "json", "--distributor", "dist-b"
    )
    data = json.loads(result.stdout)
    assert [entry["sku"] for entry in data["items"]] == ["SKU-3"]
    assert len(data["totals"]) == 1


def test_output_file(ledger_store, store_url, tmp_path):
    target = tmp_path / "ledger.json"
    result = invoke("--database", store_url, "--format", "json", "-o", target)

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))["items"]) == 5
    assert result.stderr == f"exported 5 ledger items and 3 totals to {str(target)!r}\n"


def test_empty_ledger(store, store_url):
    result = invoke("--database", store_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == ITEM_HEADER + "\n\n" + TOTAL_HEADER + "\n"


def test_progress_on_request(ledger_store, store_url):
    result = invoke("--database", store_url, "--progress")
    assert result.exit_code == 0, result.output
    assert len(sections(result.stdout)[0]) == 5


def test_since_not_before_until_rejected(store_url):
    result = invoke(
        "--database", store_url, "--since", "2026-05-02", "--until", "2026-05-02"
    )
    assert result.exit_code == 2
    assert "--since" in result.stderr
    assert "is not before --until" in result.stderr


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "05/01/2026"])
def test_invalid_time_rejected(store_url, value):
    result = invoke("--database", store_url, "--since", value)
    assert result.exit_code == 2
    assert "Invalid value for '--since'" in result.stderr
    assert "use YYYY-MM-DD" in result.stderr


def test_invalid_format_rejected(store_url):
    result = invoke("--database", store_url, "--format", "xml")
    assert result.exit_code == 2


def test_console_script_exports_json(tmp_path):
    database = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with Store.open(database) as store:
        record(store, "req-1", T0, "USD", [item("SKU-1", "dist-a", "0.30", quantity=3)])

    result = subprocess.run(
        [str(SCRIPT), "ledger", "export", "--database", database, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["items"][0]["distributor_cost"] == "0.30"
    assert data["totals"][0]["quantity"] == 3
