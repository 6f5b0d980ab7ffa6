"""Readable tables of fulfillment outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from plugin.outcome import FulfillmentOutcome, RoutedLine, SentRequest

__all__ = ["print_outcome"]


def print_outcome(console: Console, outcome: FulfillmentOutcome) -> None:
    """Print what was sent for a fulfillment and, on failure, why."""
    console.print(
        f"Saleor order {outcome.order_number}, fulfillment {outcome.fulfillment_id}, "
        f"Digital River order {outcome.dr_order_id or 'unknown'}"
    )
    for sent in outcome.sent:
        console.print(_request_table(sent))
    if outcome.succeeded:
        console.print(
            f"[green]Sent {len(outcome.sent)} Digital River fulfillment(s).[/green]"
        )
        return
    console.print(f"[red]Fulfillment failed: {outcome.error_type}[/red]")
    console.print(outcome.error or "", markup=False, highlight=False)
    if outcome.transient:
        console.print(
            "The failure may be temporary. Running the command again is safe: "
            "it looks every request up at Digital River before sending it."
        )


def _request_table(sent: SentRequest) -> Table:
    found = "" if sent.created else " (found from an earlier attempt)"
    table = Table(
        title=(
            f"{sent.currency}: Digital River fulfillment "
            f"{sent.dr_fulfillment_id}{found}"
        ),
        title_justify="left",
    )
    for column in ("Distributor", "SKU", "DR item", "Qty"):
        table.add_column(column, no_wrap=True)
    for column in ("Unit cost", "Cost", "Shipping"):
        table.add_column(column, justify="right", no_wrap=True)

    for line in sent.lines:
        table.add_row(*_row(line))
    table.add_section()
    table.add_row(
        "Total",
        "",
        "",
        str(sum(line.quantity for line in sent.lines)),
        "",
        _money(_total(line.distributor_cost for line in sent.lines)),
        _money(_total(line.shipping_cost for line in sent.lines)),
    )
    return table


def _row(line: RoutedLine) -> tuple[str, ...]:
    return (
        line.distributor_id,
        line.sku or "",
        line.dr_item_id,
        str(line.quantity),
        _money(line.unit_cost),
        _money(line.distributor_cost),
        _money(line.shipping_cost),
    )


def _total(amounts: Iterable[Decimal | None]) -> Decimal | None:
    present = [amount for amount in amounts if amount is not None]
    return sum(present, Decimal(0)) if present else None


def _money(amount: Decimal | None) -> str:
    return "-" if amount is None else str(amount)
