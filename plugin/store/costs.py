"""The unit-cost table: each distributor's cost of a SKU from a date on.

``replace_costs`` swaps the whole table in one transaction, so readers see
either the old table or the new one and a failed import leaves the old one in
place. Lookups use the primary key (distributor, SKU, effective date), so
finding the cost in force at a date reads one index range even with millions
of rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Date,
    RowMapping,
    String,
    TextualSelect,
    bindparam,
    delete,
    func,
    select,
    text,
)

from plugin.store.engine import Database, translate_errors
from plugin.store.tables import unit_costs

__all__ = ["CostMethods", "CostRow"]

logger = logging.getLogger(__name__)

LOOKUP_BATCH_SIZE = 500
"""Pairs looked up per query by ``lookup_costs``, to stay under parameter limits."""

STREAM_BATCH_SIZE = 5000
"""Rows fetched from the database at a time by ``iter_costs``."""

_CURRENCY = re.compile(r"[A-Z]{3}")

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class CostRow:
    """A distributor's unit cost of a SKU, in force from ``effective_from`` on."""

    distributor_id: str
    sku: str
    currency: str
    """ISO 4217 code of the distributor's payout currency."""
    cost: Decimal
    """Cost of one unit, in ``currency``."""
    effective_from: dt.date
    """First day (UTC) the cost applies."""

    def __post_init__(self) -> None:
        label = f"distributor {self.distributor_id!r}, SKU {self.sku!r}"
        if not isinstance(self.cost, Decimal):
            raise TypeError(f"cost {self.cost!r} of {label} must be a Decimal")
        if not self.cost.is_finite() or self.cost < 0:
            raise ValueError(
                f"cost {self.cost} of {label} must be finite and not negative"
            )
        if not _CURRENCY.fullmatch(self.currency):
            raise ValueError(
                f"currency {self.currency!r} of {label} must be an ISO 4217 code"
            )
        if isinstance(self.effective_from, dt.datetime) or not isinstance(
            self.effective_from, dt.date
        ):
            raise TypeError(
                f"effective_from {self.effective_from!r} of {label} must be a date"
            )


class CostMethods:
    """Store methods for the unit-cost table, mixed into ``Store``."""

    _db: Database

    def replace_costs(
        self,
        rows: Iterable[CostRow],
        batch_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Replace the whole cost table with ``rows`` and return how many were loaded.

        All or nothing: when a row is invalid, repeats a (distributor, SKU,
        date) key, or the database fails, the old table stays as it was.
        ``progress`` is called after each batch with the rows loaded so far.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size {batch_size} must be at least 1")
        with self._db.write("replacing unit costs") as connection:
            connection.execute(delete(unit_costs))
            loaded = _insert_batches(connection, rows, batch_size, progress)
        logger.info("store.costs_replaced rows=%s", loaded)
        return loaded

    def lookup_cost(self, distributor_id: str, sku: str, at: dt.date) -> CostRow | None:
        """Return the cost in force on ``at``: the latest ``effective_from`` not after it."""
        query = (
            select(unit_costs)
            .where(
                unit_costs.c.distributor_id == distributor_id,
                unit_costs.c.sku == sku,
                unit_costs.c.effective_from <= at,
            )
            .order_by(unit_costs.c.effective_from.desc())
            .limit(1)
        )
        with self._db.read("looking up unit cost") as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _cost_row(row)

    def lookup_costs(
        self, pairs: Iterable[tuple[str, str]], at: dt.date
    ) -> dict[tuple[str, str], CostRow]:
        """Look up the costs in force on ``at`` for many (distributor, SKU) pairs.

        Pairs without a cost are absent from the returned mapping.
        """
        found: dict[tuple[str, str], CostRow] = {}
        with self._db.read("looking up unit costs") as connection:
            for chunk in _batched(dict.fromkeys(pairs), LOOKUP_BATCH_SIZE):
                statement, parameters = _in_force_query(chunk, at)
                for row in connection.execute(statement, parameters).mappings():
                    cost = _cost_row(row)
                    found[(cost.distributor_id, cost.sku)] = cost
        return found

    def iter_costs(self) -> Iterator[CostRow]:
        """Yield every cost row ordered by distributor, SKU and date, streamed.

        The iterator keeps a database connection open until it is exhausted or closed.
        """
        query = select(unit_costs).order_by(
            unit_costs.c.distributor_id, unit_costs.c.sku, unit_costs.c.effective_from
        )
        with (
            translate_errors("reading unit costs"),
            self._db.engine.connect() as connection,
        ):
            result = connection.execution_options(yield_per=STREAM_BATCH_SIZE).execute(
                query
            )
            for row in result.mappings():
                yield _cost_row(row)

    def count_costs(self) -> int:
        """Return the number of rows in the cost table."""
        with self._db.read("counting unit costs") as connection:
            return connection.scalar(select(func.count()).select_from(unit_costs)) or 0

    def has_costs(self) -> bool:
        """Return whether the cost table has any row."""
        query = select(unit_costs.c.sku).limit(1)
        with self._db.read("checking unit costs") as connection:
            return connection.execute(query).first() is not None


def _insert_batches(
    connection: Connection,
    rows: Iterable[CostRow],
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> int:
    loaded = 0
    for batch in _batched(rows, batch_size):
        connection.execute(unit_costs.insert(), [_cost_values(row) for row in batch])
        loaded += len(batch)
        if progress is not None:
            progress(loaded)
    return loaded


def _batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    # itertools.batched arrived in Python 3.12.
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def _cost_values(row: CostRow) -> dict[str, Any]:
    if not isinstance(row, CostRow):
        raise TypeError(
            f"cost rows must be CostRow instances, not {type(row).__name__}"
        )
    return {
        "distributor_id": row.distributor_id,
        "sku": row.sku,
        "currency": row.currency,
        "cost": row.cost,
        "effective_from": row.effective_from,
    }


_IN_FORCE_SQL = """
WITH wanted(distributor_id, sku) AS (VALUES {rows})
SELECT cost.distributor_id, cost.sku, cost.currency, cost.cost, cost.effective_from
FROM wanted JOIN unit_costs AS cost
  ON cost.distributor_id = wanted.distributor_id AND cost.sku = wanted.sku
 AND cost.effective_from = (
   SELECT max(latest.effective_from) FROM unit_costs AS latest
   WHERE latest.distributor_id = wanted.distributor_id AND latest.sku = wanted.sku
     AND latest.effective_from <= :at)
"""


@functools.cache
def _in_force_statement(size: int) -> TextualSelect:
    # For each wanted pair, the row whose effective_from is the latest on or
    # before `at`. The correlated max() lets both databases resolve each pair
    # with a primary-key search. The statement is plain SQL, cached per batch
    # size, because building it with SQLAlchemy constructs took longer than
    # the query.
    rows = ", ".join(f"(:d{index}, :s{index})" for index in range(size))
    return (
        text(_IN_FORCE_SQL.format(rows=rows))
        .bindparams(bindparam("at", type_=Date))
        .columns(
            distributor_id=String,
            sku=String,
            currency=String,
            cost=unit_costs.c.cost.type,
            effective_from=Date,
        )
    )


def _in_force_query(
    pairs: tuple[tuple[str, str], ...], at: dt.date
) -> tuple[TextualSelect, dict[str, Any]]:
    parameters: dict[str, Any] = {"at": at}
    for index, (distributor_id, sku) in enumerate(pairs):
        parameters[f"d{index}"] = distributor_id
        parameters[f"s{index}"] = sku
    return _in_force_statement(len(pairs)), parameters


def _cost_row(row: RowMapping) -> CostRow:
    return CostRow(
        distributor_id=row["distributor_id"],
        sku=row["sku"],
        currency=row["currency"],
        cost=row["cost"],
        effective_from=row["effective_from"],
    )
