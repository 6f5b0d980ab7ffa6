"""Write ledger items as CSV or JSON, followed by totals per distributor and currency.

The items are written as they are read, so an export of any size needs memory
only for the totals, which contain one entry per (distributor, currency). Amounts
are written from their ``Decimal`` in plain notation and never pass through
``float``: ``0.10`` is written as ``0.10``, and JSON carries them as strings.

CSV output has two sections separated by one blank line: the items under
``ITEM_COLUMNS``, then the totals under ``TOTAL_COLUMNS``. JSON output is
``{"items": [...], "totals": [...]}`` with the same names as keys.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO

from plugin.money import is_currency, minor_unit
from plugin.store import LedgerRow

__all__ = [
    "ITEM_COLUMNS",
    "TOTAL_COLUMNS",
    "Total",
    "Totals",
    "format_time",
    "item_values",
    "parse_time_bound",
    "write_csv",
    "write_json",
]

ITEM_COLUMNS = (
    "order_number",
    "dr_order_id",
    "saleor_fulfillment_id",
    "dr_fulfillment_id",
    "dr_item_id",
    "sku",
    "quantity",
    "distributor_id",
    "distributor_cost",
    "shipping_cost",
    "currency",
    "reported_at",
    "request_key",
)
"""Columns of the item section, one row per item sent to Digital River."""

TOTAL_COLUMNS = (
    "distributor_id",
    "currency",
    "items",
    "quantity",
    "distributor_cost",
    "shipping_cost",
)
"""Columns of the totals section, one row per distributor and currency."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Progress = Callable[[int], None]
"""Called with the number of items written so far."""


@dataclass(slots=True)
class Total:
    """Sums of the exported items of one distributor in one currency."""

    distributor_id: str
    currency: str
    items: int
    quantity: int
    distributor_cost: Decimal
    shipping_cost: Decimal

    def values(self) -> dict[str, str | int]:
        """Return the total by ``TOTAL_COLUMNS`` name, amounts as strings."""
        return {
            "distributor_id": self.distributor_id,
            "currency": self.currency,
            "items": self.items,
            "quantity": self.quantity,
            "distributor_cost": format(self.distributor_cost, "f"),
            "shipping_cost": format(self.shipping_cost, "f"),
        }


class Totals:
    """Running totals of ledger items per distributor and currency, exact."""

    def __init__(self) -> None:
        self._totals: dict[tuple[str, str], Total] = {}

    def add(self, row: LedgerRow) -> None:
        """Add one ledger item to the total of its distributor and currency."""
        item = row.item
        key = (item.distributor_id, row.currency)
        total = self._totals.get(key)
        if total is None:
            zero = _zero(row.currency)
            total = Total(item.distributor_id, row.currency, 0, 0, zero, zero)
            self._totals[key] = total
        total.items += 1
        total.quantity += item.quantity
        total.distributor_cost += item.distributor_cost
        if item.shipping_cost is not None:
            total.shipping_cost += item.shipping_cost

    def __iter__(self) -> Iterator[Total]:
        """Yield the totals ordered by distributor id, then currency."""
        return iter(sorted(self._totals.values(), key=_total_order))

    def __len__(self) -> int:
        return len(self._totals)


def item_values(row: LedgerRow) -> dict[str, str | int | None]:
    """Return one ledger item by ``ITEM_COLUMNS`` name, amounts as strings.

    ``shipping_cost`` is None when no shipping cost was sent for the item.
    """
    item = row.item
    shipping = item.shipping_cost
    return {
        "order_number": row.order_number,
        "dr_order_id": row.dr_order_id,
        "saleor_fulfillment_id": row.saleor_fulfillment_id,
        "dr_fulfillment_id": row.dr_fulfillment_id,
        "dr_item_id": item.dr_item_id,
        "sku": item.sku,
        "quantity": item.quantity,
        "distributor_id": item.distributor_id,
        "distributor_cost": format(item.distributor_cost, "f"),
        "shipping_cost": None if shipping is None else format(shipping, "f"),
        "currency": row.currency,
        "reported_at": format_time(row.created_at),
        "request_key": row.request_key,
    }


def write_csv(
    rows: Iterable[LedgerRow], text: TextIO, progress: Progress | None = None
) -> Totals:
    """Write the items, a blank line and the totals as CSV, and return the totals.

    An absent shipping cost is an empty field. Lines end in ``\\n``.
    """
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(ITEM_COLUMNS)
    totals = Totals()
    for count, row in enumerate(rows, start=1):
        values = item_values(row)
        writer.writerow(["" if value is None else value for value in values.values()])
        totals.add(row)
        _report(progress, count)

    text.write("\n")
    writer.writerow(TOTAL_COLUMNS)
    for total in totals:
        writer.writerow(total.values().values())
    return totals


def write_json(
    rows: Iterable[LedgerRow], text: TextIO, progress: Progress | None = None
) -> Totals:
    """Write ``{"items": [...], "totals": [...]}`` one item per line; return the totals.

    An absent shipping cost is ``null``. Quantities and item counts are JSON
    integers, every amount is a string.
    """
    totals = Totals()
    text.write('{"items": [')
    for count, row in enumerate(rows, start=1):
        text.write("\n" if count == 1 else ",\n")
        text.write(json.dumps(item_values(row), ensure_ascii=False))
        totals.add(row)
        _report(progress, count)

    text.write('\n], "totals": [')
    for position, total in enumerate(totals):
        text.write("\n" if position == 0 else ",\n")
        text.write(json.dumps(total.values(), ensure_ascii=False))
    text.write("\n]}\n")
    return totals


def format_time(moment: dt.datetime) -> str:
    """Return ``moment`` in UTC as ISO 8601 with a ``Z`` suffix.

    Microseconds are included only when they are not zero.
    """
    utc = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return utc.isoformat() + "Z"


def parse_time_bound(text: str) -> dt.datetime:
    """Parse a ``--since`` or ``--until`` value as an aware UTC datetime.

    A date (``2026-05-01``) means midnight UTC at its start. A date and time
    (``2026-05-01T12:00``, with optional seconds, fraction and offset or
    ``Z``) without an offset is taken as UTC. Raises ValueError otherwise.
    """
    value = text.strip()
    try:
        if _DATE.fullmatch(value):
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        if "T" not in value.upper() and " " not in value:
            raise ValueError(value)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date or date and time; use YYYY-MM-DD or "
            "YYYY-MM-DDTHH:MM[:SS][+HH:MM], such as 2026-05-01 or 2026-05-01T12:00Z"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _zero(currency: str) -> Decimal:
    # A total with nothing in it still shows the currency's decimal places.
    if is_currency(currency):
        return Decimal(0).quantize(minor_unit(currency))
    return Decimal(0)


def _total_order(total: Total) -> tuple[str, str]:
    return (total.distributor_id, total.currency)


def _report(progress: Progress | None, count: int) -> None:
    if progress is not None:
        progress(count)
