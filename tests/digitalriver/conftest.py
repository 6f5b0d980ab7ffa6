"""Fixtures for the Digital River client tests: settings, fake DR, fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from random import Random
from typing import Any

import httpx
import pytest

from plugin.digitalriver import (
    REQUEST_KEY_FIELD,
    DigitalRiverClient,
    FulfillmentRequest,
    FulfillmentRequestItem,
)
from plugin.settings import DigitalRiverSettings
from tests.digitalriver.fakes import FakeClock, FakeDigitalRiver

API_KEY = "sk_test_unitSecret123"
ORDER_ID = "ord_1001"
REQUEST_KEY = "job-42:USD"

ClientFactory = Callable[..., DigitalRiverClient]


@pytest.fixture
def settings() -> DigitalRiverSettings:
    return DigitalRiverSettings(
        api_key=API_KEY,
        base_url="https://api.digitalriver.test",
        api_version="2021-12-13",
        requests_per_second=1000,
        max_attempts=5,
        max_retry_seconds=120,
        max_retry_after_seconds=60,
    )


@pytest.fixture
def fake_dr() -> FakeDigitalRiver:
    fake = FakeDigitalRiver()
    fake.add_order(ORDER_ID, {"item_1": 2, "item_2": 1})
    return fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_client(
    settings: DigitalRiverSettings, fake_dr: FakeDigitalRiver, clock: FakeClock
) -> AsyncIterator[ClientFactory]:
    clients: list[DigitalRiverClient] = []

    def factory(**overrides: Any) -> DigitalRiverClient:
        options: dict[str, Any] = {
            "transport": httpx.MockTransport(fake_dr.handle),
            "sleep": clock.sleep,
            "clock": clock,
            "random": Random(7),
        }
        options.update(overrides)
        client_settings = options.pop("settings", settings)
        client = DigitalRiverClient(client_settings, **options)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(make_client: ClientFactory) -> DigitalRiverClient:
    return make_client()


def make_request(
    request_key: str | None = REQUEST_KEY, order_id: str = ORDER_ID
) -> FulfillmentRequest:
    metadata: dict[str, str | int | bool] = {
        "saleorFulfillmentId": "RnVsZmlsbG1lbnQ6MQ=="
    }
    if request_key is not None:
        metadata[REQUEST_KEY_FIELD] = request_key
    return FulfillmentRequest(
        order_id=order_id,
        items=[
            FulfillmentRequestItem(
                item_id="item_1",
                quantity=2,
                subfulfiller_id="dist-1",
                distributor_cost=Decimal("12.30"),
                shipping_cost=Decimal("4.05"),
            ),
            FulfillmentRequestItem(
                item_id="item_2",
                quantity=1,
                subfulfiller_id="dist-1",
                distributor_cost=Decimal("7.00"),
            ),
        ],
        currency="USD",
        metadata=metadata,
        tracking_number="1Z999",
    )
