"""Recent fulfillments: the installation's latest jobs, and retrying a failed one."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from plugin.dashboard.auth import DashboardContext
from plugin.dashboard.http import ApiError, json_response
from plugin.store import Job, JobStateError, JobStatus, RecordNotFound

__all__ = ["dr_fulfillment_ids", "get_jobs", "job_json", "retry_job"]

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


async def get_jobs(request: Request, context: DashboardContext) -> Response:
    """``GET /api/dashboard/jobs?status=&limit=``: the latest jobs, newest first."""
    status = _status(request.query_params.get("status"))
    limit = _limit(request.query_params.get("limit"))
    jobs = await run_in_threadpool(
        context.state.store.list_jobs,
        status,
        context.installation.saleor_api_url,
        limit,
    )
    return json_response({"jobs": [job_json(job) for job in jobs]})


async def retry_job(request: Request, context: DashboardContext) -> Response:
    """``POST /api/dashboard/jobs/{id}/retry``: queue a failed job again."""
    job_id: int = request.path_params["id"]
    store = context.state.store
    job = await run_in_threadpool(store.get_job, job_id)
    # A job of another Saleor gets the same 404 as a missing one, so ids reveal nothing.
    if job is None or job.saleor_api_url != context.installation.saleor_api_url:
        raise ApiError(
            404, f"job {job_id} not found: refresh the list of recent fulfillments"
        )
    try:
        job = await run_in_threadpool(store.retry_job, job_id, dt.datetime.now(dt.UTC))
    except RecordNotFound:
        raise ApiError(
            404, f"job {job_id} not found: refresh the list of recent fulfillments"
        ) from None
    except JobStateError as error:
        raise ApiError(409, str(error)) from None
    logger.info(
        "dashboard.job_retried job_id=%s saleor_api_url=%s fulfillment_id=%s user_id=%s",
        job_id,
        job.saleor_api_url,
        job.fulfillment_id,
        context.user.user_id,
    )
    return json_response({"job": job_json(job)})


def job_json(job: Job) -> dict[str, Any]:
    """Return what the page shows of a job; the webhook payload stays out."""
    return {
        "id": job.id,
        "status": job.status.value,
        "event": job.event,
        "order_id": job.order_id,
        "order_number": job.order_number,
        "fulfillment_id": job.fulfillment_id,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "next_attempt_at": job.next_attempt_at.isoformat(),
        "finished_at": None if job.finished_at is None else job.finished_at.isoformat(),
        "last_error": job.last_error,
        "dr_fulfillment_ids": dr_fulfillment_ids(job.result),
    }


def dr_fulfillment_ids(result: str | None) -> list[str]:
    """Return the Digital River fulfillment ids in a job's result JSON.

    The worker stores a ``FulfillmentOutcome``, whose ``sent`` list contains one
    entry with a ``dr_fulfillment_id`` per request Digital River accepted.
    """
    if not result:
        return []
    try:
        data = json.loads(result)
    except ValueError:
        return []
    sent = data.get("sent") if isinstance(data, dict) else None
    if not isinstance(sent, list):
        return []
    ids = (entry.get("dr_fulfillment_id") for entry in sent if isinstance(entry, dict))
    return [value for value in ids if isinstance(value, str)]


def _status(value: str | None) -> JobStatus | None:
    if not value:
        return None
    try:
        return JobStatus(value)
    except ValueError:
        names = ", ".join(status.value for status in JobStatus)
        raise ApiError(400, f"invalid status {value!r}: use one of {names}") from None


def _limit(value: str | None) -> int:
    if not value:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(
            400, f"invalid limit {value!r}: use a whole number from 1 to {MAX_LIMIT}"
        )
    return limit
