"""Table definitions of the current schema, used to build queries.

Migrations in ``plugin.store.migrations`` create and change these tables. Each
migration keeps its own copy of the definitions as they were when it was
written, so a later change here never alters what an old migration does. A
test checks that the migrated database matches these definitions.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from plugin.store.columns import Money, UTCDateTime

__all__ = [
    "installations",
    "jobs",
    "ledger_fulfillments",
    "ledger_items",
    "metadata",
    "schema_migrations",
    "unit_costs",
]

metadata = MetaData()

# SQLite makes an INTEGER PRIMARY KEY an alias of the rowid, which autoincrements.
_Id = BigInteger().with_variant(Integer(), "sqlite")

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", UTCDateTime(), nullable=False),
)

installations = Table(
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

jobs = Table(
    "jobs",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("saleor_api_url", String(2048), nullable=False),
    Column("fulfillment_id", String(255), nullable=False),
    Column("order_id", String(255), nullable=False),
    Column("order_number", String(64), nullable=False),
    Column("event", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("runs", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("lease_owner", String(255)),
    Column("lease_expires_at", UTCDateTime()),
    Column("last_error", Text),
    Column("result", Text),
    Column("finished_at", UTCDateTime()),
    UniqueConstraint("saleor_api_url", "fulfillment_id", "event", name="uq_jobs_event"),
    CheckConstraint(
        "status IN ('queued', 'running', 'succeeded', 'failed')", name="ck_jobs_status"
    ),
    Index("ix_jobs_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_jobs_status_lease_expires_at", "status", "lease_expires_at"),
    Index("ix_jobs_created_at", "created_at"),
)

ledger_fulfillments = Table(
    "ledger_fulfillments",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
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

ledger_items = Table(
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

unit_costs = Table(
    "unit_costs",
    metadata,
    Column("distributor_id", String(100), primary_key=True),
    Column("sku", String(255), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("cost", Money(), nullable=False),
)
