"""Fixtures every test module can use: settings, plugin manager, payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plugin.digitalriver.client import DigitalRiverClient
from plugin.settings import DigitalRiverSettings
from tests.support.paths import CAPTURED, EXAMPLES


def captured_delivery(name: str) -> dict[str, Any]:
    """Return a captured Saleor delivery file from the reference data."""
    with (CAPTURED / f"{name}.json").open(encoding="utf-8") as file:
        data: dict[str, Any] = json.load(file)
    return data


@pytest.fixture
def example_payload() -> bytes:
    return (EXAMPLES / "fulfillment_created.json").read_bytes()


@pytest.fixture
def example_settings_path() -> Path:
    return EXAMPLES / "settings.toml"


@pytest.fixture
async def dr_client(sandbox):
    """A Digital River client for the ``sandbox`` fixture, without rate limiting."""
    settings = DigitalRiverSettings(requests_per_second=1000)
    async with DigitalRiverClient(
        settings, api_key=sandbox.api_key, base_url=sandbox.url
    ) as client:
        yield client
