"""The ``sandbox`` command: serve the Digital River sandbox in the foreground."""

from __future__ import annotations

from pathlib import Path

import click

from plugin.sandbox.errors import SandboxError
from plugin.sandbox.faults import FaultSettings
from plugin.sandbox.seed import load_orders
from plugin.sandbox.server import DEFAULT_API_KEY, SandboxServer
from plugin.sandbox.state import SandboxState

__all__ = ["sandbox"]


@click.command("sandbox")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8750,
    show_default=True,
    help="TCP port to listen on; 0 picks a free port.",
)
@click.option(
    "--orders",
    "orders_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file of seed orders (format in plugin.sandbox.seed).",
)
@click.option(
    "--subfulfiller",
    "subfulfillers",
    multiple=True,
    metavar="ID",
    help="Known distributor id; repeat for several. When given, every item "
    "must name one of them in subfulfillerId.",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    metavar="KEY",
    help="Accepted secret key; repeat for several. Default: any key starting sk_test_.",
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds of delay added to every Digital River request.",
)
@click.option(
    "--error-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of Digital River requests that get a 500, from 0 to 1.",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Requests per second admitted; others get 429 with Retry-After.",
)
@click.option(
    "--drop-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of successful POST /fulfillments whose connection is closed "
    "after the fulfillment is stored, from 0 to 1.",
)
@click.option("--seed", type=int, default=None, help="Seed of the random faults.")
def sandbox(
    host: str,
    port: int,
    orders_file: Path | None,
    subfulfillers: tuple[str, ...],
    api_keys: tuple[str, ...],
    latency: float,
    error_rate: float,
    rate_limit: int | None,
    drop_rate: float,
    seed: int | None,
) -> None:
    """Serve a local Digital River API with seeded orders and injected faults."""
    faults = FaultSettings(
        latency=latency,
        error_rate=error_rate,
        rate_limit=rate_limit,
        drop_rate=drop_rate,
        seed=seed,
    )
    try:
        server = _build_server(host, port, orders_file, subfulfillers, api_keys, faults)
        url = server.url
    except SandboxError as exc:
        raise click.ClickException(str(exc)) from None

    click.echo(f"Digital River sandbox at {url}")
    click.echo(f"API key: {server.api_key}")
    if not server.state.orders:
        click.echo(
            "No orders seeded: pass --orders FILE or POST them to /_sandbox/orders."
        )
    server.run()


def _build_server(
    host: str,
    port: int,
    orders_file: Path | None,
    subfulfillers: tuple[str, ...],
    api_keys: tuple[str, ...],
    faults: FaultSettings,
) -> SandboxServer:
    state = SandboxState(
        load_orders(orders_file) if orders_file else [],
        faults=faults,
        api_keys=api_keys or None,
        subfulfiller_ids=subfulfillers or None,
    )
    return SandboxServer(state, host=host, port=port, api_key=_first_key(api_keys))


def _first_key(api_keys: tuple[str, ...]) -> str:
    return api_keys[0] if api_keys else DEFAULT_API_KEY
