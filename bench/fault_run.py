"""Fault run: fulfillments through ``serve`` and two workers while Digital River misbehaves.

The app runs as ``dr-distributor serve --no-worker`` plus ``--workers``
``dr-distributor worker`` processes on one store (PostgreSQL by default),
registered in the Saleor test double, which also receives the reports. The
sandbox returns 500 for a share of requests (``--error-rate``), 429 above
``--rate-limit`` requests/s while the workers together offer more, and
drops the connection after committing a share of fulfillments
(``--drop-rate``). A share of the deliveries is sent twice, half of them right
after the first copy and half later. Once ``--kill-at`` of the jobs have
ended, one worker is killed with SIGKILL and started again.

At the end the sandbox's request record must show exactly one fulfillment per
Saleor fulfillment and payout currency, and every job must have ended
succeeded or failed. The run stops by itself after ``--time-limit`` seconds
and reports what it has. Logs, settings and the seed stay in
``bench/results/fault_run/``.

    python -m bench.fault_run --count 10000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import time
from pathlib import Path
from typing import Any

import httpx

from bench.app_process import (
    postgres_server,
    register,
    start_serve,
    start_worker,
    store_environment,
)
from bench.fault_checks import check_digitalriver, check_jobs, check_saleor
from bench.fixtures import (
    Delivery,
    make_deliveries,
    seed_orders,
    settings_data,
    write_json,
)
from bench.inprocess import fetch_requests
from bench.processes import Child, hard_time_limit, start_sandbox
from bench.report import RESULTS_DIR, machine_info, print_table, write_results
from plugin.app.config import WEBHOOK_PATH
from plugin.sandbox.server import DEFAULT_API_KEY
from plugin.store import JobStatus, Store
from tests.support.saleor_double import SaleorDouble

RUN_DIR = RESULTS_DIR / "fault_run"
TEARDOWN_SECONDS = 120
"""Part of the time limit kept for stopping the processes and checking the results."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count", type=int, default=10000, help="Saleor fulfillments delivered."
    )
    parser.add_argument(
        "--duplicate-share",
        type=float,
        default=0.1,
        help="Share of fulfillments delivered twice.",
    )
    parser.add_argument(
        "--two-currency-every",
        type=int,
        default=5,
        help="Every Nth fulfillment also has a line paid in EUR.",
    )
    parser.add_argument(
        "--error-rate",
        type=float,
        default=0.1,
        help="Sandbox: share of requests that get 500.",
    )
    parser.add_argument(
        "--drop-rate",
        type=float,
        default=0.05,
        help="Sandbox: share of created fulfillments whose response is dropped.",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=40,
        help="Sandbox: requests/s admitted before 429.",
    )
    parser.add_argument(
        "--client-rate",
        type=float,
        default=25,
        help="requests_per_second of each worker's client.",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="dr-distributor worker processes."
    )
    parser.add_argument(
        "--kill-at",
        type=float,
        default=0.3,
        help="Share of ended jobs at which one worker gets SIGKILL.",
    )
    parser.add_argument(
        "--senders", type=int, default=8, help="Deliveries in flight at once."
    )
    parser.add_argument(
        "--database",
        choices=["postgresql", "sqlite"],
        default="postgresql",
        help="Store of the app.",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=7,
        help="Seed of the faults and of the duplicate order.",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=1200,
        help="Wall-clock limit of the run in seconds.",
    )
    parser.add_argument(
        "--json", action="store_true", help="Also write bench/results/fault_run.json."
    )
    return parser.parse_args()


def delivery_sequence(
    deliveries: list[Delivery], share: float, seed: int
) -> list[Delivery]:
    """Return the deliveries in sending order, ``share`` of them twice."""
    rng = random.Random(seed)
    keyed = [(float(index), delivery) for index, delivery in enumerate(deliveries)]
    twice = rng.sample(range(len(deliveries)), int(len(deliveries) * share))
    for number, index in enumerate(twice):
        later = 0.5 if number % 2 == 0 else rng.uniform(1, max(2, len(deliveries) / 5))
        keyed.append((index + later, deliveries[index]))
    keyed.sort(key=lambda pair: pair[0])
    return [delivery for _, delivery in keyed]


class Cluster:
    """The app's processes: ``serve --no-worker`` and the workers."""

    def __init__(self, database_url: str, settings_path: Path, workers: int) -> None:
        self.database_url = database_url
        self.settings_path = settings_path
        self.env = store_environment()
        self.workers: list[Child] = []
        self.worker_count = workers
        self.app_url = ""
        self.serve: Child | None = None

    def start(self, saleor: SaleorDouble) -> None:
        self.serve, self.app_url = start_serve(
            RUN_DIR, self.database_url, self.settings_path, self.env
        )
        register(self.app_url, saleor)
        for number in range(1, self.worker_count + 1):
            self.workers.append(self._worker(f"worker-{number}"))

    def _worker(self, name: str) -> Child:
        return start_worker(
            RUN_DIR, self.database_url, self.settings_path, self.env, name
        )

    def kill_and_restart(self, store: Store) -> dict[str, Any]:
        """SIGKILL the first worker, count the jobs it held, start it again."""
        victim = self.workers[0]
        victim.kill()
        running = store.list_jobs(status=JobStatus.RUNNING, limit=10000)
        held = [
            job.id for job in running if f":{victim.pid}:" in (job.lease_owner or "")
        ]
        time.sleep(2)
        self.workers[0] = self._worker("worker-1-restarted")
        return {"killed_pid": victim.pid, "jobs_held_when_killed": len(held)}

    def stop(self) -> None:
        for child in [*self.workers, self.serve]:
            if child is not None:
                child.stop(timeout=40)


class Delivering:
    """Sends the deliveries, retrying failures a few times as Saleor would."""

    RETRY_DELAYS = (0.5, 1, 2, 4, 8)

    def __init__(self, app_url: str, saleor: SaleorDouble) -> None:
        self.url = app_url + WEBHOOK_PATH
        self.saleor = saleor
        self.sent = 0
        self.duplicates_answered = 0
        self.retried = 0
        self.given_up = 0

    async def run(self, sequence: list[Delivery], senders: int) -> None:
        pending = iter(sequence)
        async with httpx.AsyncClient(timeout=30) as client:

            async def send_pending() -> None:
                for delivery in pending:
                    await self._send(client, delivery)

            await asyncio.gather(*(send_pending() for _ in range(senders)))

    async def _send(self, client: httpx.AsyncClient, delivery: Delivery) -> None:
        headers = self.saleor.webhook_headers(delivery.raw)
        for delay in (*self.RETRY_DELAYS, None):
            with contextlib.suppress(httpx.HTTPError):
                response = await client.post(
                    self.url, content=delivery.raw, headers=headers
                )
                if response.status_code == 200:
                    self.sent += 1
                    self.duplicates_answered += bool(response.json().get("duplicate"))
                    return
            if delay is None:
                self.given_up += 1
                return
            self.retried += 1
            await asyncio.sleep(delay)


async def supervise(
    args: argparse.Namespace,
    store: Store,
    cluster: Cluster,
    delivering: asyncio.Task[None],
    deadline: float,
) -> dict[str, Any]:
    """Wait until every job has ended, killing and restarting one worker on the way."""
    started = time.monotonic()
    kill: dict[str, Any] = {}
    next_report = started
    while True:
        await asyncio.sleep(1)
        counts = await asyncio.to_thread(store.count_jobs_by_status)
        ended = counts["succeeded"] + counts["failed"]
        elapsed = time.monotonic() - started
        if not kill and ended >= args.kill_at * args.count:
            kill = await asyncio.to_thread(cluster.kill_and_restart, store)
            kill["at_s"] = round(elapsed, 1)
            print(
                f"{elapsed:6.0f} s  killed worker pid {kill['killed_pid']} holding {kill['jobs_held_when_killed']} jobs; restarted"
            )
        if time.monotonic() >= next_report:
            print(f"{elapsed:6.0f} s  jobs {counts}")
            next_report += 15
        if (
            delivering.done()
            and sum(counts.values()) >= args.count
            and ended == sum(counts.values())
        ):
            return {"finished": True, "run_seconds": round(elapsed, 1), "kill": kill}
        if time.monotonic() > deadline:
            print(f"{elapsed:6.0f} s  time limit reached with jobs {counts}")
            return {"finished": False, "run_seconds": round(elapsed, 1), "kill": kill}


async def drive(
    args: argparse.Namespace,
    saleor: SaleorDouble,
    cluster: Cluster,
    sequence: list[Delivery],
    deadline: float,
) -> dict[str, Any]:
    delivering = Delivering(cluster.app_url, saleor)
    task = asyncio.create_task(delivering.run(sequence, args.senders))
    with Store.open(cluster.database_url) as store:
        outcome = await supervise(args, store, cluster, task, deadline)
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    elif task.exception() is not None:
        outcome["delivery_error"] = repr(task.exception())
        print(f"sending the deliveries failed: {outcome['delivery_error']}")
    outcome["deliveries"] = {
        "sent": len(sequence),
        "answered_200": delivering.sent,
        "answered_duplicate": delivering.duplicates_answered,
        "retried": delivering.retried,
        "given_up": delivering.given_up,
    }
    return outcome


def prepare(
    args: argparse.Namespace, saleor: SaleorDouble
) -> tuple[list[Delivery], Path, Path]:
    """Make the deliveries, register them in the double, write the seed and settings files."""
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    RUN_DIR.mkdir(parents=True)
    deliveries = make_deliveries(
        args.count, two_currency_every=args.two_currency_every, prefix="fault"
    )
    for delivery in deliveries:
        saleor.add_from_payload(delivery.body)
    return (
        deliveries,
        write_json(RUN_DIR / "orders.json", seed_orders(deliveries)),
        RUN_DIR / "settings.json",
    )


def sandbox_options(args: argparse.Namespace, seed_path: Path) -> list[str]:
    return [
        "--orders", str(seed_path), "--subfulfiller", "dist-usd", "--subfulfiller", "dist-eur",
        "--error-rate", str(args.error_rate), "--drop-rate", str(args.drop_rate),
        "--rate-limit", str(args.rate_limit), "--seed", str(args.seed),
    ]  # fmt: skip


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    deadline = time.monotonic() + args.time_limit - TEARDOWN_SECONDS
    saleor = stack.enter_context(SaleorDouble())
    deliveries, seed_path, settings_path = prepare(args, saleor)
    sandbox, sandbox_url = start_sandbox(RUN_DIR, *sandbox_options(args, seed_path))
    write_json(
        settings_path,
        settings_data(
            sandbox_url, DEFAULT_API_KEY, requests_per_second=args.client_rate
        ),
    )
    if args.database == "postgresql":
        postgres = stack.enter_context(postgres_server())
        database_url = postgres.url(postgres.create_database("fault_run"))
    else:
        database_url = f"sqlite:///{RUN_DIR / 'app.sqlite3'}"

    cluster = Cluster(database_url, settings_path, args.workers)
    stack.callback(cluster.stop)
    cluster.start(saleor)
    sequence = delivery_sequence(deliveries, args.duplicate_share, args.seed)
    print(f"delivering {len(sequence)} webhooks for {len(deliveries)} fulfillments")
    figures = asyncio.run(drive(args, saleor, cluster, sequence, deadline))

    cluster.stop()
    records = asyncio.run(fetch_requests(sandbox_url))
    sandbox.stop()
    figures["digitalriver"] = check_digitalriver(records, deliveries)
    with Store.open(database_url) as store:
        figures["jobs"] = check_jobs(store, len(deliveries))
    figures["saleor"] = check_saleor(saleor, deliveries)
    return figures


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        stack.enter_context(hard_time_limit(args.time_limit + 60))
        figures = run(args, stack)
    figures["settings"] = {
        key: value for key, value in vars(args).items() if key != "json"
    }
    figures["wall_seconds"] = round(time.monotonic() - started)
    figures["machine"] = machine_info()
    dr, jobs = figures["digitalriver"], figures["jobs"]
    print_table(
        "Fault run",
        [
            ("finished before the time limit", figures["finished"]),
            (
                "fulfillments / webhooks sent",
                f"{args.count} / {figures['deliveries']['sent']}",
            ),
            ("jobs by status", jobs["jobs_by_status"]),
            (
                "DR requests / 429 / 5xx / dropped after commit",
                f"{dr['requests']} / {dr['status_429']} / {dr['status_5xx']} / {dr['dropped_after_commit']}",
            ),
            (
                "DR fulfillments expected / created",
                f"{dr['fulfillments_expected']} / {dr['fulfillments_created']}",
            ),
            (
                "missing / duplicated / unexpected",
                f"{dr['fulfillments_missing']} / {dr['fulfillments_duplicated']} / {dr['fulfillments_unexpected']}",
            ),
            ("worker SIGKILL", figures["kill"]),
            (
                "Saleor status metadata",
                figures["saleor"]["fulfillment_status_metadata"],
            ),
            (
                "run / wall seconds",
                f"{figures['run_seconds']} / {figures['wall_seconds']}",
            ),
        ],
    )
    if jobs["failed_examples"]:
        print("failed jobs:", *jobs["failed_examples"], sep="\n  ")
    if args.json:
        print(f"\nwrote {write_results('fault_run', figures)}")


if __name__ == "__main__":
    main()
