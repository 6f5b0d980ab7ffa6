"""The ledger: every fulfillment sent to Digital River, with its items and costs.

Each fulfillment is recorded once, under the deterministic request key the
plugin put in the request's metadata, so recording it again after a retry or
a reconciliation changes nothing. Amounts are exact decimals on both backends.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, select

from plugin.store.engine import Database, conflict_insert, translate_errors
from plugin.store.tables import ledger_fulfillments, ledger_items
from plugin.store.values import require_aware

__all__ = ["LedgerItem", "LedgerMethods", "LedgerRow"]

logger = logging.getLogger(__name__)

STREAM_BATCH_SIZE = 1000
"""Rows fetched from the database at a time while streaming."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerItem:
    """One item of a Digital River fulfillment, with the distributor's costs."""

    dr_item_id: str
    sku: str
    distributor_id: str
    quantity: int
    distributor_cost: Decimal
    """Total cost of goods for the item: unit cost times ``quantity``."""
    shipping_cost: Decimal | None = None

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError(f"quantity {self.quantity!r} must be an int")
        if self.quantity < 1:
            raise ValueError(
                f"quantity {self.quantity} of item {self.dr_item_id} must be positive"
            )
        _check_amount(self.distributor_cost, "distributor_cost", self.dr_item_id)
        if self.shipping_cost is not None:
            _check_amount(self.shipping_cost, "shipping_cost", self.dr_item_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerRow:
    """One ledger item together with the fulfillment it was sent in."""

    request_key: str
    job_id: int | None
    dr_fulfillment_id: str
    dr_order_id: str
    saleor_api_url: str
    saleor_fulfillment_id: str
    order_number: str
    currency: str
    created_at: dt.datetime
    item: LedgerItem


def _check_amount(amount: Decimal, name: str, dr_item_id: str) -> None:
    if not isinstance(amount, Decimal):
        raise TypeError(f"{name} {amount!r} of item {dr_item_id} must be a Decimal")
    if not amount.is_finite() or amount < 0:
        raise ValueError(
            f"{name} {amount} of item {dr_item_id} must be a finite amount, not negative"
        )


class LedgerMethods:
    """Store methods for the ledger, mixed into ``Store``."""

    _db: Database

    def record_fulfillment(
        self,
        job_id: int | None,
        request_key: str,
        dr_fulfillment_id: str,
        dr_order_id: str,
        saleor_api_url: str,
        saleor_fulfillment_id: str,
        order_number: str,
        currency: str,
        created_at: dt.datetime,
        items: Sequence[LedgerItem],
    ) -> bool:
        """Record a fulfillment Digital River accepted and return whether it was new.

        A second call with the same ``request_key`` changes nothing, whatever
        its other arguments, and returns False.
        """
        fulfillment = {
            "request_key": request_key,
            "job_id": job_id,
            "dr_fulfillment_id": dr_fulfillment_id,
            "dr_order_id": dr_order_id,
            "saleor_api_url": saleor_api_url,
            "saleor_fulfillment_id": saleor_fulfillment_id,
            "order_number": order_number,
            "currency": currency,
            "created_at": require_aware(created_at, "created_at"),
        }
        with self._db.write("recording fulfillment") as connection:
            ledger_id = _insert_fulfillment(connection, fulfillment)
            if ledger_id is not None:
                _insert_items(connection, ledger_id, items)
        _log_recorded(request_key, dr_fulfillment_id, job_id, ledger_id is not None)
        return ledger_id is not None

    def iter_ledger(
        self,
        distributor_id: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Iterator[LedgerRow]:
        """Yield ledger items oldest first, streamed from the database.

        ``since`` is inclusive and ``until`` exclusive. The iterator keeps a
        database connection open until it is exhausted or closed.
        """
        query = _ledger_query(distributor_id, since, until)
        with (
            translate_errors("reading ledger"),
            self._db.engine.connect() as connection,
        ):
            result = connection.execution_options(yield_per=STREAM_BATCH_SIZE).execute(
                query
            )
            for row in result.mappings():
                yield _ledger_row(row)


def _insert_fulfillment(connection: Connection, values: dict[str, Any]) -> int | None:
    statement = (
        conflict_insert(connection, ledger_fulfillments)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[ledger_fulfillments.c.request_key])
        .returning(ledger_fulfillments.c.id)
    )
    ledger_id: int | None = connection.execute(statement).scalar()
    return ledger_id


def _insert_items(
    connection: Connection, ledger_id: int, items: Sequence[LedgerItem]
) -> None:
    rows = [
        {
            "ledger_fulfillment_id": ledger_id,
            "position": position,
            "dr_item_id": item.dr_item_id,
            "sku": item.sku,
            "distributor_id": item.distributor_id,
            "quantity": item.quantity,
            "distributor_cost": item.distributor_cost,
            "shipping_cost": item.shipping_cost,
        }
        for position, item in enumerate(items)
    ]
    if rows:
        connection.execute(ledger_items.insert(), rows)


def _ledger_query(
    distributor_id: str | None, since: dt.datetime | None, until: dt.datetime | None
) -> Select[Any]:
    fulfillment, item = ledger_fulfillments, ledger_items
    query = (
        select(fulfillment, item)
        .join(item, item.c.ledger_fulfillment_id == fulfillment.c.id)
        .order_by(fulfillment.c.created_at, fulfillment.c.id, item.c.position)
    )
    if distributor_id is not None:
        query = query.where(item.c.distributor_id == distributor_id)
    if since is not None:
        query = query.where(fulfillment.c.created_at >= require_aware(since, "since"))
    if until is not None:
        query = query.where(fulfillment.c.created_at < require_aware(until, "until"))
    return query


def _ledger_row(row: RowMapping) -> LedgerRow:
    item = LedgerItem(
        dr_item_id=row["dr_item_id"],
        sku=row["sku"],
        distributor_id=row["distributor_id"],
        quantity=row["quantity"],
        distributor_cost=row["distributor_cost"],
        shipping_cost=row["shipping_cost"],
    )
    return LedgerRow(
        request_key=row["request_key"],
        job_id=row["job_id"],
        dr_fulfillment_id=row["dr_fulfillment_id"],
        dr_order_id=row["dr_order_id"],
        saleor_api_url=row["saleor_api_url"],
        saleor_fulfillment_id=row["saleor_fulfillment_id"],
        order_number=row["order_number"],
        currency=row["currency"],
        created_at=row["created_at"],
        item=item,
    )


def _log_recorded(
    request_key: str, dr_fulfillment_id: str, job_id: int | None, created: bool
) -> None:
    event = (
        "store.fulfillment_recorded"
        if created
        else "store.fulfillment_already_recorded"
    )
    logger.info(
        "%s request_key=%s dr_fulfillment_id=%s job_id=%s",
        event,
        request_key,
        dr_fulfillment_id,
        job_id,
    )
