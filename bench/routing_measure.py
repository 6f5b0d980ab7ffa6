"""The measuring half of ``bench.routing_scale``, run in a fresh process."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.report import median, peak_rss_mib, percentile
from bench.routing_alternatives import (
    correlated_lookup_ms,
    floor_plan_ms,
    indexed_choice_ms,
)
from plugin.app.asgi import build_state
from plugin.app.config import AppConfig
from plugin.context import PipelineContext
from plugin.digitalriver.client import DigitalRiverClient
from plugin.routing import cost_date, distributor_by_rules, plan_fulfillment
from plugin.routing.store_costs import StoreCostTable
from plugin.saleor.payload import FulfillmentCreated, parse_fulfillment_created
from plugin.settings import load_settings
from plugin.store import Store

__all__ = ["measure"]

COMPONENT_REPEAT = 5
"""Calls timed per component; the median is reported."""


def event_lines(bodies: dict[str, Any]) -> list[Any]:
    """Return the lines of the first body, whose count the floor plan uses."""
    first: dict[str, Any] = next(iter(bodies.values()))
    lines: list[Any] = first["fulfillment"]["lines"]
    return lines


def _milliseconds(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


async def measure(directory: Path, repeat: int) -> dict[str, Any]:
    """Plan each fulfillment in ``directory/bodies.json`` and return the figures."""
    started = time.perf_counter()
    settings = load_settings(directory / "settings.json", environ={})
    settings_load_s = round(time.perf_counter() - started, 2)

    database_url = f"sqlite:///{directory / 'costs.sqlite3'}"
    state = build_state(
        AppConfig(database_url=database_url), Store.open(database_url), settings
    )
    bodies = json.loads((directory / "bodies.json").read_text(encoding="utf-8"))
    scenarios = {}
    async with DigitalRiverClient(settings.digitalriver) as client:
        context = PipelineContext(
            settings=settings,
            digitalriver=client,
            plugin_manager=state.plugin_manager,
            saleor_api_url="http://127.0.0.1:9/graphql/",
            cost_table=StoreCostTable(state.store),
        )
        for name, body in bodies.items():
            scenarios[name] = await _scenario(
                json.dumps(body).encode(), context, state.store, repeat
            )
    return {
        "settings_load_s": settings_load_s,
        "scenarios": scenarios,
        "floor_plan_ms": await floor_plan_ms(len(event_lines(bodies)), repeat),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


async def _scenario(
    raw: bytes, context: PipelineContext, store: Store, repeat: int
) -> dict[str, Any]:
    parse_timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        event = parse_fulfillment_created(raw)
        parse_timings.append(_milliseconds(started))

    started = time.perf_counter()
    drafts = await plan_fulfillment(event, _for_one_job(context, store))
    first_ms = _milliseconds(started)
    timings = []
    for _ in range(repeat):
        job_context = _for_one_job(context, store)
        started = time.perf_counter()
        await plan_fulfillment(event, job_context)
        timings.append(_milliseconds(started))

    pairs = _pairs(event, context)
    on = cost_date(event, context)
    lookups_ms = _median_ms(
        COMPONENT_REPEAT, lambda: [store.lookup_cost(d, s, on) for d, s in pairs]
    )
    batched_ms = _median_ms(COMPONENT_REPEAT, lambda: store.lookup_costs(pairs, on))
    found = store.lookup_costs(pairs, on)
    correlated = [
        correlated_lookup_ms(store, pairs, on) for _ in range(COMPONENT_REPEAT)
    ]
    correlated_ms = round(median([ms for ms, _ in correlated]), 2)
    choice_ms = _median_ms(COMPONENT_REPEAT, lambda: _choose_all(event, context))
    indexed = [
        indexed_choice_ms(event, context.settings) for _ in range(COMPONENT_REPEAT)
    ]
    return {
        "requests": len(drafts),
        "items": sum(len(draft.request.items) for draft in drafts),
        "plan_ms_first": first_ms,
        "plan_ms_median": round(median(timings), 2),
        "plan_ms_p90": round(percentile(timings, 0.9), 2),
        "plan_ms_max": round(max(timings), 2),
        "parse_ms": round(median(parse_timings), 2),
        "distributor_choice_ms": choice_ms,
        "lookups": len(pairs),
        "store_lookups_ms": lookups_ms,
        "batched_lookup_ms": batched_ms,
        "batched_found": len(found),
        "correlated_lookup_ms": correlated_ms,
        "correlated_found": correlated[0][1],
        "indexed_rules_build_ms": round(median([build for build, _ in indexed]), 2),
        "indexed_choice_ms": round(median([ms for _, ms in indexed]), 3),
    }


def _for_one_job(context: PipelineContext, store: Store) -> PipelineContext:
    """Return the context with a new store cost table, as the worker makes one per job."""
    return dataclasses.replace(context, cost_table=StoreCostTable(store))


def _pairs(
    event: FulfillmentCreated, context: PipelineContext
) -> list[tuple[str, str]]:
    """Return the (distributor, SKU) pair the worker looks up for each line."""
    warehouse = event.fulfillment.warehouse
    pairs = []
    for line in event.fulfillment.lines:
        distributor = distributor_by_rules(line, warehouse, context.settings)
        assert distributor is not None and line.order_line.sku is not None
        pairs.append((distributor, line.order_line.sku))
    return pairs


def _choose_all(event: FulfillmentCreated, context: PipelineContext) -> None:
    for line in event.fulfillment.lines:
        distributor_by_rules(line, event.fulfillment.warehouse, context.settings)


def _median_ms(times: int, call: Callable[[], object]) -> float:
    """Return the median milliseconds of ``times`` calls of ``call``."""
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return round(median(timings), 2)
