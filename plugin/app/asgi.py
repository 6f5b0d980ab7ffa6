"""The Saleor app as an ASGI application, with its worker in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from hooks import create_plugin_manager
from plugin.app.config import MANIFEST_PATH, REGISTER_PATH, WEBHOOK_PATH, AppConfig
from plugin.app.health import healthz, metrics, readyz
from plugin.app.manifest import manifest_endpoint
from plugin.app.metrics import build_registry
from plugin.app.register import register_endpoint
from plugin.app.state import AppState
from plugin.app.webhooks import fulfillment_created_endpoint
from plugin.saleor.jwks import Jwks, JwksCache
from plugin.saleor.reporter import SaleorReporter
from plugin.settings import Settings
from plugin.store import Store
from plugin.worker.loop import Worker

__all__ = ["build_state", "create_app"]

logger = logging.getLogger(__name__)

STATIC_DIRECTORY = Path(__file__).parent / "static"


def build_state(config: AppConfig, store: Store, settings: Settings) -> AppState:
    """Return the app state: the JWKS cache seeded from the store, the plugins."""
    known: dict[str, Jwks] = {
        installation.saleor_api_url: json.loads(installation.jwks)
        for installation in store.list_installations()
        if installation.jwks
    }
    state: AppState | None = None

    async def save(api_url: str, jwks: Jwks) -> None:
        # Keys fetched while registering are stored with the installation.
        if state is not None and await state.installation(api_url) is not None:
            await state.save_jwks(api_url, jwks)

    state = AppState(
        config=config,
        store=store,
        jwks=JwksCache(initial=known, on_fetched=save),
        plugin_manager=create_plugin_manager(plugins=[SaleorReporter()]),
        default_settings=settings,
    )
    return state


def create_app(state: AppState) -> Starlette:
    """Return the ASGI app; its lifespan runs the worker when configured."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker = Worker(state) if state.config.run_worker else None
        task = None
        if worker is not None:
            task = asyncio.create_task(worker.run())
        # The app's long-lived objects (schema, settings, modules) need no
        # more collecting; freezing them shortens full collections under load.
        gc.freeze()
        try:
            yield
        finally:
            if worker is not None and task is not None:
                worker.stop()
                await task
            await state.jwks.aclose()

    app = Starlette(routes=_routes(state), lifespan=lifespan)
    app.state.app = state
    app.state.metrics = build_registry(state.store)
    return app


def _routes(state: AppState) -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route(MANIFEST_PATH, manifest_endpoint, methods=["GET"]),
        Route(REGISTER_PATH, register_endpoint, methods=["POST"]),
        Route(WEBHOOK_PATH, fulfillment_created_endpoint, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static"),
    ]
    try:
        from plugin.dashboard import dashboard_routes
    except ImportError:  # pragma: no cover
        return routes
    return routes + dashboard_routes(state)
