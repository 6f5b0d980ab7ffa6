"""The settings-driven defaults, registered like any merchant plugin.

Each implementation is ``trylast`` so that a merchant plugin's result wins,
and each is a thin adapter over a plain function in ``plugin``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from decimal import Decimal

from hooks.markers import hookimpl
from plugin.context import PipelineContext
from plugin.outcome import FulfillmentOutcome
from plugin.pipeline import send_fulfillment
from plugin.routing import (
    cost_date,
    cost_from_metadata,
    distributor_by_rules,
    shipping_from_settings,
)
from plugin.routing.costs import settings_cost_table
from plugin.saleor.payload import FulfillmentCreated, FulfillmentLine
from plugin.settings import Distributor


@hookimpl(trylast=True)
def fulfillment_created(
    event: FulfillmentCreated, context: PipelineContext
) -> Awaitable[FulfillmentOutcome]:
    return send_fulfillment(event, context)


@hookimpl(trylast=True)
def distributor_for_line(
    line: FulfillmentLine, event: FulfillmentCreated, context: PipelineContext
) -> str | None:
    return distributor_by_rules(line, event.fulfillment.warehouse, context.settings)


@hookimpl(trylast=True)
def unit_cost(
    line: FulfillmentLine,
    distributor: Distributor,
    event: FulfillmentCreated,
    context: PipelineContext,
) -> Decimal | None:
    settings = context.settings
    sku = line.order_line.sku
    if sku is not None:
        on = cost_date(event, context)
        tables = [context.cost_table, settings_cost_table(settings)]
        for table in tables:
            cost = table.lookup(distributor, sku, on) if table else None
            if cost is not None:
                return cost
    if settings.costs.metadata is not None:
        return cost_from_metadata(line, settings.costs.metadata)
    return None


@hookimpl(trylast=True)
def shipping_cost(
    distributor: Distributor,
    lines: Sequence[FulfillmentLine],
    event: FulfillmentCreated,
    context: PipelineContext,
) -> Decimal | None:
    return shipping_from_settings(
        distributor,
        event.fulfillment,
        context.settings.metadata.shipping_cost,
        ships_everything=len(lines) == len(event.fulfillment.lines),
    )
