"""The Saleor app in its own processes: ``serve``, ``worker`` and their database.

The app is registered through the Saleor test double the way Saleor installs
it: ``POST /api/register`` with a fresh app token and the ``Saleor-Api-Url``
header. ``serve --dev`` allows the double's loopback URL.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.processes import CLI, Child, free_port, wait_until_ok
from plugin.app.config import REGISTER_PATH
from plugin.store import SecretCipher
from tests.support.postgres import PostgresServer, find_postgres_bin
from tests.support.saleor_double import SaleorDouble

__all__ = [
    "SECRET_KEY_ENV",
    "postgres_server",
    "register",
    "start_bare_app",
    "start_serve",
    "start_worker",
    "store_environment",
]

SECRET_KEY_ENV = "DR_DISTRIBUTOR_SECRET_KEY"


def store_environment() -> dict[str, str]:
    """Return environment variables with a new store secret key, shared by all app processes."""
    return {SECRET_KEY_ENV: SecretCipher.generate_key()}


def start_serve(
    log_dir: Path,
    database_url: str,
    settings_path: Path,
    env: dict[str, str],
    *,
    worker: bool = False,
    name: str = "serve",
) -> tuple[Child, str]:
    """Start ``dr-distributor serve --dev`` on a free port; return it and its URL."""
    port = free_port()
    argv = [
        CLI, "serve", "--host", "127.0.0.1", "--port", str(port),
        "--database", database_url, "--settings", str(settings_path), "--dev",
    ]  # fmt: skip
    if not worker:
        argv.append("--no-worker")
    child = Child(name, argv, log_dir, env).start()
    url = f"http://127.0.0.1:{port}"
    wait_until_ok(child, f"{url}/healthz", timeout=60)
    return child, url


def start_worker(
    log_dir: Path,
    database_url: str,
    settings_path: Path,
    env: dict[str, str],
    name: str,
) -> Child:
    """Start ``dr-distributor worker`` on the same database."""
    argv = [CLI, "worker", "--database", database_url, "--settings", str(settings_path)]
    return Child(name, argv, log_dir, env).start()


def start_bare_app(log_dir: Path) -> tuple[Child, str]:
    """Start ``bench.bare_app`` on a free port; return it and its URL."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.bare_app", "--port", str(port)]
    child = Child("bare", argv, log_dir).start()
    url = f"http://127.0.0.1:{port}"
    wait_until_ok(child, f"{url}/healthz", timeout=60)
    return child, url


def register(app_url: str, saleor: SaleorDouble) -> None:
    """Install the app in the Saleor double; raise when the app rejects it."""
    response = httpx.post(
        app_url + REGISTER_PATH,
        json={"auth_token": saleor.issue_app_token()},
        headers={"Saleor-Api-Url": saleor.api_url, "Saleor-Domain": saleor.domain},
        timeout=60,
    )
    if response.status_code != 200:
        raise RuntimeError(
            f"registering the app failed: {response.status_code} {response.text}"
        )


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Run a throwaway PostgreSQL server on 127.0.0.1, as the tests do."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL binaries not found; install PostgreSQL or set POSTGRES_BIN"
        )
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
