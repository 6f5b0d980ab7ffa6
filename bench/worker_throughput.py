"""Worker throughput against the sandbox, next to a bare httpx loop.

Both sides send the same ``POST /fulfillments`` bodies, at the same
concurrency, to one sandbox in its own process. The bare side is an
``httpx.AsyncClient`` shared by a few tasks. The worker side is the
product's worker on a fresh SQLite store (claim, parse, route, send, ledger,
complete) without Saleor reporting, and its client's rate limit is set far
above what it reaches. Rounds alternate which side goes first, and the
medians are reported.

    python -m bench.worker_throughput --jobs 2000 --concurrency 8 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.fixtures import (
    Delivery,
    make_deliveries,
    seed_orders,
    settings_data,
    write_json,
)
from bench.inprocess import (
    SALEOR_API_URL,
    fetch_requests,
    open_worker_state,
    reset_sandbox,
    run_worker_until_done,
)
from bench.processes import hard_time_limit, start_sandbox
from bench.report import machine_info, median, print_table, write_results
from hooks import create_plugin_manager
from plugin.context import PipelineContext
from plugin.digitalriver._setup import default_headers
from plugin.digitalriver.client import DigitalRiverClient
from plugin.routing import plan_fulfillment
from plugin.saleor.payload import parse_fulfillment_created
from plugin.sandbox.server import DEFAULT_API_KEY
from plugin.settings import Settings, parse_settings

TARGET_RATIO = 0.8
UNLIMITED_RATE = 1000.0
"""Client-side requests per second: the most the settings accept, far above the worker's rate."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs", type=int, default=2000, help="Requests per side and round."
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="Requests in flight on each side."
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="Measured rounds per side."
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=200,
        help="Requests per side before the rounds, not measured.",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="Seconds the sandbox waits before each response.",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=900,
        help="Wall-clock limit of the run in seconds.",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="Also write bench/results/worker_throughput.json.",
    )
    return parser.parse_args()


async def planned_bodies(deliveries: list[Delivery], settings: Settings) -> list[str]:
    """Return the request body the worker sends for each delivery, from its own planner."""
    bodies = []
    async with DigitalRiverClient(settings.digitalriver) as client:
        context = PipelineContext(
            settings=settings,
            digitalriver=client,
            plugin_manager=create_plugin_manager(load_entry_points=False),
            saleor_api_url=SALEOR_API_URL,
        )
        for delivery in deliveries:
            drafts = await plan_fulfillment(
                parse_fulfillment_created(delivery.raw), context
            )
            bodies.extend(draft.request.to_json() for draft in drafts)
    return bodies


async def bare_round(url: str, bodies: list[str], concurrency: int) -> dict[str, Any]:
    """POST every body with ``concurrency`` tasks sharing one client."""
    statuses: collections.Counter[int] = collections.Counter()
    pending = iter(bodies)
    headers = default_headers(DEFAULT_API_KEY, None)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:

        async def post_pending() -> None:
            for body in pending:
                response = await client.post("/fulfillments", content=body)
                statuses[response.status_code] += 1

        started = time.perf_counter()
        await asyncio.gather(*(post_pending() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rate": len(bodies) / seconds,
        "statuses": dict(statuses),
    }


async def worker_round(
    directory: Path,
    settings: Settings,
    deliveries: list[Delivery],
    concurrency: int,
    time_limit: float,
) -> dict[str, Any]:
    """Run the worker over one job per delivery on a fresh store."""
    state = await asyncio.to_thread(
        open_worker_state, directory, settings, concurrency, deliveries
    )
    run = await run_worker_until_done(state, time_limit)
    return {
        "seconds": run.seconds,
        "rate": run.rate,
        "statuses": run.counts,
        "timed_out": run.timed_out,
    }


async def created_count(url: str) -> int:
    """Return how many POST /fulfillments got 201 from the sandbox since its reset."""
    records = await fetch_requests(url)
    return sum(
        1
        for record in records
        if record["method"] == "POST" and record["status"] == 201
    )


async def run(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    deliveries = make_deliveries(max(args.jobs, args.warmup))
    seed = write_json(directory / "orders.json", seed_orders(deliveries))
    options = ["--orders", str(seed), "--latency", str(args.latency)]
    sandbox, url = start_sandbox(directory, *options)
    settings = parse_settings(
        settings_data(url, DEFAULT_API_KEY, requests_per_second=UNLIMITED_RATE),
        environ={},
    )
    bodies = await planned_bodies(deliveries, settings)
    deadline = time.monotonic() + args.time_limit

    await bare_round(url, bodies[: args.warmup], args.concurrency)
    await reset_sandbox(url)
    await worker_round(
        directory, settings, deliveries[: args.warmup], args.concurrency, 60
    )
    await reset_sandbox(url)

    rounds: dict[str, list[dict[str, Any]]] = {"bare": [], "worker": []}
    for number in range(args.rounds):
        order = ["bare", "worker"] if number % 2 == 0 else ["worker", "bare"]
        for side in order:
            remaining = deadline - time.monotonic()
            if side == "bare":
                result = await bare_round(url, bodies[: args.jobs], args.concurrency)
            else:
                result = await worker_round(
                    directory,
                    settings,
                    deliveries[: args.jobs],
                    args.concurrency,
                    remaining,
                )
            result["created"] = await created_count(url)
            await reset_sandbox(url)
            rounds[side].append(result)
            print(
                f"round {number + 1} {side:6}: {result['rate']:8.1f} req/s  {result['statuses']}  created={result['created']}"
            )
    sandbox.stop()
    return summarize(args, rounds)


def summarize(
    args: argparse.Namespace, rounds: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    bare = median([result["rate"] for result in rounds["bare"]])
    worker = median([result["rate"] for result in rounds["worker"]])
    complete = all(
        result["created"] == args.jobs for side in rounds.values() for result in side
    )
    return {
        "jobs": args.jobs,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "sandbox_latency_s": args.latency,
        "bare_rate_median": round(bare, 1),
        "worker_rate_median": round(worker, 1),
        "ratio": round(worker / bare, 3),
        "target_ratio": TARGET_RATIO,
        "every_request_created": complete,
        "rounds_detail": rounds,
    }


def results_name(args: argparse.Namespace) -> str:
    if args.latency == 0:
        return "worker_throughput"
    return f"worker_throughput_latency{round(args.latency * 1000)}ms"


def main() -> None:
    args = parse_args()
    logging.basicConfig(level=logging.ERROR)
    with (
        tempfile.TemporaryDirectory(prefix="bench-worker-") as directory,
        hard_time_limit(args.time_limit + 120),
    ):
        figures = asyncio.run(run(args, Path(directory)))
    figures["machine"] = machine_info()
    print_table(
        "Worker throughput vs bare httpx loop (median of rounds)",
        [
            ("jobs per round", figures["jobs"]),
            ("concurrency", figures["concurrency"]),
            ("sandbox latency (s)", figures["sandbox_latency_s"]),
            ("bare httpx loop (req/s)", figures["bare_rate_median"]),
            ("worker (jobs/s)", figures["worker_rate_median"]),
            ("ratio (target >= 0.8)", figures["ratio"]),
            ("every request created once", figures["every_request_created"]),
        ],
    )
    if args.json:
        print(f"\nwrote {write_results(results_name(args), figures)}")


if __name__ == "__main__":
    main()
