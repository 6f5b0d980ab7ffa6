"""Cost table endpoints: preview a CSV import, and export the saved table as CSV."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from plugin.dashboard.auth import DashboardContext
from plugin.dashboard.costs import cost_json, cost_table_csv, diff_costs, parse_cost_csv
from plugin.dashboard.http import ApiError, json_response, read_json_object

__all__ = ["get_costs_csv", "preview_costs"]


async def preview_costs(request: Request, context: DashboardContext) -> Response:
    """``POST /api/dashboard/costs/preview``: what importing a CSV would change.

    The body is ``{"csv": text, "table": [...], "distributors": [...]}``.
    ``table`` and ``distributors`` are the form's current, perhaps unsaved,
    rows; without them the saved settings are used. Nothing is saved: the
    page applies the rows to the form, and saving the form stores them.
    """
    body = await read_json_object(request, context.state.config.max_body_bytes)
    text = body.get("csv")
    if not isinstance(text, str):
        raise ApiError(400, 'the body needs "csv": the text of the CSV file')

    settings = context.state.settings_for(context.installation)
    current = _list_of_objects(body, "table")
    if current is None:
        current = [cost_json(cost) for cost in settings.costs.table]
    distributors = _list_of_objects(body, "distributors")
    if distributors is None:
        distributors = [
            {"id": distributor.id, "currency": distributor.currency}
            for distributor in settings.distributors
        ]
    currencies = {
        str(item.get("id")): str(item.get("currency")) for item in distributors
    }

    costs, problems = parse_cost_csv(text, currencies)
    if problems:
        return json_response(
            {"valid": False, "problems": [asdict(problem) for problem in problems]}
        )
    diff = diff_costs(current, costs)
    return json_response(
        {"valid": True, "rows": [cost_json(cost) for cost in costs], **asdict(diff)}
    )


async def get_costs_csv(request: Request, context: DashboardContext) -> Response:
    """``GET /api/dashboard/costs.csv``: the saved cost table as a CSV download."""
    settings = context.state.settings_for(context.installation)
    return Response(
        cost_table_csv(settings),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unit-costs.csv"'},
    )


def _list_of_objects(body: dict[str, Any], name: str) -> list[dict[str, Any]] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ApiError(400, f'"{name}" must be a list of objects')
    return value
