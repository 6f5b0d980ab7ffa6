"""The unit-cost table: lookups by date, batched lookups, all-or-nothing replacement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from plugin.store import CostRow, StoreError
from plugin.store.costs import LOOKUP_BATCH_SIZE

MAY_1 = dt.date(2024, 5, 1)


def cost(sku="SKU-1", cost="1.00", day=MAY_1, distributor="dist-a", currency="USD"):
    return CostRow(
        distributor_id=distributor,
        sku=sku,
        currency=currency,
        cost=Decimal(cost),
        effective_from=day,
    )


def days(count: int) -> dt.timedelta:
    return dt.timedelta(days=count)


def test_lookup_picks_cost_in_force(store):
    store.replace_costs([
        cost(cost="1.00", day=MAY_1),
        cost(cost="1.50", day=MAY_1 + days(10)),
        cost(cost="2.00", day=MAY_1 + days(20)),
    ])  # fmt: skip
    assert store.lookup_cost("dist-a", "SKU-1", MAY_1 - days(1)) is None
    assert store.lookup_cost("dist-a", "SKU-1", MAY_1).cost == Decimal("1.00")
    assert store.lookup_cost("dist-a", "SKU-1", MAY_1 + days(9)).cost == Decimal("1.00")
    assert store.lookup_cost("dist-a", "SKU-1", MAY_1 + days(10)).cost == Decimal(
        "1.50"
    )
    assert store.lookup_cost("dist-a", "SKU-1", MAY_1 + days(365)).cost == Decimal(
        "2.00"
    )


def test_lookup_keeps_distributors_apart(store):
    store.replace_costs([cost(distributor="dist-a", cost="1.00"),
                         cost(distributor="dist-b", cost="3.00", currency="EUR")])  # fmt: skip
    found = store.lookup_cost("dist-b", "SKU-1", MAY_1)
    assert found == cost(distributor="dist-b", cost="3.00", currency="EUR")


def test_lookup_unknown_sku(store):
    store.replace_costs([cost()])
    assert store.lookup_cost("dist-a", "SKU-404", MAY_1) is None


def test_cost_round_trips_exactly(store):
    store.replace_costs([cost(cost="0.10", currency="USD"),
                         cost(sku="SKU-2", cost="1.234", currency="KWD")])  # fmt: skip
    assert str(store.lookup_cost("dist-a", "SKU-1", MAY_1).cost) == "0.10"
    assert str(store.lookup_cost("dist-a", "SKU-2", MAY_1).cost) == "1.234"


def test_lookup_costs_batch(store):
    rows = [cost(sku=f"SKU-{n}", cost=f"{n}.00") for n in range(LOOKUP_BATCH_SIZE + 20)]
    rows.append(cost(sku="SKU-0", cost="99.00", day=MAY_1 + days(5)))
    store.replace_costs(rows)
    pairs = [("dist-a", f"SKU-{n}") for n in range(LOOKUP_BATCH_SIZE + 20)]
    pairs += [("dist-a", "SKU-missing"), ("dist-a", "SKU-1")]

    found = store.lookup_costs(pairs, MAY_1 + days(1))

    assert len(found) == LOOKUP_BATCH_SIZE + 20
    assert found[("dist-a", "SKU-0")].cost == Decimal("0.00")
    assert found[("dist-a", f"SKU-{LOOKUP_BATCH_SIZE + 19}")].cost == Decimal(
        f"{LOOKUP_BATCH_SIZE + 19}.00"
    )
    assert ("dist-a", "SKU-missing") not in found
    later = store.lookup_costs([("dist-a", "SKU-0")], MAY_1 + days(5))
    assert later[("dist-a", "SKU-0")].cost == Decimal("99.00")


def test_lookup_costs_empty(store):
    assert store.lookup_costs([], MAY_1) == {}


def test_replace_discards_old_rows(store):
    store.replace_costs([cost(sku="OLD")])
    store.replace_costs([cost(sku="NEW")])
    assert [row.sku for row in store.iter_costs()] == ["NEW"]


def test_replace_returns_count_and_reports_progress(store):
    reported: list[int] = []
    loaded = store.replace_costs(
        (cost(sku=f"SKU-{n}") for n in range(25)),
        batch_size=10,
        progress=reported.append,
    )
    assert loaded == 25
    assert reported == [10, 20, 25]
    assert store.count_costs() == 25


def test_replace_duplicate_key_keeps_old_table(store):
    store.replace_costs([cost(sku="KEEP")])
    rows = [cost(sku=f"SKU-{n}") for n in range(30)] + [cost(sku="SKU-3")]
    with pytest.raises(StoreError, match="replacing unit costs failed"):
        store.replace_costs(rows, batch_size=10)
    assert [row.sku for row in store.iter_costs()] == ["KEEP"]


def test_replace_failing_source_keeps_old_table(store):
    store.replace_costs([cost(sku="KEEP")])

    def rows():
        for n in range(25):
            yield cost(sku=f"SKU-{n}")
        raise ValueError("bad line 26 in costs.csv")

    with pytest.raises(ValueError, match="bad line 26"):
        store.replace_costs(rows(), batch_size=10)
    assert [row.sku for row in store.iter_costs()] == ["KEEP"]


def test_replace_rejects_non_cost_rows(store):
    with pytest.raises(TypeError, match="CostRow"):
        store.replace_costs([("dist-a", "SKU", "USD", Decimal("1"), MAY_1)])


def test_replace_rejects_bad_batch_size(store):
    with pytest.raises(ValueError, match="batch_size"):
        store.replace_costs([], batch_size=0)


def test_iter_costs_ordered(store):
    store.replace_costs([
        cost(sku="B", day=MAY_1 + days(1)),
        cost(sku="B", day=MAY_1),
        cost(sku="A", distributor="dist-b"),
        cost(sku="C"),
    ])  # fmt: skip
    keys = [
        (row.distributor_id, row.sku, row.effective_from) for row in store.iter_costs()
    ]
    assert keys == [
        ("dist-a", "B", MAY_1),
        ("dist-a", "B", MAY_1 + days(1)),
        ("dist-a", "C", MAY_1),
        ("dist-b", "A", MAY_1),
    ]


def test_count_and_has_costs(store):
    assert store.count_costs() == 0
    assert store.has_costs() is False
    store.replace_costs([cost(sku="A"), cost(sku="B")])
    assert store.count_costs() == 2
    assert store.has_costs() is True


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("cost", 1.5, TypeError),
        ("cost", Decimal("-1"), ValueError),
        ("cost", Decimal("NaN"), ValueError),
        ("currency", "usd", ValueError),
        ("effective_from", dt.datetime(2024, 5, 1), TypeError),
        ("effective_from", "2024-05-01", TypeError),
    ],
)
def test_cost_row_validation(field, value, error):
    values = {"distributor_id": "d", "sku": "s", "currency": "USD",
              "cost": Decimal("1"), "effective_from": MAY_1}  # fmt: skip
    values[field] = value
    with pytest.raises(error):
        CostRow(**values)
