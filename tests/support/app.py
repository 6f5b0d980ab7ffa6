"""The Saleor app served over real HTTP on 127.0.0.1 for tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from plugin.app.asgi import build_state, create_app
from plugin.app.config import WEBHOOK_PATH, AppConfig
from plugin.app.state import AppState
from plugin.context import utc_now
from plugin.settings import Settings, parse_settings
from plugin.store import Job, SecretCipher, Store
from tests.support.routing import cost, distributor

__all__ = ["AppServer", "app_server", "app_settings", "enqueue_body"]


def app_settings(sandbox: Any, **changes: Any) -> Settings:
    """Settings that send to ``sandbox`` and route everything to one distributor."""
    data: dict[str, Any] = {
        "digitalriver": {
            "api_key": sandbox.api_key,
            "base_url": sandbox.url,
            "requests_per_second": 1000,
            "max_retry_seconds": 5,
        },
        "distributors": [distributor("dist-a", remit=True, shipping="5.00")],
        "routing": {"default_distributor": "dist-a"},
        "costs": {
            "table": [cost("dist-a", sku, "2.50") for sku in ("TEE", "CAP", "MUG")]
        },
    }
    data.update(changes)
    return parse_settings(data, environ={})


def enqueue_body(store: Store, saleor_api_url: str, body: dict[str, Any]) -> Job:
    """Store a FULFILLMENT_CREATED job for ``body``, as the webhook endpoint does."""
    job, _ = store.enqueue_job(
        saleor_api_url,
        body["fulfillment"]["id"],
        body["order"]["id"],
        body["order"]["number"],
        "fulfillment_created",
        json.dumps(body),
        utc_now(),
    )
    return job


class AppServer:
    """The app with its worker, served by uvicorn in a thread."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.app = create_app(state)
        self._socket = socket.socket(
            socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
        )
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> AppServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("app server did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()

    def deliver(
        self, saleor: Any, body: bytes, **header_changes: str
    ) -> httpx.Response:
        """POST a signed FULFILLMENT_CREATED delivery, as ``saleor`` would."""
        headers = saleor.webhook_headers(body)
        headers.update(header_changes)
        return httpx.post(
            self.url + WEBHOOK_PATH, content=body, headers=headers, timeout=10
        )

    def register(self, saleor: Any, token: str | None = None) -> httpx.Response:
        return httpx.post(
            self.url + "/api/register",
            json={"auth_token": token or saleor.issue_app_token()},
            headers={"Saleor-Api-Url": saleor.api_url, "Saleor-Domain": saleor.domain},
            timeout=30,
        )

    def wait_for_jobs(
        self, statuses: set[str], count: int = 1, timeout: float = 20
    ) -> list[Any]:
        """Wait until ``count`` jobs have one of ``statuses``; return all jobs."""
        deadline = time.monotonic() + timeout
        while True:
            jobs = self.state.store.list_jobs(limit=1000)
            if sum(job.status.value in statuses for job in jobs) >= count:
                return jobs
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"jobs did not reach {statuses}: {[(j.id, j.status, j.last_error) for j in jobs]}"
                )
            time.sleep(0.05)


def make_state(
    tmp_path: Path,
    settings: Settings,
    cipher: SecretCipher | None = None,
    **config_changes: Any,
) -> AppState:
    config = AppConfig(
        public_url="http://127.0.0.1:1",
        database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        allow_loopback=True,
        poll_seconds=0.05,
        lease_seconds=30,
        retry_base_seconds=0.05,
        retry_max_seconds=0.2,
        max_job_age=dt.timedelta(hours=72),
    )
    config = dataclasses.replace(config, **config_changes)
    store = Store.open(config.database_url, cipher=cipher)
    return build_state(config, store, settings)


@pytest.fixture
def app_server(tmp_path: Path, sandbox: Any) -> Iterator[AppServer]:
    """The app with its worker, default settings sending to ``sandbox``."""
    server = AppServer(make_state(tmp_path, app_settings(sandbox))).start()
    yield server
    server.stop()
