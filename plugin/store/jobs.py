"""The job queue: one job per Saleor event to report, leased to one worker at a time.

Status changes and the methods that make them::

    queued    -> running      claim_jobs
    running   -> running      claim_jobs by another worker, once the lease lapsed
    running   -> succeeded    complete_job
    running   -> queued       reschedule_job, release_job
    running   -> failed       fail_job
    failed    -> queued       retry_job

A worker holds a job's lease while the job is ``running`` with the worker's
name in ``lease_owner``. A lease that has lapsed still counts as held until
another worker claims the job, because until then no other worker can have
worked on it. ``complete_job``, ``reschedule_job``, ``fail_job`` and ``release_job``
raise ``LeaseLost`` when the caller no longer holds the lease, so a worker
cannot overwrite the outcome of the worker that took the job over.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    and_,
    func,
    select,
    update,
)

from plugin.store.engine import Database, conflict_insert
from plugin.store.errors import JobStateError, LeaseLost, RecordNotFound
from plugin.store.tables import jobs
from plugin.store.values import require_aware

__all__ = ["Job", "JobMethods", "JobStatus"]

logger = logging.getLogger(__name__)


class JobStatus(StrEnum):
    """Status of a job: waiting, leased to a worker, or finished."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """A Saleor event waiting to be reported, being reported, or finished."""

    id: int
    saleor_api_url: str
    fulfillment_id: str
    order_id: str
    order_number: str
    event: str
    payload: str = field(repr=False)
    """The raw webhook body, exactly as received."""
    status: JobStatus
    attempts: int
    """Claims so far, the current one included; reset by ``retry_job``."""
    runs: int
    """Claims over the job's whole life; never reset or lowered."""
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    lease_owner: str | None
    lease_expires_at: dt.datetime | None
    last_error: str | None
    result: str | None
    """JSON text stored by ``complete_job``."""
    finished_at: dt.datetime | None


def job_from_row(row: RowMapping) -> Job:
    """Build a Job from a row of the ``jobs`` table."""
    values = dict(row)
    values["status"] = JobStatus(values["status"])
    return Job(**values)


class JobMethods:
    """Store methods for enqueuing, inspecting and retrying jobs, mixed into ``Store``."""

    _db: Database

    def enqueue_job(
        self,
        saleor_api_url: str,
        fulfillment_id: str,
        order_id: str,
        order_number: str,
        event: str,
        payload: str,
        now: dt.datetime,
    ) -> tuple[Job, bool]:
        """Queue a job due at ``now`` unless one exists for the same event.

        Returns the job and whether this call created it. Saleor can deliver
        the same event more than once, so a second call with the same Saleor
        API URL, fulfillment id and event returns the first job unchanged.
        """
        values = {
            "saleor_api_url": saleor_api_url,
            "fulfillment_id": fulfillment_id,
            "order_id": order_id,
            "order_number": order_number,
            "event": event,
            "payload": payload,
        }
        with self._db.write("enqueuing job") as connection:
            created = _insert_new(connection, values, require_aware(now, "now"))
            job = _select_by_event(connection, saleor_api_url, fulfillment_id, event)
        _log_enqueued(job, created)
        return job, created

    def get_job(self, job_id: int) -> Job | None:
        """Return the job with this id, or None."""
        with self._db.read("reading job") as connection:
            row = connection.execute(select(jobs).where(jobs.c.id == job_id)).mappings()
            found = row.first()
        return None if found is None else job_from_row(found)

    def list_jobs(
        self,
        status: JobStatus | str | None = None,
        saleor_api_url: str | None = None,
        limit: int = 50,
    ) -> list[Job]:
        """Return up to ``limit`` jobs, newest first, optionally filtered."""
        query = select(jobs).order_by(jobs.c.created_at.desc(), jobs.c.id.desc())
        if status is not None:
            query = query.where(jobs.c.status == JobStatus(status).value)
        if saleor_api_url is not None:
            query = query.where(jobs.c.saleor_api_url == saleor_api_url)
        with self._db.read("listing jobs") as connection:
            rows = connection.execute(query.limit(limit)).mappings().all()
        return [job_from_row(row) for row in rows]

    def retry_job(self, job_id: int, now: dt.datetime) -> Job:
        """Queue a failed job again, due at ``now``, with a fresh attempt count.

        ``last_error`` is kept so the reason for the earlier failure stays
        visible until the next attempt overwrites it. ``result`` and
        ``finished_at`` are cleared. Raises RecordNotFound for an unknown id
        and JobStateError for a job that is not failed.
        """
        now = require_aware(now, "now")
        statement = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == JobStatus.FAILED.value)
            .values(
                status=JobStatus.QUEUED.value,
                attempts=0,
                next_attempt_at=now,
                result=None,
                finished_at=None,
            )
        )
        with self._db.write("retrying job") as connection:
            if connection.execute(statement).rowcount == 0:
                _raise_not_failed(connection, job_id)
            job = _select_by_id(connection, job_id)
        logger.info("store.job_retried job_id=%s", job_id)
        return job

    def count_jobs_by_status(self) -> dict[str, int]:
        """Return the number of jobs in each status, zero included."""
        query = select(jobs.c.status, func.count()).group_by(jobs.c.status)
        with self._db.read("counting jobs") as connection:
            counted = {status: count for status, count in connection.execute(query)}
        return {status.value: counted.get(status.value, 0) for status in JobStatus}

    def oldest_due_job_age(self, now: dt.datetime) -> float | None:
        """Return how many seconds the longest-waiting due job has waited, or None.

        A queued job has been due since its ``next_attempt_at``, and a running job
        whose lease lapsed has been due since ``lease_expires_at``.
        """
        now = require_aware(now, "now")
        queued = select(func.min(jobs.c.next_attempt_at)).where(queued_due(now))
        lapsed = select(func.min(jobs.c.lease_expires_at)).where(lease_lapsed(now))
        with self._db.read("measuring job queue age") as connection:
            due_since = [connection.scalar(queued), connection.scalar(lapsed)]
        oldest = min((time for time in due_since if time is not None), default=None)
        return None if oldest is None else (now - oldest).total_seconds()


def queued_due(now: dt.datetime) -> ColumnElement[bool]:
    """Condition: the job is queued and its next attempt is due."""
    return and_(jobs.c.status == JobStatus.QUEUED.value, jobs.c.next_attempt_at <= now)


def lease_lapsed(now: dt.datetime) -> ColumnElement[bool]:
    """Condition: the job is running but its lease has lapsed."""
    return and_(
        jobs.c.status == JobStatus.RUNNING.value, jobs.c.lease_expires_at <= now
    )


def lease_held(job_id: int, owner: str) -> ColumnElement[bool]:
    """Condition: the job is running under ``owner``'s lease."""
    return and_(
        jobs.c.id == job_id,
        jobs.c.status == JobStatus.RUNNING.value,
        jobs.c.lease_owner == owner,
    )


def update_leased(
    connection: Connection, job_id: int, owner: str, **values: Any
) -> None:
    """Update a job whose lease the caller holds, or raise LeaseLost."""
    statement = update(jobs).where(lease_held(job_id, owner)).values(**values)
    if connection.execute(statement).rowcount == 0:
        raise LeaseLost(job_id, owner)


def _insert_new(
    connection: Connection, values: dict[str, str], now: dt.datetime
) -> bool:
    statement = (
        conflict_insert(connection, jobs)
        .values(
            status=JobStatus.QUEUED.value,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            **values,
        )
        .on_conflict_do_nothing(
            index_elements=[jobs.c.saleor_api_url, jobs.c.fulfillment_id, jobs.c.event]
        )
        .returning(jobs.c.id)
    )
    # RETURNING yields no row when the conflict skipped the insert. The row
    # count is no guide: it came back as -1 with psycopg 3.3 and SQLAlchemy 2.1.
    return connection.execute(statement).first() is not None


def _select_by_event(
    connection: Connection, saleor_api_url: str, fulfillment_id: str, event: str
) -> Job:
    query = select(jobs).where(
        jobs.c.saleor_api_url == saleor_api_url,
        jobs.c.fulfillment_id == fulfillment_id,
        jobs.c.event == event,
    )
    return job_from_row(connection.execute(query).mappings().one())


def _select_by_id(connection: Connection, job_id: int) -> Job:
    query = select(jobs).where(jobs.c.id == job_id)
    return job_from_row(connection.execute(query).mappings().one())


def _raise_not_failed(connection: Connection, job_id: int) -> None:
    status = connection.scalar(select(jobs.c.status).where(jobs.c.id == job_id))
    if status is None:
        raise RecordNotFound(
            f"job {job_id} not found: `dr-distributor jobs list` shows the ids"
        )
    raise JobStateError(
        f"job {job_id} is {status}, not failed: only failed jobs can be retried"
    )


def _log_enqueued(job: Job, created: bool) -> None:
    event = "store.job_enqueued" if created else "store.job_duplicate"
    logger.info(
        "%s job_id=%s saleor_api_url=%s fulfillment_id=%s order_number=%s event=%s",
        event,
        job.id,
        job.saleor_api_url,
        job.fulfillment_id,
        job.order_number,
        job.event,
    )
