"""Webhook intake: signed deliveries against a bare Starlette endpoint.

The app runs as ``dr-distributor serve --no-worker`` (uvicorn, one process)
on a fresh store, registered through the Saleor test double. Each delivery
is verified, parsed and committed as a job before the response. The baseline is
``bench.bare_app``, served by uvicorn with the same arguments. Both get the
same pre-signed deliveries.

- Throughput: ``wrk`` (closed loop, one thread) for ``--duration`` seconds
  per round, rounds alternating which server goes first; medians reported.
- Latency: the open-loop generator of ``bench.openloop`` sends ``--rate``
  deliveries a second at fixed times and measures each response from its
  scheduled time, so a slow response cannot delay the next sends and hide itself.

    python -m bench.webhook_intake --rounds 3 --duration 8 --rate 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.app_process import (
    postgres_server,
    register,
    start_bare_app,
    start_serve,
    store_environment,
)
from bench.fixtures import make_deliveries, settings_data, write_json
from bench.openloop import run_open_loop
from bench.processes import BenchTimeout, hard_time_limit, process_cpu_seconds
from bench.report import machine_info, median, percentile, print_table, write_results
from plugin.app.config import WEBHOOK_PATH
from plugin.store import Store
from tests.support.postgres import PostgresServer
from tests.support.saleor_double import SaleorDouble

TARGET_RATIO = 0.5
TARGET_P99_MS = 25.0
LUA_SCRIPT = Path(__file__).resolve().parent / "deliveries.lua"

Signed = tuple[bytes, dict[str, str]]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--deliveries",
        type=int,
        default=15000,
        help="Distinct signed deliveries prepared.",
    )
    parser.add_argument(
        "--duration", type=int, default=8, help="Seconds of each wrk round."
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections.")
    parser.add_argument(
        "--rounds", type=int, default=3, help="Throughput rounds per server."
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=200,
        help="Offered deliveries per second in the latency run.",
    )
    parser.add_argument(
        "--latency-seconds", type=float, default=15, help="Length of each latency run."
    )
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=1,
        help="Start of each latency run left out of the percentiles.",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="Store of the app.",
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
        help="Also write bench/results/webhook_intake.json.",
    )
    return parser.parse_args()


def sign_all(saleor: SaleorDouble, count: int) -> list[Signed]:
    """Return ``count`` distinct deliveries with the headers Saleor sends."""
    return [
        (d.raw, saleor.webhook_headers(d.raw))
        for d in make_deliveries(count, prefix="intake")
    ]


def raw_requests(signed: list[Signed]) -> list[bytes]:
    """Return each delivery as the bytes of a complete HTTP/1.1 request."""
    requests = []
    for body, headers in signed:
        lines = [f"POST {WEBHOOK_PATH} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        requests.append(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    return requests


def write_wrk_requests(path: Path, requests: list[bytes]) -> None:
    """Write requests in the length-prefixed format of ``deliveries.lua``."""
    with path.open("wb") as file:
        for request in requests:
            file.write(f"{len(request):010d}".encode() + request)


def run_wrk(url: str, requests_path: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run wrk against ``url`` and return the figures its script prints."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed; on Debian: apt-get install wrk")
    env = {**os.environ, "BENCH_REQUESTS": str(requests_path), "BENCH_THREADS": "1"}
    argv = [
        wrk,
        "-t1",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "-s",
        str(LUA_SCRIPT),
        url + WEBHOOK_PATH,
    ]
    completed = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env=env,
        timeout=args.duration + 60,
        check=True,
    )
    line = next(
        line for line in completed.stdout.splitlines() if line.startswith("BENCH ")
    )
    figures: dict[str, Any] = json.loads(line.removeprefix("BENCH "))
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def latency_figures(
    url: str, requests: list[bytes], rate: float, warmup: int
) -> dict[str, Any]:
    """Send ``requests`` open-loop at ``rate`` a second; return latency figures."""
    address = httpx.URL(url)
    responses, connections = asyncio.run(
        run_open_loop(address.host, address.port or 80, requests, rate)
    )
    latencies = [response.latency * 1000 for response in responses[warmup:]]
    return {
        "sent": len(responses),
        "measured": len(latencies),
        "non_200": sum(1 for response in responses if response.status != 200),
        "connections": connections,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
    }


class Servers:
    """Starts the app (fresh store, registered) or the bare endpoint, one at a time."""

    def __init__(
        self,
        directory: Path,
        database: str,
        saleor: SaleorDouble,
        postgres: PostgresServer | None,
    ) -> None:
        self.directory = directory
        self.database = database
        self.saleor = saleor
        self.postgres = postgres
        self.env = store_environment()
        self.settings = write_json(
            directory / "settings.json",
            settings_data("http://127.0.0.1:9", "sk_test_unused"),
        )
        self.starts = 0

    def database_url(self) -> str:
        self.starts += 1
        if self.postgres is not None:
            return self.postgres.url(
                self.postgres.create_database(f"intake_{self.starts}")
            )
        return f"sqlite:///{self.directory / f'intake-{self.starts}.sqlite3'}"

    @contextlib.contextmanager
    def running(self, kind: str) -> Iterator[tuple[str, str | None, int]]:
        """Yield the URL of a started server, the app's database URL and the process id."""
        if kind == "bare":
            child, url = start_bare_app(self.directory)
            database_url = None
        else:
            database_url = self.database_url()
            child, url = start_serve(
                self.directory, database_url, self.settings, self.env
            )
            register(url, self.saleor)
        try:
            yield url, database_url, child.pid
        finally:
            child.stop()


def queued_jobs(database_url: str | None) -> int | None:
    """Return how many jobs the app committed, read from its store."""
    if database_url is None:
        return None
    with Store.open(database_url) as store:
        return store.count_jobs_by_status()["queued"]


def measure(
    args: argparse.Namespace, directory: Path, servers: Servers, requests: list[bytes]
) -> dict[str, Any]:
    requests_path = directory / "requests.bin"
    write_wrk_requests(requests_path, requests)
    throughput: dict[str, list[dict[str, Any]]] = {"bare": [], "app": []}
    for number in range(args.rounds):
        for kind in ["bare", "app"] if number % 2 == 0 else ["app", "bare"]:
            with servers.running(kind) as (url, database_url, pid):
                cpu_before = process_cpu_seconds(pid)
                figures = run_wrk(url, requests_path, args)
                cpu_used = process_cpu_seconds(pid) - cpu_before
            figures["server_cpu_ms_per_request"] = round(
                cpu_used * 1000 / figures["requests"], 3
            )
            figures["jobs_committed"] = queued_jobs(database_url)
            throughput[kind].append(figures)
            print(
                f"throughput round {number + 1} {kind:4}: {figures['rate']:8.1f} req/s  {figures}"
            )

    count = int(args.rate * args.latency_seconds)
    warmup = int(args.rate * args.warmup_seconds)
    latency = {}
    for kind in ("bare", "app"):
        with servers.running(kind) as (url, database_url, _):
            latency[kind] = latency_figures(url, requests[:count], args.rate, warmup)
        latency[kind]["jobs_committed"] = queued_jobs(database_url)
        print(f"latency {kind:4}: {latency[kind]}")
    return summarize(args, throughput, latency)


def summarize(
    args: argparse.Namespace,
    throughput: dict[str, list[dict[str, Any]]],
    latency: dict[str, Any],
) -> dict[str, Any]:
    bare = median([figures["rate"] for figures in throughput["bare"]])
    app = median([figures["rate"] for figures in throughput["app"]])
    cpu = {
        kind: median([figures["server_cpu_ms_per_request"] for figures in rounds])
        for kind, rounds in throughput.items()
    }
    return {
        "database": args.database,
        "server_cpu_ms_per_request_median": cpu,
        "connections": args.connections,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "bare_rate_median": round(bare, 1),
        "app_rate_median": round(app, 1),
        "ratio": round(app / bare, 3),
        "target_ratio": TARGET_RATIO,
        "offered_rate": args.rate,
        "latency": latency,
        "target_p99_ms": TARGET_P99_MS,
        "throughput_detail": throughput,
    }


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        stack.enter_context(hard_time_limit(args.time_limit))
        directory = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-intake-"))
        )
        saleor = stack.enter_context(SaleorDouble())
        postgres = (
            stack.enter_context(postgres_server())
            if args.database == "postgresql"
            else None
        )
        signed = sign_all(
            saleor, max(args.deliveries, int(args.rate * args.latency_seconds))
        )
        servers = Servers(directory, args.database, saleor, postgres)
        try:
            figures = measure(args, directory, servers, raw_requests(signed))
        except BenchTimeout as error:
            raise SystemExit(f"stopped: {error}") from None
    figures["machine"] = machine_info()
    figures["wall_seconds"] = round(time.monotonic() - started)
    app_latency = figures["latency"]["app"]
    print_table(
        "Webhook intake vs bare Starlette endpoint",
        [
            ("store", figures["database"]),
            ("bare endpoint (req/s, median)", figures["bare_rate_median"]),
            ("signed intake (req/s, median)", figures["app_rate_median"]),
            ("ratio (target >= 0.5)", figures["ratio"]),
            (
                "server CPU ms per request, bare / app",
                "{bare} / {app}".format(**figures["server_cpu_ms_per_request_median"]),
            ),
            (f"intake p50 at {args.rate:.0f}/s (ms)", app_latency["p50_ms"]),
            (
                f"intake p99 at {args.rate:.0f}/s (ms, target < 25)",
                app_latency["p99_ms"],
            ),
            (
                "bare p50 / p99 (ms)",
                f"{figures['latency']['bare']['p50_ms']} / {figures['latency']['bare']['p99_ms']}",
            ),
        ],
    )
    if args.json:
        print(f"\nwrote {write_results(f'webhook_intake_{args.database}', figures)}")


if __name__ == "__main__":
    main()
