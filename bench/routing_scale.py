"""Routing at scale: a 500-line fulfillment, 10,000 distributors, 1,000,000 stored costs.

The parent process writes the settings (one SKU rule and one warehouse rule
per distributor) and loads the cost rows into a SQLite store with
``replace_costs``. A fresh child process then plans fulfillments with
``plugin.routing.plan_fulfillment`` and the store-backed cost table, as the
worker does, and reports the time per plan and its own peak RSS, so the
loading does not count towards the memory figure.

Two fulfillments are planned. ``by_sku``: 500 lines whose SKUs have rules
spread over the whole rule list, so they go to 500 distributors in four
currencies. ``by_warehouse``: 500 lines without SKU rules, shipped from the
warehouse of the last warehouse rule, so every line scans both rule lists
to the end (50 SKUs, each on 10 order lines).

    python -m bench.routing_scale --distributors 10000 --lines 500
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.fixtures import write_json
from bench.processes import hard_time_limit
from bench.report import machine_info, print_table, write_results
from plugin.store import CostRow, Store
from tests.support.payloads import Line, fulfillment_created

TARGET_MS = 10.0
TARGET_RSS_MIB = 200.0
CURRENCIES = ("USD", "EUR", "GBP", "JPY")
COST_DATES = (dt.date(2026, 1, 1), dt.date(2026, 6, 1))
"""Two dates per (distributor, SKU), so each lookup picks the later of two rows."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--distributors", type=int, default=10000, help="Distributors in the settings."
    )
    parser.add_argument(
        "--skus", type=int, default=50, help="SKUs per distributor in the cost table."
    )
    parser.add_argument(
        "--lines", type=int, default=500, help="Lines of each planned fulfillment."
    )
    parser.add_argument(
        "--repeat", type=int, default=30, help="Plans timed per fulfillment."
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
        help="Also write bench/results/routing_scale.json.",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def distributor_id(index: int) -> str:
    return f"dist-{index:05d}"


def sku(index: int, number: int) -> str:
    return f"SKU-{index:05d}-{number:02d}"


def settings_for(count: int) -> dict[str, Any]:
    """Return settings with ``count`` distributors and one SKU and one warehouse rule each."""
    distributors = []
    for index in range(count):
        currency = CURRENCIES[index % len(CURRENCIES)]
        distributor: dict[str, Any] = {
            "id": distributor_id(index),
            "name": f"Distributor {index}",
            "currency": currency,
            "remit_shipping": currency == "USD",
            "address": {"lines": [f"{index} Dock Rd"], "city": "Reno", "country": "US"},
        }
        if currency == "USD":
            distributor["shipping_cost"] = "5.00"
        distributors.append(distributor)
    return {
        "digitalriver": {"api_key": "sk_test_unused", "base_url": "http://127.0.0.1:9"},
        "distributors": distributors,
        "routing": {
            "by_sku": [
                {"sku": sku(i, 0), "distributor": distributor_id(i)}
                for i in range(count)
            ],
            "by_warehouse": [
                {"warehouse": f"wh-{i:05d}", "distributor": distributor_id(i)}
                for i in range(count)
            ],
        },
    }


def cost_rows(distributors: int, skus: int) -> Iterator[CostRow]:
    for index in range(distributors):
        currency = CURRENCIES[index % len(CURRENCIES)]
        for number in range(skus):
            for step, date in enumerate(COST_DATES):
                amount = Decimal(10 + (index + number + step) % 90)
                yield CostRow(
                    distributor_id=distributor_id(index),
                    sku=sku(index, number),
                    currency=currency,
                    cost=amount,
                    effective_from=date,
                )


def bodies(distributors: int, skus: int, lines: int) -> dict[str, dict[str, Any]]:
    """Return the two fulfillments described in the module docstring."""
    step = max(1, distributors // lines)
    # Adding i % 4 to the index spreads the lines over the four payout currencies.
    spread = [(i * step + i % len(CURRENCIES)) % distributors for i in range(lines)]
    by_sku = [
        Line(sku(index, 0), 1, item_id=f"item-s-{i}") for i, index in enumerate(spread)
    ]
    last = distributors - 1
    by_warehouse = [
        Line(sku(last, 1 + i % (skus - 1)), 2, item_id=f"item-w-{i}")
        for i in range(lines)
    ]
    return {
        "by_sku": fulfillment_created(by_sku, order_id="dr-order-sku"),
        "by_warehouse": fulfillment_created(
            by_warehouse, order_id="dr-order-wh", warehouse_slug=f"wh-{last:05d}"
        ),
    }


def prepare(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    """Write the settings and payloads and load the cost table; return the load figures."""
    write_json(directory / "settings.json", settings_for(args.distributors))
    write_json(
        directory / "bodies.json", bodies(args.distributors, args.skus, args.lines)
    )
    started = time.perf_counter()
    with Store.open(f"sqlite:///{directory / 'costs.sqlite3'}") as store:
        loaded = store.replace_costs(cost_rows(args.distributors, args.skus))
    return {"cost_rows": loaded, "cost_load_s": round(time.perf_counter() - started, 1)}


def main() -> None:
    args = parse_args()
    if args.measure is not None:
        from bench.routing_measure import measure

        print(json.dumps(asyncio.run(measure(args.measure, args.repeat))))
        return

    with (
        tempfile.TemporaryDirectory(prefix="bench-routing-") as name,
        hard_time_limit(args.time_limit),
    ):
        directory = Path(name)
        figures = prepare(args, directory)
        print(f"loaded {figures['cost_rows']} cost rows in {figures['cost_load_s']} s")
        argv = [
            sys.executable,
            "-m",
            "bench.routing_scale",
            "--measure",
            str(directory),
            "--repeat",
            str(args.repeat),
        ]
        completed = subprocess.run(
            argv, stdout=subprocess.PIPE, text=True, check=True, timeout=args.time_limit
        )
        figures.update(json.loads(completed.stdout.splitlines()[-1]))
    figures.update(
        distributors=args.distributors,
        lines=args.lines,
        target_ms=TARGET_MS,
        target_rss_mib=TARGET_RSS_MIB,
        machine=machine_info(),
    )
    print_results(figures)
    if args.json:
        print(f"\nwrote {write_results('routing_scale', figures)}")


def print_results(figures: dict[str, Any]) -> None:
    rows: list[tuple[str, object]] = [
        (
            "distributors / cost rows",
            f"{figures['distributors']} / {figures['cost_rows']}",
        ),
        ("settings load (s)", figures["settings_load_s"]),
    ]
    for name, scenario in figures["scenarios"].items():
        rows += [
            (
                f"{name}: plan median / p90 / max (ms)",
                f"{scenario['plan_ms_median']} / {scenario['plan_ms_p90']} / {scenario['plan_ms_max']}",
            ),
            (f"{name}: distributor choice (ms)", scenario["distributor_choice_ms"]),
            (
                f"{name}: {scenario['lookups']} store lookups (ms)",
                scenario["store_lookups_ms"],
            ),
            (f"{name}: one batched lookup_costs (ms)", scenario["batched_lookup_ms"]),
            (f"{name}: payload parse (ms)", scenario["parse_ms"]),
            (
                f"{name}: correlated lookup as text, reference (ms)",
                scenario["correlated_lookup_ms"],
            ),
            (
                f"{name}: choice with rule dictionaries, reference (ms)",
                scenario["indexed_choice_ms"],
            ),
        ]
    rows.append(
        ("plan with one distributor, costs in settings (ms)", figures["floor_plan_ms"])
    )
    rows.append(
        (
            "peak RSS of the planning process (MiB, target < 200)",
            figures["peak_rss_mib"],
        )
    )
    print_table("Routing at scale (target < 10 ms per fulfillment)", rows)


if __name__ == "__main__":
    main()
