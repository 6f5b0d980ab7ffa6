"""The worker: claims due jobs under a lease and runs them concurrently.

A claimed job's lease is extended while it runs, so only a crashed worker's
jobs are taken over, once their lease expires. On stop the worker claims
nothing more, gives running jobs ``grace_seconds`` to finish, and releases the
rest so another worker can take them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from random import Random
from typing import Any

from starlette.concurrency import run_in_threadpool

from plugin.app.metrics import JOB_OUTCOMES
from plugin.app.state import AppState
from plugin.context import utc_now
from plugin.store import Job, LeaseLost, StoreError
from plugin.worker.clients import ClientPool
from plugin.worker.leases import LeaseKeeper
from plugin.worker.runner import JobRunner

__all__ = ["Worker", "worker_name"]

logger = logging.getLogger(__name__)


def worker_name() -> str:
    """Return a name unique to this worker: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Runs jobs from the store until stopped."""

    def __init__(
        self,
        state: AppState,
        *,
        owner: str | None = None,
        grace_seconds: float = 20.0,
        random: Random | None = None,
    ) -> None:
        self.state = state
        self.owner = owner or worker_name()
        self.grace_seconds = grace_seconds
        self.clients = ClientPool()
        self.runner = JobRunner(state, self.clients, self.owner, random or Random())
        self._stop = asyncio.Event()
        self._leases = LeaseKeeper(state.store, self.owner, state.config.lease_seconds)
        self._tasks: set[asyncio.Task[None]] = set()

    def stop(self) -> None:
        """Ask the worker to stop claiming and to wind down."""
        self._stop.set()

    async def run(self) -> None:
        """Claim and run jobs until ``stop`` is called, then wind down."""
        config = self.state.config
        logger.info(
            "worker.started owner=%s concurrency=%s",
            self.owner,
            config.worker_concurrency,
        )
        self._leases.start()
        try:
            while not self._stop.is_set():
                claimed = await self.run_once()
                if not claimed:
                    await self._idle(config.poll_seconds)
        finally:
            await self._wind_down()
            self._leases.stop()
            await self.clients.aclose()
            logger.info("worker.stopped owner=%s", self.owner)

    async def run_once(self) -> int:
        """Claim as many due jobs as there are free slots and start them."""
        free = self.state.config.worker_concurrency - len(self._tasks)
        if free <= 0:
            return 0
        try:
            jobs = await run_in_threadpool(
                self.state.store.claim_jobs,
                self.owner,
                free,
                self.state.config.lease_seconds,
                utc_now(),
            )
        except StoreError as error:
            logger.error("worker.claim_failed owner=%s error=%s", self.owner, error)
            return 0
        for job in jobs:
            task = asyncio.create_task(self._run_job(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(jobs)

    async def drain(self) -> None:
        """Wait until every started job has finished (for tests and one-shot runs)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _idle(self, seconds: float) -> None:
        stop = asyncio.create_task(self._stop.wait())
        waiters: list[asyncio.Task[Any]] = [stop, *self._tasks]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait(
                waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
            )
        if not stop.done():
            stop.cancel()

    async def _run_job(self, job: Job) -> None:
        self._leases.add(job.id)
        try:
            await self.runner.run(job)
        except asyncio.CancelledError:
            await asyncio.shield(self._release(job))
            raise
        except LeaseLost:
            logger.warning(
                "job.lease_lost job=%s owner=%s: another worker took it over",
                job.id,
                self.owner,
            )
        except Exception:
            logger.exception(
                "job.crashed job=%s order=%s fulfillment=%s",
                job.id,
                job.order_number,
                job.fulfillment_id,
            )
            await self._fail_crashed(job)
        finally:
            self._leases.discard(job.id)

    async def _release(self, job: Job) -> None:
        try:
            await run_in_threadpool(self.state.store.release_job, job.id, self.owner)
            JOB_OUTCOMES.labels(result="released").inc()
            logger.info("job.released job=%s order=%s", job.id, job.order_number)
        except StoreError as error:
            logger.error("job.release_failed job=%s error=%s", job.id, error)

    async def _fail_crashed(self, job: Job) -> None:
        message = "internal error while processing the job; see the worker's log, then retry it"
        try:
            await run_in_threadpool(
                self.state.store.fail_job, job.id, self.owner, message, utc_now()
            )
        except StoreError as error:
            logger.error("job.fail_failed job=%s error=%s", job.id, error)

    async def _wind_down(self) -> None:
        if not self._tasks:
            return
        logger.info(
            "worker.winding_down owner=%s running=%s", self.owner, len(self._tasks)
        )
        _, pending = await asyncio.wait(list(self._tasks), timeout=self.grace_seconds)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
