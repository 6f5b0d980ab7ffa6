"""Worker-side job methods: claim due jobs under a lease, then report the outcome.

Each worker passes an ``owner`` name that no other worker uses (for example
host, process id and a random suffix), because the lease checks compare that
name and nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import ColumnElement, Connection, select, update

from plugin.store.engine import Database
from plugin.store.jobs import (
    Job,
    JobStatus,
    job_from_row,
    lease_held,
    lease_lapsed,
    queued_due,
    update_leased,
)
from plugin.store.tables import jobs
from plugin.store.values import check_json, require_aware

__all__ = ["LeaseMethods"]

logger = logging.getLogger(__name__)


class LeaseMethods:
    """Store methods a worker calls on the jobs it processes, mixed into ``Store``."""

    _db: Database

    def claim_jobs(
        self, owner: str, limit: int, lease_seconds: float, now: dt.datetime
    ) -> list[Job]:
        """Lease up to ``limit`` due jobs to ``owner``.

        Jobs whose lease lapsed come first, then queued jobs, oldest due first.
        A job is due when it is queued with ``next_attempt_at`` at or before
        ``now``, or running under a lease that has lapsed. Each claimed job
        becomes ``running`` with its ``attempts`` raised by one. Concurrent
        callers never get the same job: PostgreSQL skips rows another
        transaction has locked, and SQLite serializes the write transactions.
        """
        now = require_aware(now, "now")
        expires = now + _lease_duration(lease_seconds)
        if limit < 1:
            return []
        with self._db.write("claiming jobs") as connection:
            claimed = _claim(connection, owner, limit, now, expires)
        for job in claimed:
            logger.debug(
                "store.job_claimed job_id=%s owner=%s attempts=%s",
                job.id,
                owner,
                job.attempts,
            )
        return claimed

    def extend_lease(
        self, job_id: int, owner: str, lease_seconds: float, now: dt.datetime
    ) -> bool:
        """Move the lease's expiry to ``now + lease_seconds`` and return whether it is held."""
        expires = require_aware(now, "now") + _lease_duration(lease_seconds)
        statement = (
            update(jobs)
            .where(lease_held(job_id, owner))
            .values(lease_expires_at=expires)
        )
        with self._db.write("extending job lease") as connection:
            return connection.execute(statement).rowcount == 1

    def complete_job(
        self, job_id: int, owner: str, result_json: str | None, now: dt.datetime
    ) -> None:
        """Mark a leased job succeeded and store its result JSON.

        ``last_error`` is kept, as the record of the last failed attempt.
        Raises LeaseLost when ``owner`` no longer holds the lease.
        """
        self._finish(
            job_id,
            owner,
            JobStatus.SUCCEEDED,
            result=check_json(result_json, "result_json"),
            finished_at=require_aware(now, "now"),
        )

    def reschedule_job(
        self, job_id: int, owner: str, error: str, next_attempt_at: dt.datetime
    ) -> None:
        """Queue a leased job again for ``next_attempt_at``, recording ``error``.

        Raises LeaseLost when ``owner`` no longer holds the lease.
        """
        self._finish(
            job_id,
            owner,
            JobStatus.QUEUED,
            last_error=error,
            next_attempt_at=require_aware(next_attempt_at, "next_attempt_at"),
        )

    def fail_job(self, job_id: int, owner: str, error: str, now: dt.datetime) -> None:
        """Mark a leased job failed for good, recording ``error``.

        ``retry_job`` can queue it again. Raises LeaseLost when ``owner`` no
        longer holds the lease.
        """
        self._finish(
            job_id,
            owner,
            JobStatus.FAILED,
            last_error=error,
            finished_at=require_aware(now, "now"),
        )

    def release_job(self, job_id: int, owner: str) -> None:
        """Give a leased job back unprocessed, for example when a worker shuts down.

        The job is queued again with its ``next_attempt_at`` unchanged, which is
        in the past because the job was due when claimed, so any worker can take
        it at once. ``attempts`` goes back down by one, since this claim did no
        work. Raises LeaseLost when ``owner`` no longer holds the lease.
        """
        self._finish(job_id, owner, JobStatus.QUEUED, attempts=jobs.c.attempts - 1)

    def _finish(
        self, job_id: int, owner: str, status: JobStatus, **values: object
    ) -> None:
        with self._db.write(f"setting job {job_id} {status.value}") as connection:
            update_leased(
                connection,
                job_id,
                owner,
                status=status.value,
                lease_owner=None,
                lease_expires_at=None,
                **values,
            )
        logger.debug("store.job_%s job_id=%s owner=%s", status.value, job_id, owner)


def _lease_duration(lease_seconds: float) -> dt.timedelta:
    if not lease_seconds > 0:
        raise ValueError(f"lease_seconds {lease_seconds} must be positive")
    return dt.timedelta(seconds=lease_seconds)


def _claim(
    connection: Connection,
    owner: str,
    limit: int,
    now: dt.datetime,
    expires: dt.datetime,
) -> list[Job]:
    # Two passes, each able to read its index in order and stop at the limit,
    # where one query with an OR collected and sorted every due row first.
    claimed = _claim_where(
        connection, lease_lapsed(now), jobs.c.lease_expires_at, owner, limit, expires
    )
    if len(claimed) < limit:
        claimed += _claim_where(
            connection,
            queued_due(now),
            jobs.c.next_attempt_at,
            owner,
            limit - len(claimed),
            expires,
        )
    return sorted(claimed, key=lambda job: (job.next_attempt_at, job.id))


def _claim_where(
    connection: Connection,
    condition: ColumnElement[bool],
    order: ColumnElement[Any],
    owner: str,
    limit: int,
    expires: dt.datetime,
) -> list[Job]:
    # SQLAlchemy leaves PostgreSQL's FOR UPDATE SKIP LOCKED out on SQLite, where
    # BEGIN IMMEDIATE already gives this transaction the only write lock.
    due = (
        select(jobs.c.id)
        .where(condition)
        .order_by(order, jobs.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(jobs)
        .where(jobs.c.id.in_(due))
        .values(
            status=JobStatus.RUNNING.value,
            lease_owner=owner,
            lease_expires_at=expires,
            attempts=jobs.c.attempts + 1,
            runs=jobs.c.runs + 1,
        )
        .returning(*jobs.c)
    )
    return [job_from_row(row) for row in connection.execute(statement).mappings()]
