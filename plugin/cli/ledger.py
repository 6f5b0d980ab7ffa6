"""``dr-distributor ledger``: export the items reported to Digital River.

The output formats are described in ``plugin.ledger_export``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from plugin.cli.options import database_option
from plugin.cli.output import (
    closing_rows,
    open_output,
    open_store,
    output_name,
    output_option,
    progress_option,
    wants_progress,
)
from plugin.ledger_export import parse_time_bound, write_csv, write_json

__all__ = ["ledger"]

PROGRESS_EVERY = 1000
"""Items written between two updates of the progress display."""


class TimeBound(click.ParamType[dt.datetime]):
    """A ``--since`` or ``--until`` value: a UTC date or an ISO 8601 date and time."""

    name = "DATE|DATETIME"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            return parse_time_bound(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


@click.group()
def ledger() -> None:
    """Export the ledger of items reported to Digital River."""


@ledger.command("export")
@database_option
@click.option("--distributor", help="Only items of this distributor id.")
@click.option(
    "--since",
    type=TimeBound(),
    help="Only items reported at or after this time (inclusive). A date means 00:00 UTC; a time without offset is UTC.",
)
@click.option(
    "--until",
    type=TimeBound(),
    help="Only items reported before this time (exclusive). A date means 00:00 UTC; a time without offset is UTC.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="CSV: the items, a blank line, then the totals. JSON: an object with items and totals.",
)
@output_option
@progress_option
def export_ledger(
    database: str,
    distributor: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    output_format: str,
    output: str,
    progress: bool | None,
) -> None:
    """Write every item sent to Digital River, oldest first, then totals.

    Each item row names its order, Saleor and Digital River fulfillment, item,
    SKU, quantity, distributor, costs, currency and time. The totals sum
    quantity, distributor cost and shipping cost per distributor and currency.
    """
    if since is not None and until is not None and since >= until:
        raise click.BadParameter(
            f"{since.isoformat()} is not before --until {until.isoformat()}; "
            "--since is inclusive and --until exclusive",
            param_hint="--since",
        )
    write = write_csv if output_format == "csv" else write_json
    console = Console(stderr=True)

    with (
        open_store(database) as store,
        _progress(console, wants_progress(progress)) as report,
        open_output(output) as text,
        closing_rows(store.iter_ledger(distributor, since, until)) as rows,
    ):
        totals = write(rows, text, report)

    items = sum(total.items for total in totals)
    click.echo(
        f"exported {items} ledger items and {len(totals)} totals to "
        f"{output_name(output)}",
        err=True,
    )


@contextmanager
def _progress(console: Console, enabled: bool) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield _ignore
        return

    bar = Progress(
        SpinnerColumn(),
        TextColumn("exporting ledger items: {task.completed:.0f}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("export", total=None)

    def report(count: int) -> None:
        if count % PROGRESS_EVERY == 0:
            bar.update(task, completed=count)

    with bar:
        yield report


def _ignore(count: int) -> None:
    pass
