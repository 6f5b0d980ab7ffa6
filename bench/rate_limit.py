"""Rate-limit adherence: the worker against a sandbox that returns 429 above N requests/s.

The sandbox (its own process, ``--rate-limit N``) admits N requests in any
sliding one-second window and returns 429 with ``Retry-After`` for the rest. The
worker's client is set to ``requests_per_second = N``. The achieved rate is
read from the sandbox's request record: admitted ``POST /fulfillments`` from
the first to the last, per second. Every 429 the sandbox sent is counted.

    python -m bench.rate_limit --jobs 2000 --rate 25
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from bench.fixtures import make_deliveries, seed_orders, settings_data, write_json
from bench.inprocess import fetch_requests, open_worker_state, run_worker_until_done
from bench.processes import hard_time_limit, start_sandbox
from bench.report import machine_info, print_table, write_results
from plugin.sandbox.server import DEFAULT_API_KEY
from plugin.settings import parse_settings

TARGET_SHARE = 0.95


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs", type=int, default=2000, help="Jobs, one request each."
    )
    parser.add_argument(
        "--rate",
        type=int,
        default=25,
        help="N: the sandbox's limit and the client's requests_per_second.",
    )
    parser.add_argument(
        "--client-rate",
        type=float,
        default=None,
        help="Client's requests_per_second if not N, to try a margin.",
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="Jobs the worker runs at once."
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=300,
        help="Wall-clock limit of the run in seconds.",
    )
    parser.add_argument(
        "--json", action="store_true", help="Also write bench/results/rate_limit.json."
    )
    return parser.parse_args()


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """Return the most requests in any half-open window of ``window`` seconds."""
    most = 0
    for index, start in enumerate(times):
        end = bisect.bisect_left(times, start + window)
        most = max(most, end - index)
    return most


def analyse(records: list[dict[str, Any]], rate: int) -> dict[str, Any]:
    """Return the achieved rate and the 429s from the sandbox's request record."""
    posts = [record for record in records if record["method"] == "POST"]
    admitted = sorted(
        dt.datetime.fromisoformat(str(record["time"])).timestamp()
        for record in posts
        if record["status"] != 429
    )
    span = admitted[-1] - admitted[0] if len(admitted) > 1 else 0.0
    achieved = (len(admitted) - 1) / span if span > 0 else 0.0
    return {
        "requests": len(records),
        "posts_admitted": len(admitted),
        "status_429": sum(1 for record in records if record["status"] == 429),
        "span_s": round(span, 2),
        "achieved_rate": round(achieved, 2),
        "share_of_limit": round(achieved / rate, 4),
        "max_admitted_in_1s_window": max_in_window(admitted),
    }


def client_rate(args: argparse.Namespace) -> float:
    return float(args.rate if args.client_rate is None else args.client_rate)


async def run(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    deliveries = make_deliveries(args.jobs, prefix="ratelimit")
    seed = write_json(directory / "orders.json", seed_orders(deliveries))
    sandbox, url = start_sandbox(
        directory, "--orders", str(seed), "--rate-limit", str(args.rate)
    )
    settings = parse_settings(
        settings_data(url, DEFAULT_API_KEY, requests_per_second=client_rate(args)),
        environ={},
    )
    state = await asyncio.to_thread(
        open_worker_state, directory, settings, args.concurrency, deliveries
    )
    worker_run = await run_worker_until_done(state, args.time_limit)
    records = await fetch_requests(url)
    sandbox.stop()
    figures = analyse(records, args.rate)
    figures.update(
        jobs=args.jobs,
        limit=args.rate,
        client_rate=client_rate(args),
        concurrency=args.concurrency,
        jobs_by_status=worker_run.counts,
        worker_seconds=round(worker_run.seconds, 2),
        timed_out=worker_run.timed_out,
        target_share=TARGET_SHARE,
    )
    return figures


def main() -> None:
    args = parse_args()
    # The client logs every 429 retry as a warning; the figures count them.
    logging.basicConfig(level=logging.ERROR)
    with (
        tempfile.TemporaryDirectory(prefix="bench-ratelimit-") as directory,
        hard_time_limit(args.time_limit + 120),
    ):
        figures = asyncio.run(run(args, Path(directory)))
    figures["machine"] = machine_info()
    print_table(
        f"Rate-limit adherence at N = {args.rate} requests/s",
        [
            ("jobs", figures["jobs"]),
            ("client requests_per_second", figures["client_rate"]),
            ("jobs by status", figures["jobs_by_status"]),
            ("admitted POSTs", figures["posts_admitted"]),
            ("achieved rate (req/s)", figures["achieved_rate"]),
            ("share of N (target >= 0.95)", figures["share_of_limit"]),
            ("429 responses (target 0)", figures["status_429"]),
            ("most admitted in any 1 s window", figures["max_admitted_in_1s_window"]),
        ],
    )
    if args.json:
        print(f"\nwrote {write_results('rate_limit', figures)}")


if __name__ == "__main__":
    main()
