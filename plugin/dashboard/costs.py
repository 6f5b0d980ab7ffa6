"""The unit-cost table as CSV: parse an import, compare it with the table, export.

The CSV has a header row naming the columns ``distributor``, ``sku``, ``cost``
and ``effective_from`` (a date such as 2026-12-01), in any order, and may add
``currency``. Costs are in the distributor's payout currency, so a
``currency`` value only confirms it and must match the distributor's. An
import replaces the whole table: a row of the table that the file lacks is
removed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from plugin.dashboard.problems import problems_from_validation
from plugin.settings import Settings, UnitCost

__all__ = [
    "EXPORT_COLUMNS",
    "CostDiff",
    "CsvProblem",
    "cost_json",
    "cost_table_csv",
    "diff_costs",
    "parse_cost_csv",
]

REQUIRED_COLUMNS = ("distributor", "sku", "cost", "effective_from")
EXPORT_COLUMNS = ("distributor", "sku", "currency", "cost", "effective_from")

CostKey = tuple[str, str, str]
"""Distributor id, SKU and effective date (ISO format) of a table row."""


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """An invalid line or value of an imported CSV file; line 1 is the header."""

    line: int
    column: str | None
    message: str


@dataclass
class CostDiff:
    """Changes that an import would make to the cost table."""

    added: list[dict[str, str]] = field(default_factory=list)
    changed: list[dict[str, dict[str, str]]] = field(default_factory=list)
    """Rows whose cost differs, each as ``{"before": row, "after": row}``."""
    removed: list[dict[str, str]] = field(default_factory=list)
    unchanged: int = 0


def cost_json(cost: UnitCost) -> dict[str, str]:
    """Return a table row as JSON data, the cost written from the Decimal."""
    return {
        "distributor": cost.distributor,
        "sku": cost.sku,
        "cost": str(cost.cost),
        "effective_from": cost.effective_from.isoformat(),
    }


def cost_table_csv(settings: Settings) -> str:
    """Return the cost table as CSV with ``EXPORT_COLUMNS``, sorted by distributor, SKU and date."""
    currencies = {
        distributor.id: distributor.currency for distributor in settings.distributors
    }
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    ordered = sorted(
        settings.costs.table,
        key=lambda cost: (cost.distributor, cost.sku, cost.effective_from),
    )
    for cost in ordered:
        row = cost_json(cost)
        writer.writerow(
            [
                row["distributor"],
                row["sku"],
                currencies.get(cost.distributor, ""),
                row["cost"],
                row["effective_from"],
            ]
        )
    return output.getvalue()


def parse_cost_csv(
    text: str, currencies: Mapping[str, str] | None = None
) -> tuple[list[UnitCost], list[CsvProblem]]:
    """Parse an imported cost table; return its rows, or the problems found.

    ``currencies`` maps each known distributor id to its payout currency;
    with it, rows of unknown distributors and mismatched currencies are
    problems too.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = next(reader, None)
        if header is None:
            return [], [
                CsvProblem(
                    1, None, "the file is empty; the first line must name the columns"
                )
            ]
        columns = [name.strip().lower() for name in header]
        problems = _header_problems(columns)
        if problems:
            return [], problems
        return _parse_rows(reader, columns, currencies)
    except csv.Error as error:
        return [], [CsvProblem(reader.line_num, None, f"not valid CSV: {error}")]


def diff_costs(
    current: Iterable[Mapping[str, Any]], imported: Iterable[UnitCost]
) -> CostDiff:
    """Compare the table rows in ``current`` with an import that replaces them.

    Rows match on distributor, SKU and effective date; a matched row whose
    cost differs in value (8.4 and 8.40 are equal) is changed.
    """
    before = {_key(row): row for row in map(_normalized, current)}
    diff = CostDiff()
    for cost in imported:
        row = cost_json(cost)
        old = before.pop(_key(row), None)
        if old is None:
            diff.added.append(row)
        elif _same_cost(old["cost"], row["cost"]):
            diff.unchanged += 1
        else:
            diff.changed.append({"before": old, "after": row})
    diff.removed = list(before.values())
    return diff


def _header_problems(columns: list[str]) -> list[CsvProblem]:
    problems = []
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.append(
            CsvProblem(
                1,
                None,
                f"missing column {', '.join(missing)}; the header must name {', '.join(REQUIRED_COLUMNS)}",
            )
        )
    for name in sorted(set(columns) - set(EXPORT_COLUMNS)):
        problems.append(
            CsvProblem(
                1,
                name or None,
                f"unknown column {name!r}; remove it or check its spelling",
            )
        )
    for name in sorted({name for name in columns if columns.count(name) > 1}):
        problems.append(CsvProblem(1, name, f"column {name!r} appears more than once"))
    return problems


def _parse_rows(
    reader: Any, columns: list[str], currencies: Mapping[str, str] | None
) -> tuple[list[UnitCost], list[CsvProblem]]:
    costs: list[UnitCost] = []
    problems: list[CsvProblem] = []
    first_line: dict[CostKey, int] = {}
    end_of_previous = reader.line_num
    for row in reader:
        # A quoted value may span lines, so a record starts after the previous one ends.
        line, end_of_previous = end_of_previous + 1, reader.line_num
        if not any(value.strip() for value in row):
            continue
        if len(row) != len(columns):
            problems.append(
                CsvProblem(
                    line,
                    None,
                    f"has {len(row)} values, the header names {len(columns)} columns",
                )
            )
            continue

        values = {name: value.strip() for name, value in zip(columns, row, strict=True)}
        currency = values.pop("currency", "")
        try:
            cost = UnitCost.model_validate(values)
        except ValidationError as error:
            problems.extend(
                CsvProblem(line, problem.path, problem.message)
                for problem in problems_from_validation(error)
            )
            continue

        problems.extend(_reference_problems(line, cost, currency, currencies))
        key = _key(cost_json(cost))
        if key in first_line:
            problems.append(
                CsvProblem(
                    line,
                    None,
                    f"repeats the distributor, SKU and date of line {first_line[key]}; keep one",
                )
            )
        first_line.setdefault(key, line)
        costs.append(cost)
    return (costs, []) if not problems else ([], problems)


def _reference_problems(
    line: int, cost: UnitCost, currency: str, currencies: Mapping[str, str] | None
) -> list[CsvProblem]:
    if currencies is None:
        return []
    expected = currencies.get(cost.distributor)
    if expected is None:
        return [
            CsvProblem(
                line,
                "distributor",
                f"unknown distributor {cost.distributor!r}; add it under Distributors first",
            )
        ]
    if currency and currency != expected:
        return [
            CsvProblem(
                line,
                "currency",
                f"currency {currency} differs from the payout currency {expected} of distributor {cost.distributor!r}",
            )
        ]
    return []


def _normalized(row: Mapping[str, Any]) -> dict[str, str]:
    try:
        return cost_json(UnitCost.model_validate(row))
    except ValidationError:
        names = ("distributor", "sku", "cost", "effective_from")
        return {name: str(row.get(name) or "").strip() for name in names}


def _key(row: Mapping[str, str]) -> CostKey:
    return row["distributor"], row["sku"], row["effective_from"]


def _same_cost(old: str, new: str) -> bool:
    try:
        return Decimal(old) == Decimal(new)
    except InvalidOperation:
        return False
