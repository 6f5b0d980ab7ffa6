"""Turn a Saleor fulfillment into Digital River request drafts.

Every line gets a distributor, a Digital River item id and a unit cost
through the hooks. Distributors with remitted shipping get their shipping
cost split over their lines. Lines are then grouped by payout currency, one
request per currency. When any line cannot be routed, ``RoutingError`` lists
every problem and no request is made.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from plugin.context import PipelineContext
from plugin.digitalriver.models import (
    REQUEST_KEY_FIELD,
    FulfillmentRequest,
    FulfillmentRequestItem,
)
from plugin.errors import RoutingError, RoutingProblem
from plugin.money import MAX_AMOUNT, quantize
from plugin.outcome import RequestDraft, RoutedLine
from plugin.routing.items import dr_order_id, line_problem, resolve_item_ids
from plugin.routing.keys import FULFILLMENT_ID_FIELD, ORDER_NUMBER_FIELD, request_key
from plugin.routing.shipping import allocate_shipping
from plugin.saleor.payload import FulfillmentCreated, FulfillmentLine
from plugin.settings import Distributor

__all__ = ["cost_date", "plan_fulfillment"]


def cost_date(event: FulfillmentCreated, context: PipelineContext) -> dt.date:
    """Return the day whose unit costs apply: when the fulfillment was created.

    Using the creation day rather than the processing time keeps the amounts
    of a retried job equal to those of its first attempt.
    """
    created = event.fulfillment.created or context.now
    return created.astimezone(dt.UTC).date()


async def plan_fulfillment(
    event: FulfillmentCreated, context: PipelineContext
) -> list[RequestDraft]:
    """Route every line and return one request draft per payout currency."""
    problems: list[RoutingProblem] = []
    order_id = dr_order_id(event, context, problems)
    distributors = _choose_distributors(event, context, problems)
    await _prefetch_costs(event, distributors, context)
    item_ids = await resolve_item_ids(event, order_id, context, problems)
    unit_costs = _unit_costs(event, distributors, context, problems)
    _check_duplicate_items(event, item_ids, problems)
    if problems or order_id is None:
        raise RoutingError(problems)

    lines = [
        _routed_line(
            line, distributors[line.id], item_ids[line.id], unit_costs[line.id]
        )
        for line in event.fulfillment.lines
    ]
    lines = _with_shipping(lines, event, context, problems)
    if problems:
        raise RoutingError(problems)
    return _drafts(lines, event, context, order_id)


def _choose_distributors(
    event: FulfillmentCreated, context: PipelineContext, problems: list[RoutingProblem]
) -> dict[str, Distributor]:
    settings = context.settings
    hook = context.plugin_manager.hook
    chosen = {}
    for line in event.fulfillment.lines:
        distributor_id: object = hook.distributor_for_line(
            line=line, event=event, context=context
        )
        if distributor_id is None:
            problems.append(line_problem(line, _no_distributor_message(line, event)))
            continue
        if not isinstance(distributor_id, str):
            problems.append(
                line_problem(
                    line,
                    f"the distributor_for_line hook returned {distributor_id!r}; "
                    "return a distributor id string or None",
                )
            )
            continue
        try:
            chosen[line.id] = settings.distributor(distributor_id)
        except KeyError:
            problems.append(
                line_problem(
                    line,
                    f"distributor {distributor_id!r} is not configured; add it "
                    "under distributors",
                )
            )
    return chosen


async def _prefetch_costs(
    event: FulfillmentCreated,
    distributors: dict[str, Distributor],
    context: PipelineContext,
) -> None:
    table = context.cost_table
    if table is None:
        return
    pairs = {
        (distributor.id, sku)
        for line in event.fulfillment.lines
        if (distributor := distributors.get(line.id)) and (sku := line.order_line.sku)
    }
    await asyncio.to_thread(table.prefetch, pairs, cost_date(event, context))


def _no_distributor_message(line: FulfillmentLine, event: FulfillmentCreated) -> str:
    warehouse = event.fulfillment.warehouse
    where = f"warehouse {warehouse.slug!r}" if warehouse else "its warehouse"
    return (
        f"no distributor: add a routing rule for SKU {line.order_line.sku!r} or "
        f"for {where}, or set routing.default_distributor"
    )


def _unit_costs(
    event: FulfillmentCreated,
    distributors: dict[str, Distributor],
    context: PipelineContext,
    problems: list[RoutingProblem],
) -> dict[str, Decimal]:
    hook = context.plugin_manager.hook
    costs = {}
    for line in event.fulfillment.lines:
        distributor = distributors.get(line.id)
        if distributor is None:
            continue
        try:
            cost = hook_amount(
                hook.unit_cost(
                    line=line, distributor=distributor, event=event, context=context
                ),
                "unit_cost",
            )
        except ValueError as error:
            problems.append(line_problem(line, str(error)))
            continue
        if cost is None:
            problems.append(
                line_problem(line, _no_cost_message(distributor, event, context))
            )
        else:
            costs[line.id] = cost
    return costs


def hook_amount(value: object, hook_name: str) -> Decimal | None:
    """Return a hook's return value as an amount, or raise ``ValueError`` naming it.

    ``None`` passes through. Integers are taken as whole amounts; floats,
    strings and other types are rejected, since a float cannot hold 0.10
    exactly.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(
            f"the {hook_name} hook returned {value!r} ({type(value).__name__}); "
            "return a Decimal such as Decimal('12.50')"
        )
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise ValueError(
            f"the {hook_name} hook returned {value}; return an amount of at least 0 "
            f"and below {MAX_AMOUNT:,}"
        )
    return amount


def _no_cost_message(
    distributor: Distributor, event: FulfillmentCreated, context: PipelineContext
) -> str:
    return (
        f"no unit cost for distributor {distributor.id!r} on "
        f"{cost_date(event, context)}: add a costs.table entry in force on "
        "that day, or set the cost metadata key"
    )


def _check_duplicate_items(
    event: FulfillmentCreated, item_ids: dict[str, str], problems: list[RoutingProblem]
) -> None:
    lines_by_item: dict[str, list[FulfillmentLine]] = defaultdict(list)
    for line in event.fulfillment.lines:
        if line.id in item_ids:
            lines_by_item[item_ids[line.id]].append(line)
    for item_id, lines in lines_by_item.items():
        if len(lines) > 1:
            others = ", ".join(line.id for line in lines[1:])
            problems.append(
                line_problem(
                    lines[0],
                    f"Digital River item {item_id} is also on line(s) {others}; "
                    "each order line needs its own item id",
                )
            )


def _routed_line(
    line: FulfillmentLine, distributor: Distributor, item_id: str, unit_cost: Decimal
) -> RoutedLine:
    return RoutedLine(
        fulfillment_line_id=line.id,
        order_line_id=line.order_line.id,
        sku=line.order_line.sku,
        product_name=line.order_line.product_name,
        quantity=line.quantity,
        distributor_id=distributor.id,
        dr_item_id=item_id,
        currency=distributor.currency,
        unit_cost=unit_cost,
        distributor_cost=quantize(unit_cost * line.quantity, distributor.currency),
    )


def _with_shipping(
    lines: list[RoutedLine],
    event: FulfillmentCreated,
    context: PipelineContext,
    problems: list[RoutingProblem],
) -> list[RoutedLine]:
    settings = context.settings
    by_distributor: dict[str, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        by_distributor[line.distributor_id].append(index)

    shipped = {line.id: line for line in event.fulfillment.lines}
    result = list(lines)
    for distributor_id, indexes in by_distributor.items():
        distributor = settings.distributor(distributor_id)
        if not distributor.remit_shipping:
            continue
        own_lines = [shipped[lines[index].fulfillment_line_id] for index in indexes]
        total = _shipping_total(distributor, own_lines, event, context, problems)
        if total is None:
            continue
        parts = allocate_shipping(
            total,
            [lines[index].distributor_cost for index in indexes],
            [lines[index].quantity for index in indexes],
            distributor.currency,
        )
        for index, part in zip(indexes, parts, strict=True):
            result[index] = lines[index].model_copy(update={"shipping_cost": part})
    return result


def _shipping_total(
    distributor: Distributor,
    lines: list[FulfillmentLine],
    event: FulfillmentCreated,
    context: PipelineContext,
    problems: list[RoutingProblem],
) -> Decimal | None:
    hook = context.plugin_manager.hook
    try:
        total = hook_amount(
            hook.shipping_cost(
                distributor=distributor, lines=lines, event=event, context=context
            ),
            "shipping_cost",
        )
    except ValueError as error:
        problems.append(RoutingProblem(str(error)))
        return None
    if total is None:
        problems.append(
            RoutingProblem(
                f"distributor {distributor.id!r} has shipping remitted but no "
                "shipping cost: set its shipping_cost or the fulfillment metadata "
                f"key {context.settings.metadata.shipping_cost.key!r}"
            )
        )
        return None
    if quantize(total, distributor.currency) != total:
        problems.append(
            RoutingProblem(
                f"shipping cost {total} for distributor {distributor.id!r} has more "
                f"decimal places than {distributor.currency} allows"
            )
        )
        return None
    return total


def _drafts(
    lines: list[RoutedLine],
    event: FulfillmentCreated,
    context: PipelineContext,
    order_id: str,
) -> list[RequestDraft]:
    by_currency: dict[str, list[RoutedLine]] = defaultdict(list)
    for line in lines:
        by_currency[line.currency].append(line)

    drafts = []
    for currency in sorted(by_currency):
        group = by_currency[currency]
        key = request_key(
            context.saleor_api_url,
            event.fulfillment.id,
            currency,
            [line.dr_item_id for line in group],
        )
        drafts.append(RequestDraft(key, _request(group, event, order_id, key), group))
    return drafts


def _request(
    lines: list[RoutedLine], event: FulfillmentCreated, order_id: str, key: str
) -> FulfillmentRequest:
    tracking_number = event.fulfillment.tracking_number or None
    return FulfillmentRequest(
        order_id=order_id,
        currency=lines[0].currency,
        items=[
            FulfillmentRequestItem(
                item_id=line.dr_item_id,
                quantity=line.quantity,
                subfulfiller_id=line.distributor_id,
                distributor_cost=line.distributor_cost,
                shipping_cost=line.shipping_cost,
            )
            for line in lines
        ],
        metadata={
            REQUEST_KEY_FIELD: key,
            FULFILLMENT_ID_FIELD: event.fulfillment.id,
            ORDER_NUMBER_FIELD: event.order.number,
        },
        tracking_number=tracking_number,
    )
