"""Webhook bodies, Digital River seed orders and settings shared by the benchmarks.

Bodies come from ``tests.support.payloads``, which shapes them exactly as
Saleor 3.24 does, so the benchmarks need the test dependencies installed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.payloads import Line, fulfillment_created, sandbox_order

__all__ = [
    "COST_DATE",
    "Delivery",
    "make_deliveries",
    "seed_orders",
    "settings_data",
    "write_json",
]

COST_DATE = "2026-01-01"
"""First day of every unit cost, before 2026-12-02 when the bodies' fulfillments are created."""

USD_DISTRIBUTOR = "dist-usd"
EUR_DISTRIBUTOR = "dist-eur"


class Delivery:
    """One FULFILLMENT_CREATED body and the Digital River requests it should cause."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.raw = json.dumps(body).encode()
        self.fulfillment_id: str = body["fulfillment"]["id"]
        self.dr_order_id: str = body["order"]["privateMetadata"][0]["value"]
        skus = [
            line["orderLine"]["productSku"] for line in body["fulfillment"]["lines"]
        ]
        self.currencies = sorted({"EUR" if sku == "BOOT" else "USD" for sku in skus})


def make_deliveries(
    count: int, *, two_currency_every: int = 0, prefix: str = "bench"
) -> list[Delivery]:
    """Return ``count`` bodies with fresh ids, one USD line each.

    With ``two_currency_every`` set to N, every Nth body also has a line
    routed to a distributor paid in EUR, so it needs two Digital River requests.
    """
    deliveries = []
    for index in range(count):
        order_id = f"{prefix}-{index:06d}"
        lines = [Line("TEE", 1, item_id=f"{order_id}-1")]
        if two_currency_every and index % two_currency_every == 0:
            lines.append(Line("BOOT", 1, item_id=f"{order_id}-2"))
        body = fulfillment_created(lines, order_id=order_id, number=str(index + 1))
        deliveries.append(Delivery(body))
    return deliveries


def seed_orders(deliveries: list[Delivery]) -> list[dict[str, Any]]:
    """Return the sandbox seed orders behind ``deliveries``, in the seed-file format."""
    return [sandbox_order(delivery.body) for delivery in deliveries]


def _distributor(
    distributor_id: str, currency: str, shipping: str | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": distributor_id,
        "name": f"Distributor {distributor_id}",
        "currency": currency,
        "remit_shipping": shipping is not None,
        "address": {"lines": ["1 Dock Rd"], "city": "Reno", "country": "US"},
    }
    if shipping is not None:
        data["shipping_cost"] = shipping
    return data


def settings_data(base_url: str, api_key: str, **digitalriver: Any) -> dict[str, Any]:
    """Return settings that send to ``base_url`` and route the bodies' SKUs.

    TEE goes to a USD distributor with shipping remitted, BOOT to an EUR
    distributor. ``digitalriver`` adds or overrides keys of that section.
    """
    costs = [
        (USD_DISTRIBUTOR, "TEE", "8.75"),
        (USD_DISTRIBUTOR, "CAP", "4.10"),
        (EUR_DISTRIBUTOR, "BOOT", "31.20"),
    ]
    return {
        "digitalriver": {"api_key": api_key, "base_url": base_url, **digitalriver},
        "distributors": [
            _distributor(USD_DISTRIBUTOR, "USD", "5.00"),
            _distributor(EUR_DISTRIBUTOR, "EUR", None),
        ],
        "routing": {
            "by_sku": [{"sku": "BOOT", "distributor": EUR_DISTRIBUTOR}],
            "default_distributor": USD_DISTRIBUTOR,
        },
        "costs": {
            "table": [
                {
                    "distributor": distributor,
                    "sku": sku,
                    "cost": cost,
                    "effective_from": COST_DATE,
                }
                for distributor, sku, cost in costs
            ]
        },
    }


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON to ``path`` and return the path."""
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
