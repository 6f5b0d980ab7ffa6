"""The client over real HTTP against the bundled Digital River sandbox.

Each test adds a fresh order to a sandbox on 127.0.0.1 (the ``sandbox``
fixture of ``tests.support.sandbox``), scripts the faults of the next
requests through ``PUT /_sandbox/faults`` and reads back what the sandbox
received from ``GET /_sandbox/requests``. Waits are recorded by an injected
``sleep`` instead of being slept.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from plugin.digitalriver import (
    REQUEST_KEY_FIELD,
    DigitalRiverClient,
    FulfillmentRequest,
    FulfillmentRequestItem,
    OrderFulfilledError,
    ValidationError,
)
from plugin.sandbox import SandboxServer
from plugin.settings import DigitalRiverSettings
from tests.support.openapi import validate_request
from tests.support.sandbox import add_order, make_order

UNITS = 3


@dataclass(frozen=True)
class SeededOrder:
    order_id: str
    item_id: str


class RecordedSleep:
    """Async ``sleep`` that returns at once and records each requested delay."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def seed(sandbox: SandboxServer, units: int = UNITS) -> SeededOrder:
    stored = add_order(sandbox, make_order(units))
    return SeededOrder(stored["id"], stored["items"][0]["id"])


@pytest.fixture
def order(sandbox: SandboxServer) -> SeededOrder:
    return seed(sandbox)


@pytest.fixture
def control(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=10) as client:
        yield client


@pytest.fixture
def sleep() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
async def dr_client(
    sandbox: SandboxServer, sleep: RecordedSleep
) -> AsyncIterator[DigitalRiverClient]:
    settings = DigitalRiverSettings(
        requests_per_second=1000, read_timeout=10, max_attempts=4
    )
    async with DigitalRiverClient(
        settings, api_key=sandbox.api_key, base_url=sandbox.url, sleep=sleep
    ) as client:
        yield client


def script_faults(control: httpx.Client, *names: str) -> None:
    response = control.put("/_sandbox/faults", json={"script": list(names)})
    response.raise_for_status()


def received(control: httpx.Client, method: str | None = None) -> list[dict[str, Any]]:
    response = control.get("/_sandbox/requests")
    response.raise_for_status()
    records: list[dict[str, Any]] = response.json()["data"]
    return [r for r in records if method is None or r["method"] == method]


def fulfillment_request(
    order: SeededOrder,
    key: str = "job-1:USD",
    quantity: int = 1,
    item_id: str | None = None,
) -> FulfillmentRequest:
    return FulfillmentRequest(
        order_id=order.order_id,
        items=[
            FulfillmentRequestItem(
                item_id=item_id or order.item_id,
                quantity=quantity,
                subfulfiller_id="dist-1",
                distributor_cost=Decimal("12.30") * quantity,
                shipping_cost=Decimal("4.05"),
            )
        ],
        currency="USD",
        metadata={REQUEST_KEY_FIELD: key},
    )


async def test_creates_one_fulfillment(
    dr_client: DigitalRiverClient, control: httpx.Client, order: SeededOrder
) -> None:
    result = await dr_client.create_fulfillment(fulfillment_request(order))

    assert result.created is True
    assert result.fulfillment.order_id == order.order_id
    assert result.fulfillment.request_key == "job-1:USD"
    assert result.fulfillment.items[0].distributor_cost == Decimal("12.30")
    assert len(received(control, "POST")) == 1


@pytest.mark.parametrize(
    "fault", ["server_error", "bad_gateway", "service_unavailable", "gateway_timeout"]
)
async def test_server_error_then_success_fulfils_once(
    dr_client: DigitalRiverClient,
    control: httpx.Client,
    order: SeededOrder,
    fault: str,
) -> None:
    script_faults(control, fault)

    result = await dr_client.create_fulfillment(fulfillment_request(order))
    fulfillments = await dr_client.list_fulfillments(order.order_id)

    assert result.created is True
    assert [f.id for f in fulfillments] == [result.fulfillment.id]
    assert len(received(control, "POST")) == 2


async def test_drop_after_commit_fulfils_once(
    dr_client: DigitalRiverClient, control: httpx.Client, order: SeededOrder
) -> None:
    script_faults(control, "drop_after_commit")

    result = await dr_client.create_fulfillment(fulfillment_request(order))
    fulfillments = await dr_client.list_fulfillments(order.order_id)

    assert result.created is False
    assert [f.id for f in fulfillments] == [result.fulfillment.id]
    assert len(received(control, "POST")) == 1


async def test_drop_before_commit_is_retried(
    dr_client: DigitalRiverClient, control: httpx.Client, order: SeededOrder
) -> None:
    script_faults(control, "drop_before_commit")

    result = await dr_client.create_fulfillment(fulfillment_request(order))
    fulfillments = await dr_client.list_fulfillments(order.order_id)

    assert result.created is True
    assert len(fulfillments) == 1
    assert len(received(control, "POST")) == 2


async def test_rate_limited_waits_retry_after(
    dr_client: DigitalRiverClient,
    control: httpx.Client,
    order: SeededOrder,
    sleep: RecordedSleep,
) -> None:
    script_faults(control, "rate_limited")

    result = await dr_client.create_fulfillment(fulfillment_request(order))

    assert result.created is True
    assert len(sleep.delays) == 1
    assert sleep.delays[0] >= 1.0
    assert [r["status"] for r in received(control, "POST")] == [429, 201]


async def test_bad_request_is_sent_once(
    dr_client: DigitalRiverClient,
    control: httpx.Client,
    order: SeededOrder,
    sleep: RecordedSleep,
) -> None:
    request = fulfillment_request(order, item_id="no-such-item")

    with pytest.raises(ValidationError) as caught:
        await dr_client.create_fulfillment(request)

    assert caught.value.status == 400
    assert caught.value.request_id
    assert "no-such-item" in str(caught.value)
    assert len(received(control)) == 1
    assert sleep.delays == []


async def test_rerun_after_full_fulfilment_finds_earlier_one(
    dr_client: DigitalRiverClient, control: httpx.Client, order: SeededOrder
) -> None:
    request = fulfillment_request(order, quantity=UNITS)
    first = await dr_client.create_fulfillment(request)

    again = await dr_client.create_fulfillment(request)

    assert again.created is False
    assert again.fulfillment.id == first.fulfillment.id
    assert [r["status"] for r in received(control, "POST")] == [201, 409]


async def test_order_fulfilled_by_another_key_raises(
    dr_client: DigitalRiverClient, control: httpx.Client, order: SeededOrder
) -> None:
    await dr_client.create_fulfillment(fulfillment_request(order, "first", UNITS))

    with pytest.raises(OrderFulfilledError):
        await dr_client.create_fulfillment(fulfillment_request(order, "second"))

    assert len(received(control, "POST")) == 2


async def test_list_follows_pages_past_limit(
    dr_client: DigitalRiverClient, control: httpx.Client, sandbox: SandboxServer
) -> None:
    order = seed(sandbox, units=101)
    created = set()
    for index in range(101):
        request = fulfillment_request(order, f"key-{index}")
        created.add((await dr_client.create_fulfillment(request)).fulfillment.id)

    listed = await dr_client.list_fulfillments(order.order_id)
    oldest = await dr_client.find_fulfillment(order.order_id, "key-0")

    assert len(listed) == 101
    assert {f.id for f in listed} == created
    assert oldest is not None
    lists = [r for r in received(control, "GET") if r["path"] == "/fulfillments"]
    assert "startingAfter" not in lists[0]["query"]
    assert lists[1]["query"]["startingAfter"] == [listed[99].id]


async def test_sent_bodies_match_openapi(
    dr_client: DigitalRiverClient, control: httpx.Client, order: SeededOrder
) -> None:
    script_faults(control, "server_error", "drop_after_commit")
    await dr_client.create_fulfillment(fulfillment_request(order, "a"))
    await dr_client.create_fulfillment(fulfillment_request(order, "b"))

    posts = received(control, "POST")
    assert len(posts) == 3
    for post in posts:
        body = json.loads(json.dumps(post["body"], default=float))
        validate_request("POST", "/fulfillments", body)


async def test_get_order_from_sandbox(
    dr_client: DigitalRiverClient, order: SeededOrder
) -> None:
    fetched = await dr_client.get_order(order.order_id)

    assert fetched.id == order.order_id
    assert fetched.items[0].id == order.item_id
    assert fetched.items[0].quantity == UNITS
