"""Cost of ``claim_jobs`` as the queue of due jobs grows.

Fills a fresh store with N queued jobs, all due, then times ``claim_jobs``
with limit 1, as the worker calls it when one slot frees up, and prints the
database's plan for the query that picks the due jobs.

    python -m bench.claim_scaling --backlog 1000 10000 50000
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.app_process import postgres_server
from bench.report import print_table, write_results
from plugin.context import utc_now
from plugin.store import Store
from plugin.store.jobs import queued_due
from plugin.store.tables import jobs

INSERT_BATCH = 5000


def fill(store: Store, count: int) -> None:
    """Insert ``count`` queued due jobs straight into the jobs table.

    Each job is due one microsecond after the one before, as jobs enqueued
    one by one are, and PostgreSQL gets fresh statistics as autovacuum would
    give it.
    """
    now = utc_now()
    rows = [
        {
            "saleor_api_url": "http://127.0.0.1:9/graphql/",
            "fulfillment_id": f"fulfillment-{index}",
            "order_id": "order",
            "order_number": "1",
            "event": "fulfillment_created",
            "payload": "{}",
            "status": "queued",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now - dt.timedelta(microseconds=count - index),
        }
        for index in range(count)
    ]
    with store._db.write("filling the job queue") as connection:
        for start in range(0, count, INSERT_BATCH):
            connection.execute(jobs.insert(), rows[start : start + INSERT_BATCH])
    if store.dialect == "postgresql":
        with store._db.write("analyzing the jobs table") as connection:
            connection.exec_driver_sql("ANALYZE jobs")


def query_plan(store: Store) -> list[str]:
    """Return the database's plan for picking the oldest due queued job.

    It mirrors the selection ``claim_jobs`` makes among queued jobs, so a
    change to that query needs the same change here.
    """
    due = (
        select(jobs.c.id)
        .where(queued_due(utc_now()))
        .order_by(jobs.c.next_attempt_at, jobs.c.id)
        .limit(1)
    )
    with store._db.read("explaining the claim query") as connection:
        sql = str(due.compile(connection, compile_kwargs={"literal_binds": True}))
        prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
        return [str(row[-1]) for row in connection.exec_driver_sql(prefix + sql)]


def measure(database_url: str, backlog: int, claims: int) -> dict[str, Any]:
    with Store.open(database_url) as store:
        fill(store, backlog)
        timings = []
        for _ in range(claims):
            started = time.perf_counter()
            store.claim_jobs("bench-worker", 1, 60, utc_now())
            timings.append((time.perf_counter() - started) * 1000)
        return {
            "backlog": backlog,
            "claim_ms_median": round(statistics.median(timings), 2),
            "plan": query_plan(store),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backlog",
        type=int,
        nargs="+",
        default=[1000, 10000, 50000],
        help="Queued jobs before timing.",
    )
    parser.add_argument(
        "--claims", type=int, default=200, help="claim_jobs calls timed per backlog."
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="Store to measure.",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="Also write bench/results/claim_scaling_DATABASE.json.",
    )
    args = parser.parse_args()

    results = []
    with contextlib.ExitStack() as stack:
        directory = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-claim-"))
        )
        postgres = (
            stack.enter_context(postgres_server())
            if args.database == "postgresql"
            else None
        )
        for number, backlog in enumerate(args.backlog):
            if postgres is not None:
                url = postgres.url(postgres.create_database(f"claim_{number}"))
            else:
                url = f"sqlite:///{directory / f'claim-{number}.sqlite3'}"
            results.append(measure(url, backlog, args.claims))

    print_table(
        f"claim_jobs(limit=1) on {args.database}",
        [
            (
                f"{result['backlog']} queued jobs (ms per claim)",
                result["claim_ms_median"],
            )
            for result in results
        ],
    )
    print(
        "\nplan of the query that picks the oldest due queued job:",
        *results[-1]["plan"],
        sep="\n  ",
    )
    if args.json:
        print(
            f"\nwrote {write_results(f'claim_scaling_{args.database}', {'results': results})}"
        )


if __name__ == "__main__":
    main()
