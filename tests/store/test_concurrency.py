"""Concurrent workers, each with its own Store on the same database."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from plugin.store import JobStatus, Store

API_URL = "https://shop.example.com/graphql/"
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
JOB_COUNT = 200
WORKER_COUNT = 2


def run_in_threads(count: int, target: Callable[[int], None]) -> list[BaseException]:
    """Start ``count`` threads at once on ``target(index)`` and return their errors."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        try:
            target(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_claimers_never_share_a_job(store, store_url):
    for index in range(JOB_COUNT):
        store.enqueue_job(
            API_URL, f"F{index}", "O", str(index), "fulfillment_created", "{}", T0
        )
    claimed: list[list[int]] = [[] for _ in range(WORKER_COUNT)]
    workers = [Store.open(store_url) for _ in range(WORKER_COUNT)]
    now = T0 + dt.timedelta(minutes=1)

    def work(index: int) -> None:
        owner = f"worker-{index}"
        while batch := workers[index].claim_jobs(owner, 3, 300, now):
            for job in batch:
                claimed[index].append(job.id)
                workers[index].complete_job(job.id, owner, None, now)
            time.sleep(0.001)  # let the other worker's thread in between batches

    errors = run_in_threads(WORKER_COUNT, work)
    for worker in workers:
        worker.close()

    assert errors == []
    all_claims = [job_id for worker_claims in claimed for job_id in worker_claims]
    assert len(all_claims) == JOB_COUNT
    assert len(set(all_claims)) == JOB_COUNT
    counts = store.count_jobs_by_status()
    assert counts[JobStatus.SUCCEEDED] == JOB_COUNT
    assert all(job.attempts == 1 for job in store.list_jobs(limit=JOB_COUNT))


def test_concurrent_enqueue_creates_one_job(store, store_url):
    created: list[bool] = []

    def deliver(index: int) -> None:
        with Store.open(store_url) as receiver:
            _, was_created = receiver.enqueue_job(
                API_URL, "F1", "O1", "1001", "fulfillment_created", "{}", T0
            )
            created.append(was_created)

    errors = run_in_threads(4, deliver)

    assert errors == []
    assert sorted(created) == [False, False, False, True]
    assert store.count_jobs_by_status()["queued"] == 1
