"""The product's worker run inside the benchmark process, on a fresh store.

The worker is the one ``dr-distributor worker`` runs, with the same store
calls, pipeline and Digital River client. Its plugin manager has no Saleor
reporter, because the benchmarks that use it compare the Digital River side
with a bare HTTP loop, which sends no reports either.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.fixtures import Delivery
from hooks import create_plugin_manager
from plugin.app.config import AppConfig
from plugin.app.state import AppState
from plugin.context import utc_now
from plugin.saleor.jwks import JwksCache
from plugin.settings import Settings
from plugin.store import Store
from plugin.worker.loop import Worker

__all__ = [
    "SALEOR_API_URL",
    "WorkerRun",
    "fetch_requests",
    "open_worker_state",
    "reset_sandbox",
    "run_worker_until_done",
]

SALEOR_API_URL = "http://127.0.0.1:9/graphql/"
"""Installation URL of the jobs, never contacted because nothing reports to Saleor."""

EVENT = "fulfillment_created"


@dataclass
class WorkerRun:
    """Outcome of a worker run: jobs by status and the seconds they took."""

    jobs: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    timed_out: bool = False

    @property
    def rate(self) -> float:
        """Jobs finished per second."""
        finished = self.counts.get("succeeded", 0) + self.counts.get("failed", 0)
        return finished / self.seconds if self.seconds > 0 else 0.0


def open_worker_state(
    directory: Path, settings: Settings, concurrency: int, deliveries: list[Delivery]
) -> AppState:
    """Return app state on a new SQLite store holding one queued job per delivery."""
    database_url = f"sqlite:///{directory / f'worker-{time.monotonic_ns()}.sqlite3'}"
    store = Store.open(database_url)
    store.save_installation(SALEOR_API_URL, "QXBwOjE=", "bench-token")
    now = utc_now()
    for delivery in deliveries:
        store.enqueue_job(
            SALEOR_API_URL,
            delivery.fulfillment_id,
            delivery.body["order"]["id"],
            delivery.body["order"]["number"],
            EVENT,
            delivery.raw.decode(),
            now,
        )
    config = AppConfig(database_url=database_url, worker_concurrency=concurrency)
    return AppState(
        config=config,
        store=store,
        jwks=JwksCache(),
        plugin_manager=create_plugin_manager(load_entry_points=False),
        default_settings=settings,
    )


async def run_worker_until_done(state: AppState, time_limit: float) -> WorkerRun:
    """Run the worker until no job is queued or running, or ``time_limit`` passes.

    The time runs from the worker's start to the latest ``finished_at`` in
    the store, so the polling below adds nothing to it.
    """
    worker = Worker(state)
    started = utc_now()
    task = asyncio.create_task(worker.run())
    deadline = time.monotonic() + time_limit
    timed_out = False
    while True:
        await asyncio.sleep(0.1)
        counts = await asyncio.to_thread(state.store.count_jobs_by_status)
        if counts["queued"] + counts["running"] == 0:
            break
        if time.monotonic() > deadline or task.done():
            timed_out = True
            break
    worker.stop()
    await task
    await state.jwks.aclose()

    jobs = await asyncio.to_thread(state.store.list_jobs, limit=10**7)
    state.store.close()
    finished = [job.finished_at for job in jobs if job.finished_at is not None]
    end = max(finished, default=utc_now())
    seconds = (_aware(end) - started).total_seconds()
    return WorkerRun(len(jobs), seconds, counts, timed_out)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


async def reset_sandbox(url: str) -> None:
    """Drop the sandbox's fulfillments and request record, giving orders all units back."""
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(f"{url}/_sandbox/reset")
        response.raise_for_status()


async def fetch_requests(url: str) -> list[dict[str, object]]:
    """Return every request the sandbox received on a Digital River path."""
    async with httpx.AsyncClient(timeout=300) as client:
        response = await client.get(f"{url}/_sandbox/requests")
        response.raise_for_status()
        data: list[dict[str, object]] = response.json()["data"]
        return data
