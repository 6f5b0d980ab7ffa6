"""``dr-distributor process``: send one fulfillment to Digital River."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import click
from rich.console import Console

from hooks import plugin_manager
from plugin.cli.summary import print_outcome
from plugin.context import PipelineContext
from plugin.demo import orders_for_event
from plugin.digitalriver.client import DigitalRiverClient
from plugin.errors import PluginError
from plugin.ledger import record_outcome
from plugin.outcome import FulfillmentOutcome
from plugin.pipeline import report_outcome, run_fulfillment_created
from plugin.routing.store_costs import StoreCostTable
from plugin.saleor.payload import FulfillmentCreated, parse_fulfillment_created
from plugin.sandbox.server import SandboxServer
from plugin.settings import API_KEY_ENV, Settings, load_settings
from plugin.store import Store

__all__ = ["process"]


@click.command()
@click.argument("payload", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (.toml or .json).",
)
@click.option(
    "--database",
    help=(
        "Store whose imported unit costs apply and whose ledger records what was "
        "sent (sqlite:///PATH or postgresql://...)."
    ),
)
def process(payload: Path, settings_path: Path | None, database: str | None) -> None:
    """Send the FULFILLMENT_CREATED body in PAYLOAD to Digital River.

    PAYLOAD is the webhook body exactly as Saleor sent it, or - for standard
    input. Without a Digital River API key, the bundled sandbox is started on
    127.0.0.1 and seeded with the payload's order.
    """
    console = Console(width=None if _is_terminal() else 100)
    errors = Console(stderr=True, soft_wrap=True)
    try:
        settings = load_settings(settings_path)
        event = parse_fulfillment_created(_read_payload(payload))
        store = Store.open(database) if database else None
        cost_table = StoreCostTable(store) if store and store.has_costs() else None
        outcome = asyncio.run(_process(event, settings, cost_table, errors))
        if store is not None:
            record_outcome(store, outcome)
    except PluginError as error:
        errors.print(f"[red]error:[/red] {error}", highlight=False)
        raise SystemExit(1) from None
    print_outcome(console, outcome)
    if not outcome.succeeded:
        raise SystemExit(1)


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _read_payload(path: Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except OSError as error:
        raise PluginError(
            f"cannot read payload {str(path)!r}: {error.strerror}"
        ) from None


async def _process(
    event: FulfillmentCreated,
    settings: Settings,
    cost_table: StoreCostTable | None,
    errors: Console,
) -> FulfillmentOutcome:
    async with _digitalriver(event, settings, errors) as client:
        context = PipelineContext(
            settings=settings,
            digitalriver=client,
            plugin_manager=plugin_manager(),
            cost_table=cost_table,
            # A run of the same payload before this one may have sent the
            # requests, so each is looked up before it is sent.
            reconcile=True,
        )
        outcome = await run_fulfillment_created(event, context)
        await report_outcome(outcome, context)
        return outcome


@contextlib.asynccontextmanager
async def _digitalriver(
    event: FulfillmentCreated, settings: Settings, errors: Console
) -> AsyncIterator[DigitalRiverClient]:
    if settings.digitalriver.api_key is not None:
        async with DigitalRiverClient(settings.digitalriver) as client:
            yield client
        return

    with _sandbox(event, settings) as sandbox:
        errors.print(
            f"No Digital River API key ({API_KEY_ENV} or digitalriver.api_key): "
            f"started the bundled sandbox at {sandbox.url}, seeded with this "
            "payload's order. Nothing leaves this machine.",
            highlight=False,
        )
        async with DigitalRiverClient(
            settings.digitalriver, api_key=sandbox.api_key, base_url=sandbox.url
        ) as client:
            yield client


@contextlib.contextmanager
def _sandbox(event: FulfillmentCreated, settings: Settings) -> Iterator[SandboxServer]:
    server = SandboxServer(orders=orders_for_event(event, settings))
    server.start()
    try:
        yield server
    finally:
        server.stop()
