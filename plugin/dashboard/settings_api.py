"""Settings endpoints: the JSON Schema, and reading, checking and saving the settings.

Saved settings apply from the next job on, because the worker reads them per
job through ``AppState.settings_for``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from plugin.dashboard.auth import DashboardContext
from plugin.dashboard.http import ApiError, json_response, read_json_object
from plugin.dashboard.problems import FieldProblem, problems_json
from plugin.dashboard.settings_data import (
    merge_api_key,
    redact,
    settings_data,
    stored_settings,
    validate_settings,
)
from plugin.settings import Settings, settings_json_schema
from plugin.store import RecordNotFound

__all__ = ["get_schema", "get_settings", "put_settings", "validate_settings_endpoint"]

logger = logging.getLogger(__name__)


async def get_schema(request: Request, context: DashboardContext) -> Response:
    """``GET /api/dashboard/schema``: the JSON Schema that drives the form."""
    return json_response(settings_json_schema())


async def get_settings(request: Request, context: DashboardContext) -> Response:
    """``GET /api/dashboard/settings``: the settings without the API key.

    Stored settings that no longer validate are returned as stored, with
    their problems in ``fields``, so the form can show what to fix.
    """
    stored = stored_settings(context.state, context.installation)
    settings, problems = validate_settings(stored.data)
    data = stored.data if settings is None else settings_data(settings)
    return json_response(_settings_body(data, stored.source, problems))


async def put_settings(request: Request, context: DashboardContext) -> Response:
    """``PUT /api/dashboard/settings``: replace the settings, or save nothing."""
    settings = await _checked_submission(request, context)
    data = settings_data(settings)
    api_url = context.installation.saleor_api_url
    try:
        await run_in_threadpool(
            context.state.store.update_installation_settings, api_url, json.dumps(data)
        )
    except RecordNotFound:
        raise ApiError(
            404, "the app was uninstalled from this Saleor; nothing was saved"
        ) from None
    logger.info(
        "dashboard.settings_saved saleor_api_url=%s user_id=%s distributors=%s",
        api_url,
        context.user.user_id,
        len(settings.distributors),
    )
    return json_response(_settings_body(data, "installation", []))


async def validate_settings_endpoint(
    request: Request, context: DashboardContext
) -> Response:
    """``POST /api/dashboard/settings/validate``: check settings without saving."""
    try:
        await _checked_submission(request, context)
    except ApiError as error:
        if error.status != 422:
            raise
        return json_response({"valid": False, "fields": problems_json(error.problems)})
    return json_response({"valid": True, "fields": []})


async def _checked_submission(request: Request, context: DashboardContext) -> Settings:
    submitted = await read_json_object(request, context.state.config.max_body_bytes)
    stored = stored_settings(context.state, context.installation)
    merged, key_problems = merge_api_key(submitted, stored.data)
    settings, problems = validate_settings(merged)
    problems = key_problems + problems
    if settings is None or problems:
        raise ApiError(422, _invalid_message(problems), problems)
    return settings


def _invalid_message(problems: list[FieldProblem]) -> str:
    count = len(problems)
    values = "value is" if count == 1 else "values are"
    return (
        f"{count} {values} invalid, so nothing was saved; fix the fields marked below"
    )


def _settings_body(
    data: dict[str, Any], source: str, problems: list[FieldProblem]
) -> dict[str, Any]:
    return {
        "settings": redact(data),
        "source": source,
        "fields": problems_json(problems),
    }
