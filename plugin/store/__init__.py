"""Durable store of installations, jobs, the fulfillment ledger and unit costs."""

from plugin.store.costs import CostRow
from plugin.store.crypto import SecretCipher
from plugin.store.errors import (
    CipherError,
    JobStateError,
    LeaseLost,
    RecordNotFound,
    StoreError,
    StoreUnavailable,
)
from plugin.store.installations import Installation
from plugin.store.jobs import Job, JobStatus
from plugin.store.ledger import LedgerItem, LedgerRow
from plugin.store.migrations import MIGRATIONS, Migration
from plugin.store.store import Store

__all__ = [
    "MIGRATIONS",
    "CipherError",
    "CostRow",
    "Installation",
    "Job",
    "JobStateError",
    "JobStatus",
    "LeaseLost",
    "LedgerItem",
    "LedgerRow",
    "Migration",
    "RecordNotFound",
    "SecretCipher",
    "Store",
    "StoreError",
    "StoreUnavailable",
]
