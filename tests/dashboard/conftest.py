"""Fixtures of the dashboard tests: a store, the Saleor double, an app and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from plugin.app.state import AppState
from plugin.store import Store
from tests.dashboard.support import auth_headers, build_app, install, make_state
from tests.support.saleor_double import SaleorDouble, saleor

__all__ = ["saleor"]


@pytest.fixture(autouse=True)
def _no_environment_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIGITALRIVER_API_KEY", raising=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path / 'app.sqlite3'}") as opened:
        yield opened


@pytest.fixture
def state(store: Store) -> AppState:
    return make_state(store)


@pytest.fixture
def installed(store: Store, saleor: SaleorDouble) -> SaleorDouble:
    """The Saleor double, with the app installed in it and no settings saved."""
    install(store, saleor)
    return saleor


@pytest.fixture
async def client(state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(state))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://app.test"
    ) as http:
        yield http
    await state.jwks.aclose()


@pytest.fixture
def headers(installed: SaleorDouble) -> dict[str, str]:
    """Headers of a staff user with MANAGE_APPS."""
    return auth_headers(installed)
