"""The distributor registry that the merchant hands Digital River before go-live.

Each distributor has its agreed id (the ``subfulfillerId``), name, address,
payout currency and whether shipping costs are remitted to it. The registry
is exported from the installation's saved settings as CSV or JSON.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from plugin.dashboard.auth import DashboardContext
from plugin.dashboard.http import json_response
from plugin.settings import Distributor, Settings

__all__ = [
    "CSV_COLUMNS",
    "get_registry_csv",
    "get_registry_json",
    "registry_csv",
    "registry_entries",
]

MAX_ADDRESS_LINES = 3
CSV_COLUMNS = (
    "id",
    "name",
    *(f"address_line_{number}" for number in range(1, MAX_ADDRESS_LINES + 1)),
    "city",
    "region",
    "postal_code",
    "country",
    "currency",
    "remit_shipping",
)


def registry_entries(settings: Settings) -> list[dict[str, Any]]:
    """Return one JSON-ready entry per distributor, in the settings' order."""
    return [_entry(distributor) for distributor in settings.distributors]


def registry_csv(settings: Settings) -> str:
    """Return the registry as CSV text with a header row of ``CSV_COLUMNS``."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for distributor in settings.distributors:
        writer.writerow(_csv_row(distributor))
    return output.getvalue()


async def get_registry_json(request: Request, context: DashboardContext) -> Response:
    """``GET /api/dashboard/registry.json``: ``{"distributors": [...]}``."""
    settings = context.state.settings_for(context.installation)
    response = json_response({"distributors": registry_entries(settings)})
    response.headers["Content-Disposition"] = _attachment("distributor-registry.json")
    return response


async def get_registry_csv(request: Request, context: DashboardContext) -> Response:
    """``GET /api/dashboard/registry.csv``: the registry as a CSV download."""
    settings = context.state.settings_for(context.installation)
    return Response(
        registry_csv(settings),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _attachment("distributor-registry.csv")},
    )


def _entry(distributor: Distributor) -> dict[str, Any]:
    address = distributor.address
    return {
        "id": distributor.id,
        "name": distributor.name,
        "address": {
            "lines": list(address.lines),
            "city": address.city,
            "region": address.region,
            "postal_code": address.postal_code,
            "country": address.country,
        },
        "currency": distributor.currency,
        "remit_shipping": distributor.remit_shipping,
    }


def _csv_row(distributor: Distributor) -> list[str]:
    address = distributor.address
    lines = [*address.lines, *[""] * MAX_ADDRESS_LINES][:MAX_ADDRESS_LINES]
    return [
        distributor.id,
        distributor.name,
        *lines,
        address.city,
        address.region or "",
        address.postal_code or "",
        address.country,
        distributor.currency,
        "true" if distributor.remit_shipping else "false",
    ]


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'
