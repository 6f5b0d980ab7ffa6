"""Lease renewal on a thread of its own.

Hooks run on the worker's event loop, so a plugin that blocks (a slow ERP
lookup, say) stops every task on it. Leases are renewed from a separate
thread so that a blocked loop does not let another worker take the job over
and send it a second time.
"""

from __future__ import annotations

import logging
import threading

from plugin.context import utc_now
from plugin.store import Store, StoreError

__all__ = ["LeaseKeeper"]

logger = logging.getLogger(__name__)


class LeaseKeeper:
    """Thread that extends the leases of a worker's running jobs.

    It renews each lease every third of ``lease_seconds``.
    """

    def __init__(self, store: Store, owner: str, lease_seconds: float) -> None:
        self._store = store
        self._owner = owner
        self._lease_seconds = lease_seconds
        self._interval = lease_seconds / 3
        self._jobs: set[int] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"lease-keeper-{owner}", daemon=True
        )

    def start(self) -> None:
        """Start renewing leases."""
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing leases and wait for the thread to end."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def add(self, job_id: int) -> None:
        """Keep the lease of ``job_id`` until ``discard`` is called."""
        with self._lock:
            self._jobs.add(job_id)

    def discard(self, job_id: int) -> None:
        """Stop renewing the lease of ``job_id``."""
        with self._lock:
            self._jobs.discard(job_id)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            with self._lock:
                jobs = sorted(self._jobs)
            for job_id in jobs:
                self._extend(job_id)

    def _extend(self, job_id: int) -> None:
        try:
            held = self._store.extend_lease(
                job_id, self._owner, self._lease_seconds, utc_now()
            )
        except StoreError as error:
            logger.error("job.lease_extend_failed job=%s error=%s", job_id, error)
            return
        if not held:
            logger.warning("job.lease_lost job=%s owner=%s", job_id, self._owner)
            self.discard(job_id)
