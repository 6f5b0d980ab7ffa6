"""Exceptions raised by the store.

Callers never see SQLAlchemy or database driver exceptions: the store converts
them into this tree at its boundary::

    StoreError              database failure, or a store method misused
    ├── StoreUnavailable    connection lost, server down, database locked (transient)
    ├── CipherError         malformed encryption key, or a secret that cannot be decrypted
    ├── RecordNotFound      no installation or job with that key
    ├── LeaseLost           job lease taken over by another worker, or job finished
    └── JobStateError       job status that does not allow the change
"""

from __future__ import annotations

from plugin.errors import PluginError

__all__ = [
    "CipherError",
    "JobStateError",
    "LeaseLost",
    "RecordNotFound",
    "StoreError",
    "StoreUnavailable",
]


class StoreError(PluginError):
    """The database failed, or a store method was called with unusable values."""


class StoreUnavailable(StoreError):
    """The database could not be reached or was too busy, so the call may succeed later."""

    transient = True


class CipherError(StoreError):
    """An encryption key is malformed, or a stored secret cannot be decrypted."""


class RecordNotFound(StoreError):
    """No installation or job exists with the given key."""


class LeaseLost(StoreError):
    """The worker no longer holds the job's lease, so its change was not applied.

    Another worker has claimed the job since the lease lapsed, or the job has
    already left the ``running`` status.
    """

    def __init__(self, job_id: int, owner: str) -> None:
        super().__init__(
            f"job {job_id} is no longer leased to {owner!r}: another worker claimed "
            "it or it already finished. Drop the result and let the new lease holder "
            "report it"
        )
        self.job_id = job_id
        self.owner = owner


class JobStateError(StoreError):
    """A job's status does not allow the requested change."""
