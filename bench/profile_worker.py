"""Time per step of a job: the worker against the sandbox, each step timed.

Wraps the store calls, the Digital River call and the planning of the
product's worker in timers (the product code is not changed, only wrapped
in this process) and runs it over ``--jobs`` jobs at ``--concurrency``.
With concurrency 1 the steps of one job do not overlap, so their times add up
to the time per job. The wrappers add a few microseconds per call.

    python -m bench.profile_worker --jobs 1000 --concurrency 1
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import functools
import inspect
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plugin.pipeline
import plugin.worker.runner
from bench.fixtures import make_deliveries, seed_orders, settings_data, write_json
from bench.inprocess import open_worker_state, run_worker_until_done
from bench.processes import hard_time_limit, start_sandbox
from bench.report import print_table, write_results
from bench.worker_throughput import UNLIMITED_RATE
from plugin.digitalriver.client import DigitalRiverClient
from plugin.sandbox.server import DEFAULT_API_KEY
from plugin.settings import parse_settings
from plugin.store import Store

STORE_STEPS = (
    "claim_jobs",
    "get_installation",
    "has_costs",
    "record_fulfillment",
    "complete_job",
)

seconds: collections.Counter[str] = collections.Counter()
calls: collections.Counter[str] = collections.Counter()


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``function`` wrapped to add its wall-clock time to ``seconds[name]``."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - started
                calls[name] += 1

        return timed_coroutine

    @functools.wraps(function)
    def timed_function(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[name] += time.perf_counter() - started
            calls[name] += 1

    return timed_function


def install_timers() -> None:
    for name in STORE_STEPS:
        setattr(Store, name, timed(f"store.{name}", getattr(Store, name)))
    DigitalRiverClient.create_fulfillment = timed(  # type: ignore[method-assign]
        "digitalriver.create_fulfillment", DigitalRiverClient.create_fulfillment
    )
    plugin.pipeline.plan_fulfillment = timed(
        "plan_fulfillment", plugin.pipeline.plan_fulfillment
    )
    runner = plugin.worker.runner
    runner.parse_fulfillment_created = timed(
        "parse_fulfillment_created", runner.parse_fulfillment_created
    )
    runner.JobRunner.run = timed("JobRunner.run (whole job)", runner.JobRunner.run)  # type: ignore[method-assign]


async def run(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    deliveries = make_deliveries(args.jobs, prefix="profile")
    seed = write_json(directory / "orders.json", seed_orders(deliveries))
    sandbox, url = start_sandbox(directory, "--orders", str(seed))
    settings = parse_settings(
        settings_data(url, DEFAULT_API_KEY, requests_per_second=UNLIMITED_RATE),
        environ={},
    )
    state = await asyncio.to_thread(
        open_worker_state, directory, settings, args.concurrency, deliveries
    )
    seconds.clear()
    calls.clear()
    cpu_started = time.process_time()
    worker_run = await run_worker_until_done(state, args.time_limit)
    cpu_per_job_ms = (time.process_time() - cpu_started) * 1000 / args.jobs
    sandbox.stop()
    steps = {
        name: {"calls": calls[name], "ms_per_job": round(total * 1000 / args.jobs, 3)}
        for name, total in seconds.most_common()
    }
    return {
        "jobs": args.jobs,
        "concurrency": args.concurrency,
        "jobs_per_second": round(worker_run.rate, 1),
        "wall_ms_per_job": round(worker_run.seconds * 1000 / args.jobs, 3),
        "cpu_ms_per_job": round(cpu_per_job_ms, 3),
        "steps": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs", type=int, default=1000, help="Jobs, one request each."
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, help="Jobs the worker runs at once."
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=300,
        help="Wall-clock limit of the run in seconds.",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="Also write bench/results/profile_worker_cN.json.",
    )
    args = parser.parse_args()

    logging.basicConfig(level=logging.ERROR)
    install_timers()
    with (
        tempfile.TemporaryDirectory(prefix="bench-profile-") as directory,
        hard_time_limit(args.time_limit + 60),
    ):
        figures = asyncio.run(run(args, Path(directory)))

    rows: list[tuple[str, object]] = [
        ("jobs/s", figures["jobs_per_second"]),
        ("wall ms per job", figures["wall_ms_per_job"]),
        ("process CPU ms per job", figures["cpu_ms_per_job"]),
    ]
    rows += [
        (f"{name} (ms per job)", step["ms_per_job"])
        for name, step in figures["steps"].items()
    ]
    print_table(f"Worker steps at concurrency {args.concurrency}", rows)
    if args.json:
        print(
            f"\nwrote {write_results(f'profile_worker_c{args.concurrency}', figures)}"
        )


if __name__ == "__main__":
    main()
