"""Fixtures for tests that talk to the Digital River sandbox over HTTP.

``sandbox`` is a started ``SandboxServer`` seeded with ``SEED_ORDERS``;
``sandbox_http`` is an ``httpx.Client`` for it that sends the test key.
``make_order`` builds a seed order with fresh ids and ``add_order`` adds it
through ``POST /_sandbox/orders``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from plugin.sandbox import SandboxServer

__all__ = [
    "SEED_ORDERS",
    "add_order",
    "auth_headers",
    "make_order",
    "sandbox",
    "sandbox_http",
]

SEED_ORDERS: list[dict[str, Any]] = [
    {
        "id": "240012340337",
        "currency": "USD",
        "items": [{"id": "170012340340", "skuId": "328223580", "quantity": 2}],
    },
    {
        "id": "240012340338",
        "currency": "EUR",
        "metadata": {"saleorOrderId": "T3JkZXI6Mg=="},
        "items": [
            {"id": "170012340350", "skuId": "TEE-M", "quantity": 3},
            {"id": "170012340351", "skuId": "CAP", "quantity": 1},
        ],
    },
    {
        "id": "240012340339",
        "currency": "JPY",
        "items": [{"id": "170012340360", "skuId": "MUG", "quantity": 1}],
    },
]
"""Orders every ``sandbox`` starts with: one item of 2 units (USD), two items
of 3 and 1 units (EUR), and one item of 1 unit (JPY)."""

_numbers = itertools.count(1)


def make_order(
    *quantities: int, currency: str = "USD", order_id: str | None = None
) -> dict[str, Any]:
    """Build a seed order with one item per quantity and ids no other order uses."""
    number = next(_numbers)
    order_id = order_id or f"ord-{number}"
    items = [
        {
            "id": f"{order_id}-item-{index}",
            "skuId": f"SKU-{index}",
            "quantity": quantity,
        }
        for index, quantity in enumerate(quantities or (1,), start=1)
    ]
    return {"id": order_id, "currency": currency, "items": items}


def add_order(server: SandboxServer, order: dict[str, Any]) -> dict[str, Any]:
    """Add ``order`` through ``POST /_sandbox/orders``; return the stored order."""
    response = httpx.post(f"{server.url}/_sandbox/orders", json=order)
    response.raise_for_status()
    stored: dict[str, Any] = response.json()
    return stored


def auth_headers(server: SandboxServer) -> dict[str, str]:
    """Return the ``Authorization`` header for the server's test key."""
    return {"Authorization": f"Bearer {server.api_key}"}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A started sandbox seeded with ``SEED_ORDERS``, stopped after the test."""
    with SandboxServer(orders=SEED_ORDERS) as server:
        yield server


@pytest.fixture
def sandbox_http(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """An HTTP client for ``sandbox`` that authenticates with its test key."""
    with httpx.Client(
        base_url=sandbox.url, headers=auth_headers(sandbox), timeout=10
    ) as client:
        yield client
