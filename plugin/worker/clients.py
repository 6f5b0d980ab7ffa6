"""Digital River and Saleor clients shared by the jobs of a worker.

Jobs of the same Digital River account share one client, so they share its
rate limiter. Without an API key the worker sends to the bundled sandbox,
seeding it with each job's order: a demonstration mode that never reaches
Digital River.
"""

from __future__ import annotations

import logging

from plugin.app.metrics import MetricsObserver
from plugin.demo import orders_for_event
from plugin.digitalriver.client import DigitalRiverClient
from plugin.saleor.graphql import SaleorClient
from plugin.saleor.payload import FulfillmentCreated
from plugin.sandbox.server import SandboxServer
from plugin.settings import DigitalRiverSettings, Settings
from plugin.store import Installation

__all__ = ["ClientPool"]

logger = logging.getLogger(__name__)


class ClientPool:
    """Clients keyed by Digital River settings and by Saleor installation."""

    def __init__(self) -> None:
        self._digitalriver: dict[DigitalRiverSettings, DigitalRiverClient] = {}
        self._saleor: dict[tuple[str, str], SaleorClient] = {}
        self._sandbox: SandboxServer | None = None

    def digitalriver(
        self, settings: Settings, event: FulfillmentCreated
    ) -> DigitalRiverClient:
        """Return the client of the settings' Digital River account."""
        key = settings.digitalriver
        if key.api_key is None:
            self._seed_demo_sandbox(event, settings)
        client = self._digitalriver.get(key)
        if client is None:
            client = self._new_client(key)
            self._digitalriver[key] = client
        return client

    def saleor(self, installation: Installation) -> SaleorClient:
        """Return the GraphQL client of an installation, with its current token."""
        token = installation.token.get_secret_value()
        key = (installation.saleor_api_url, token)
        client = self._saleor.get(key)
        if client is None:
            client = SaleorClient(installation.saleor_api_url, token)
            self._saleor[key] = client
        return client

    async def aclose(self) -> None:
        """Close every client and stop the demonstration sandbox."""
        for client in self._digitalriver.values():
            await client.aclose()
        for saleor in self._saleor.values():
            await saleor.aclose()
        self._digitalriver.clear()
        self._saleor.clear()
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None

    def _new_client(self, settings: DigitalRiverSettings) -> DigitalRiverClient:
        if settings.api_key is not None:
            return DigitalRiverClient(settings, observer=MetricsObserver())
        sandbox = self._demo_sandbox()
        return DigitalRiverClient(
            settings,
            api_key=sandbox.api_key,
            base_url=sandbox.url,
            observer=MetricsObserver(),
        )

    def _demo_sandbox(self) -> SandboxServer:
        if self._sandbox is None:
            self._sandbox = SandboxServer()
            self._sandbox.start()
            logger.warning(
                "worker.demo_sandbox url=%s: no Digital River API key is configured, "
                "so fulfillments go to the bundled sandbox",
                self._sandbox.url,
            )
        return self._sandbox

    def _seed_demo_sandbox(self, event: FulfillmentCreated, settings: Settings) -> None:
        sandbox = self._demo_sandbox()
        for order in orders_for_event(event, settings):
            if sandbox.state.order(order["id"]) is None:
                sandbox.add_order(order)
