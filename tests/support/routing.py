"""Settings and pipeline contexts for routing and pipeline tests."""

from __future__ import annotations

from typing import Any

from hooks import create_plugin_manager
from plugin.context import PipelineContext
from plugin.digitalriver.client import DigitalRiverClient
from plugin.settings import Settings, parse_settings


def distributor(
    id_: str, currency: str = "USD", *, remit: bool = False, shipping: str | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id_,
        "name": f"Distributor {id_}",
        "currency": currency,
        "remit_shipping": remit,
        "address": {"lines": ["1 Dock Rd"], "city": "Reno", "country": "US"},
    }
    if shipping is not None:
        data["shipping_cost"] = shipping
    return data


def cost(
    distributor_id: str, sku: str, amount: str, since: str = "2026-01-01"
) -> dict[str, str]:
    return {
        "distributor": distributor_id,
        "sku": sku,
        "cost": amount,
        "effective_from": since,
    }


def settings(
    distributors: list[dict[str, Any]],
    cost_rows: list[dict[str, str]] = (),  # type: ignore[assignment]
    **sections: Any,
) -> Settings:
    """Return settings; ``sections`` replace whole sections, ``costs`` included."""
    data: dict[str, Any] = {
        "distributors": distributors,
        "costs": {"table": list(cost_rows)},
    }
    data.setdefault("routing", {"default_distributor": distributors[0]["id"]})
    data.update(sections)
    return parse_settings(data, environ={})


def context(
    settings_: Settings, client: DigitalRiverClient, *plugins: object, **fields: Any
) -> PipelineContext:
    manager = create_plugin_manager(load_entry_points=False, plugins=plugins)
    return PipelineContext(
        settings=settings_, digitalriver=client, plugin_manager=manager, **fields
    )
