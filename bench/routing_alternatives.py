"""Reference timings of routing steps, measured next to the real code.

None of this is product code. ``correlated_lookup_ms`` runs the batched cost
query as text with bound parameters, in the form SQLite runs as one
primary-key search per pair, and ``indexed_choice_ms`` routes lines with
dictionaries built once from the rules. ``floor_plan_ms`` plans the same
number of lines with one distributor and the costs in the settings, so
neither rule lists nor the store take part.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time

from sqlalchemy import text

from bench.fixtures import settings_data
from hooks import create_plugin_manager
from plugin.context import PipelineContext
from plugin.digitalriver.client import DigitalRiverClient
from plugin.routing import plan_fulfillment
from plugin.saleor.payload import FulfillmentCreated, parse_fulfillment_created
from plugin.settings import Settings, parse_settings
from plugin.store import Store
from tests.support.payloads import Line, fulfillment_created

__all__ = ["correlated_lookup_ms", "floor_plan_ms", "indexed_choice_ms"]

_CORRELATED_QUERY = """
WITH wanted(distributor_id, sku) AS (VALUES {values})
SELECT cost.distributor_id, cost.sku, cost.currency, cost.cost, cost.effective_from
FROM wanted JOIN unit_costs AS cost
  ON cost.distributor_id = wanted.distributor_id AND cost.sku = wanted.sku
 AND cost.effective_from = (
   SELECT max(latest.effective_from) FROM unit_costs AS latest
   WHERE latest.distributor_id = wanted.distributor_id AND latest.sku = wanted.sku
     AND latest.effective_from <= :on)
"""


def correlated_lookup_ms(
    store: Store, pairs: list[tuple[str, str]], on: dt.date
) -> tuple[float, int]:
    """Return the milliseconds and rows of the correlated form of the batched lookup."""
    names = [f"(:d{index}, :s{index})" for index in range(len(pairs))]
    parameters: dict[str, str] = {"on": on.isoformat()}
    for index, (distributor, sku) in enumerate(pairs):
        parameters[f"d{index}"] = distributor
        parameters[f"s{index}"] = sku
    query = text(_CORRELATED_QUERY.format(values=", ".join(names)))
    started = time.perf_counter()
    with store._db.read("looking up unit costs, correlated form") as connection:
        rows = connection.execute(query, parameters).all()
    return round((time.perf_counter() - started) * 1000, 2), len(rows)


def indexed_choice_ms(
    event: FulfillmentCreated, settings: Settings
) -> tuple[float, float]:
    """Return the milliseconds to index the rules once and to route every line with them."""
    started = time.perf_counter()
    by_sku: dict[str, str] = {}
    for sku_rule in settings.routing.by_sku:
        by_sku.setdefault(sku_rule.sku, sku_rule.distributor)
    by_warehouse: dict[str, str] = {}
    for rule in settings.routing.by_warehouse:
        by_warehouse.setdefault(rule.warehouse, rule.distributor)
    build_ms = round((time.perf_counter() - started) * 1000, 2)

    warehouse = event.fulfillment.warehouse
    started = time.perf_counter()
    for line in event.fulfillment.lines:
        sku = line.order_line.sku
        chosen = by_sku.get(sku) if sku is not None else None
        if chosen is None and warehouse is not None:
            chosen = by_warehouse.get(warehouse.slug) or by_warehouse.get(warehouse.id)
        assert chosen is not None
    return build_ms, round((time.perf_counter() - started) * 1000, 3)


async def floor_plan_ms(lines: int, repeat: int) -> float:
    """Return the median milliseconds to plan ``lines`` lines with small settings."""
    data = settings_data("http://127.0.0.1:9", "sk_test_unused")
    data["costs"]["table"] += [
        {
            "distributor": "dist-usd",
            "sku": f"FLOOR-{i}",
            "cost": "3.10",
            "effective_from": "2026-01-01",
        }
        for i in range(lines)
    ]
    settings = parse_settings(data, environ={})
    body = fulfillment_created(
        [Line(f"FLOOR-{i}", 1, item_id=f"floor-{i}") for i in range(lines)],
        order_id="dr-floor",
    )
    event = parse_fulfillment_created(json.dumps(body).encode())
    timings = []
    async with DigitalRiverClient(settings.digitalriver) as client:
        context = PipelineContext(
            settings=settings,
            digitalriver=client,
            plugin_manager=create_plugin_manager(load_entry_points=False),
            saleor_api_url="http://127.0.0.1:9/graphql/",
        )
        await plan_fulfillment(event, context)  # warm-up, not timed
        for _ in range(repeat):
            started = time.perf_counter()
            await plan_fulfillment(event, context)
            timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 2)
