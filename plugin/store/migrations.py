"""Numbered schema migrations, applied in order and recorded in ``schema_migrations``.

The list is append-only: a released migration is never edited, and a schema
change is a new function at the end of ``MIGRATIONS``. Each migration spells
out the tables as they were when it was written, rather than importing
``plugin.store.tables``, so that editing the current definitions never changes
what an old migration does.

``migrate`` runs in one transaction that first takes a lock: a transaction-level
advisory lock on PostgreSQL, and SQLite's write lock through ``BEGIN IMMEDIATE``
(see ``Database.write``). Two processes that start at once therefore apply each
migration exactly once, and the second finds the first one's tables.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    text,
)

from plugin.store.columns import Money, UTCDateTime
from plugin.store.tables import schema_migrations

__all__ = ["MIGRATIONS", "Migration", "migrate"]

logger = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x64725F73746F7265
"""PostgreSQL advisory lock key held while migrating (the bytes of "dr_store")."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema change: its number, a name for the record, and the function."""

    number: int
    name: str
    apply: Callable[[Connection], None]


def migrate(
    connection: Connection,
    now: dt.datetime,
    migrations: Sequence[Migration] | None = None,
) -> list[int]:
    """Apply the migrations not yet recorded and return their numbers.

    Call inside a write transaction. A database that has migrations this code
    does not list is left alone, with a warning.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    _lock(connection)
    schema_migrations.create(connection, checkfirst=True)
    applied = set(connection.scalars(select(schema_migrations.c.number)))

    done = []
    for migration in migrations:
        if migration.number in applied:
            continue
        migration.apply(connection)
        _record(connection, migration, now)
        done.append(migration.number)

    _warn_unknown(applied, migrations)
    return done


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        )


def _record(connection: Connection, migration: Migration, now: dt.datetime) -> None:
    connection.execute(
        insert(schema_migrations).values(
            number=migration.number, name=migration.name, applied_at=now
        )
    )
    logger.info(
        "store.migration_applied number=%s name=%s", migration.number, migration.name
    )


def _warn_unknown(applied: set[int], migrations: Sequence[Migration]) -> None:
    unknown = sorted(applied - {migration.number for migration in migrations})
    if unknown:
        logger.warning(
            "store.schema_newer_than_code unknown_migrations=%s: the database was "
            "migrated by a newer version of the plugin, so upgrade this process",
            unknown,
        )


def _create_initial_tables(connection: Connection) -> None:
    metadata = MetaData()
    identifier = BigInteger().with_variant(Integer(), "sqlite")
    _initial_installations(metadata)
    _initial_jobs(metadata, identifier)
    _initial_ledger(metadata, identifier)
    _initial_unit_costs(metadata)
    metadata.create_all(connection)


def _initial_installations(metadata: MetaData) -> None:
    Table(
        "installations",
        metadata,
        Column("saleor_api_url", String(2048), primary_key=True),
        Column("app_id", String(255), nullable=False),
        Column("token", Text, nullable=False),
        Column("jwks", Text),
        Column("settings", Text),
        Column("secrets_encrypted", Boolean, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    )


def _initial_jobs(metadata: MetaData, identifier: BigInteger) -> None:
    Table(
        "jobs",
        metadata,
        Column("id", identifier, primary_key=True, autoincrement=True),
        Column("saleor_api_url", String(2048), nullable=False),
        Column("fulfillment_id", String(255), nullable=False),
        Column("order_id", String(255), nullable=False),
        Column("order_number", String(64), nullable=False),
        Column("event", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("next_attempt_at", UTCDateTime(), nullable=False),
        Column("lease_owner", String(255)),
        Column("lease_expires_at", UTCDateTime()),
        Column("last_error", Text),
        Column("result", Text),
        Column("finished_at", UTCDateTime()),
        UniqueConstraint(
            "saleor_api_url", "fulfillment_id", "event", name="uq_jobs_event"
        ),
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')",
            name="ck_jobs_status",
        ),
        Index("ix_jobs_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_jobs_status_lease_expires_at", "status", "lease_expires_at"),
        Index("ix_jobs_created_at", "created_at"),
    )


def _initial_ledger(metadata: MetaData, identifier: BigInteger) -> None:
    Table(
        "ledger_fulfillments",
        metadata,
        Column("id", identifier, primary_key=True, autoincrement=True),
        Column("request_key", String(255), nullable=False, unique=True),
        Column("job_id", ForeignKey("jobs.id", ondelete="SET NULL")),
        Column("dr_fulfillment_id", String(255), nullable=False),
        Column("dr_order_id", String(255), nullable=False),
        Column("saleor_api_url", String(2048), nullable=False),
        Column("saleor_fulfillment_id", String(255), nullable=False),
        Column("order_number", String(64), nullable=False),
        Column("currency", String(3), nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Index("ix_ledger_fulfillments_created_at", "created_at"),
    )
    Table(
        "ledger_items",
        metadata,
        Column(
            "ledger_fulfillment_id",
            ForeignKey("ledger_fulfillments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("position", Integer, primary_key=True, autoincrement=False),
        Column("dr_item_id", String(255), nullable=False),
        Column("sku", String(255), nullable=False),
        Column("distributor_id", String(100), nullable=False),
        Column("quantity", Integer, nullable=False),
        Column("distributor_cost", Money(), nullable=False),
        Column("shipping_cost", Money()),
        Index("ix_ledger_items_distributor_id", "distributor_id"),
    )


def _initial_unit_costs(metadata: MetaData) -> None:
    Table(
        "unit_costs",
        metadata,
        Column("distributor_id", String(100), primary_key=True),
        Column("sku", String(255), primary_key=True),
        Column("effective_from", Date, primary_key=True),
        Column("currency", String(3), nullable=False),
        Column("cost", Money(), nullable=False),
    )


def _add_job_runs(connection: Connection) -> None:
    # Unlike attempts, runs is never reset or lowered, so a worker can tell
    # that an earlier run may have sent requests already.
    connection.execute(
        text("ALTER TABLE jobs ADD COLUMN runs INTEGER NOT NULL DEFAULT 0")
    )
    connection.execute(text("UPDATE jobs SET runs = attempts"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "create_initial_tables", _create_initial_tables),
    Migration(2, "add_job_runs", _add_job_runs),
)
"""Every migration, in the order applied. Append only."""
