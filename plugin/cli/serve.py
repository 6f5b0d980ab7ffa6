"""``dr-distributor serve``, ``worker`` and ``secret-key``."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from pathlib import Path

import click
import uvicorn

from plugin.app.asgi import build_state, create_app
from plugin.app.config import AppConfig
from plugin.cli.options import SECRET_KEY_ENV, database_option, secret_key_option
from plugin.errors import PluginError
from plugin.settings import load_settings
from plugin.store import SecretCipher, Store
from plugin.worker.loop import Worker

__all__ = ["secret_key", "serve", "worker"]

logger = logging.getLogger(__name__)


lease_option = click.option(
    "--lease-seconds",
    default=120.0,
    show_default=True,
    type=click.FloatRange(min=3),
    help=(
        "Seconds a running job stays claimed without renewal; after a worker "
        "crashes, others take its jobs over once this has passed."
    ),
)


def _open_store(database: str, secret_key: str | None, dev: bool) -> Store:
    if secret_key is None and not dev:
        raise click.UsageError(
            f"set {SECRET_KEY_ENV} (make a key with `dr-distributor secret-key`) so app "
            "tokens and settings are stored encrypted; --dev allows running without it"
        )
    if secret_key is None:
        logger.warning(
            "store.unencrypted: no %s, so app tokens, settings (with the Digital River "
            "API key) and webhook bodies are stored in plain text",
            SECRET_KEY_ENV,
        )
    cipher = SecretCipher(secret_key) if secret_key else None
    return Store.open(database, cipher=cipher)


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to listen on."
)
@click.option("--port", default=8000, show_default=True, help="TCP port to listen on.")
@click.option(
    "--public-url",
    help="URL at which Saleor reaches the app [default: http://HOST:PORT].",
)
@database_option
@secret_key_option
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Default settings for installations that have none of their own.",
)
@click.option(
    "--allow-saleor",
    multiple=True,
    metavar="PATTERN",
    help="Saleor API URL pattern allowed to install the app, such as 'https://*.saleor.cloud/graphql/'. Repeatable.",
)
@click.option(
    "--dashboard-origin",
    multiple=True,
    help="Origin of the Saleor dashboard allowed to message the settings page. Repeatable.",
)
@click.option(
    "--dev",
    is_flag=True,
    help="Also allow Saleor instances on loopback addresses, and run without a secret key.",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Only accept webhooks; run `dr-distributor worker` elsewhere.",
)
@click.option(
    "--concurrency", default=4, show_default=True, help="Jobs the worker runs at once."
)
@lease_option
def serve(
    host: str,
    port: int,
    public_url: str | None,
    database: str,
    secret_key: str | None,
    settings_path: Path | None,
    allow_saleor: tuple[str, ...],
    dashboard_origin: tuple[str, ...],
    dev: bool,
    no_worker: bool,
    concurrency: int,
    lease_seconds: float,
) -> None:
    """Serve the Saleor app: manifest, install, webhooks, settings page, worker."""
    try:
        settings = load_settings(settings_path)
        store = _open_store(database, secret_key, dev)
    except PluginError as error:
        raise click.ClickException(str(error)) from None
    config = AppConfig(
        public_url=public_url or f"http://{host}:{port}",
        database_url=database,
        settings_path=settings_path,
        allowed_saleor_urls=allow_saleor,
        allow_loopback=dev,
        dashboard_origins=dashboard_origin,
        run_worker=not no_worker,
        worker_concurrency=concurrency,
        lease_seconds=lease_seconds,
    )
    app = create_app(build_state(config, store, settings))
    click.echo(f"Manifest: {config.url('/api/manifest')}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", log_config=None)


@click.command()
@database_option
@secret_key_option
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Default settings for installations that have none of their own.",
)
@click.option("--concurrency", default=4, show_default=True, help="Jobs run at once.")
@lease_option
@click.option(
    "--max-job-age",
    default=72.0,
    show_default=True,
    help="Hours a job is retried before it fails.",
)
@click.option("--dev", is_flag=True, help="Run without a secret key.")
def worker(
    database: str,
    secret_key: str | None,
    settings_path: Path | None,
    concurrency: int,
    lease_seconds: float,
    max_job_age: float,
    dev: bool,
) -> None:
    """Run the worker alone; stops cleanly on SIGTERM or Ctrl-C."""
    try:
        settings = load_settings(settings_path)
        store = _open_store(database, secret_key, dev)
    except PluginError as error:
        raise click.ClickException(str(error)) from None
    config = AppConfig(
        database_url=database,
        worker_concurrency=concurrency,
        lease_seconds=lease_seconds,
        max_job_age=dt.timedelta(hours=max_job_age),
    )
    asyncio.run(_run_worker(Worker(build_state(config, store, settings))))


async def _run_worker(job_worker: Worker) -> None:
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, job_worker.stop)
    try:
        await job_worker.run()
    finally:
        await job_worker.state.jwks.aclose()


@click.command("secret-key")
def secret_key() -> None:
    """Print a new key for DR_DISTRIBUTOR_SECRET_KEY."""
    click.echo(SecretCipher.generate_key())
