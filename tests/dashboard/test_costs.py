"""Parsing and comparing cost table CSV files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from plugin.dashboard.costs import cost_table_csv, diff_costs, parse_cost_csv
from plugin.settings import UnitCost, parse_settings
from tests.dashboard.support import sample_settings

CURRENCIES = {"dist-reno": "USD", "dist-rotterdam": "EUR"}
HEADER = "distributor,sku,cost,effective_from\n"


def test_parse_reads_rows():
    costs, problems = parse_cost_csv(
        HEADER + "dist-reno,TEE-M,8.40,2026-01-01\n", CURRENCIES
    )
    assert problems == []
    assert costs == [
        UnitCost(
            distributor="dist-reno",
            sku="TEE-M",
            cost=Decimal("8.40"),
            effective_from=dt.date(2026, 1, 1),
        )
    ]


def test_parse_columns_in_any_order_with_bom():
    text = "\ufeffEffective_From, SKU ,cost,distributor,currency\r\n2026-01-01,TEE-M,8.4,dist-reno,USD\r\n"
    costs, problems = parse_cost_csv(text, CURRENCIES)
    assert problems == []
    assert costs[0].sku == "TEE-M"


def test_parse_skips_blank_lines():
    costs, problems = parse_cost_csv(
        HEADER + "\n,,,\ndist-reno,TEE-M,1,2026-01-01\n\n", CURRENCIES
    )
    assert problems == []
    assert len(costs) == 1


def test_parse_empty_file():
    costs, problems = parse_cost_csv("", CURRENCIES)
    assert costs == []
    assert problems[0].line == 1


def test_parse_header_problems():
    _, problems = parse_cost_csv("distributor,sku,price,effective_from\n", CURRENCIES)
    messages = [problem.message for problem in problems]
    assert messages[0].startswith("missing column cost")
    assert messages[1].startswith("unknown column 'price'")


def test_parse_duplicate_header_column():
    _, problems = parse_cost_csv(
        "distributor,sku,cost,effective_from,sku\n", CURRENCIES
    )
    assert [problem.column for problem in problems] == ["sku"]


def test_parse_value_problems_name_line_and_column():
    text = HEADER + "dist-reno,TEE-M,abc,2026-01-01\ndist-reno,TEE-M,1,01/02/2026\n"
    costs, problems = parse_cost_csv(text, CURRENCIES)
    assert costs == []
    assert [(problem.line, problem.column) for problem in problems] == [
        (2, "cost"),
        (3, "effective_from"),
    ]


def test_parse_wrong_value_count():
    _, problems = parse_cost_csv(HEADER + "dist-reno,TEE-M,1\n", CURRENCIES)
    assert problems[0].line == 2
    assert "3 values" in problems[0].message


def test_parse_unknown_distributor():
    _, problems = parse_cost_csv(HEADER + "dist-paris,TEE-M,1,2026-01-01\n", CURRENCIES)
    assert problems[0].column == "distributor"
    assert "dist-paris" in problems[0].message


def test_parse_currency_must_match_distributor():
    text = "distributor,sku,cost,effective_from,currency\ndist-reno,TEE-M,1,2026-01-01,EUR\n"
    _, problems = parse_cost_csv(text, CURRENCIES)
    assert problems[0].column == "currency"
    assert "USD" in problems[0].message


def test_parse_duplicate_rows():
    row = "dist-reno,TEE-M,1,2026-01-01\n"
    _, problems = parse_cost_csv(HEADER + row + row, CURRENCIES)
    assert problems[0].line == 3
    assert "line 2" in problems[0].message


def test_parse_line_numbers_count_quoted_newlines():
    text = HEADER + 'dist-reno,"TEE\nM",1,2026-01-01\ndist-reno,TEE-M,x,2026-01-01\n'
    _, problems = parse_cost_csv(text, CURRENCIES)
    assert [problem.line for problem in problems] == [2, 4]


def test_diff_equal_costs_are_unchanged():
    current = [
        {"distributor": "d", "sku": "s", "cost": "8.4", "effective_from": "2026-01-01"}
    ]
    costs, _ = parse_cost_csv(HEADER + "d,s,8.40,2026-01-01\n")
    diff = diff_costs(current, costs)
    assert diff.unchanged == 1
    assert diff.changed == []


def test_diff_invalid_current_row_is_removed():
    current = [{"distributor": "d", "sku": "s", "cost": "", "effective_from": ""}]
    diff = diff_costs(current, [])
    assert diff.removed == [
        {"distributor": "d", "sku": "s", "cost": "", "effective_from": ""}
    ]


def test_export_then_import_changes_nothing():
    settings = parse_settings(sample_settings(), environ={})
    costs, problems = parse_cost_csv(cost_table_csv(settings), CURRENCIES)
    assert problems == []
    diff = diff_costs(
        [cost.model_dump(mode="json") for cost in settings.costs.table], costs
    )
    assert diff.unchanged == 2
    assert diff.added == diff.removed == []
