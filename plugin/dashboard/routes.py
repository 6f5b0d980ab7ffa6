"""The dashboard's routes: the page, its static files and the JSON API."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from plugin.app.config import DASHBOARD_PATH
from plugin.app.state import AppState
from plugin.dashboard.auth import Handler, protect
from plugin.dashboard.connection import post_test_connection
from plugin.dashboard.costs_api import get_costs_csv, preview_costs
from plugin.dashboard.jobs import get_jobs, retry_job
from plugin.dashboard.page import (
    API_PREFIX,
    STATIC_DIR,
    STATIC_PATH,
    normalize_origins,
    page_endpoint,
)
from plugin.dashboard.registry import get_registry_csv, get_registry_json
from plugin.dashboard.settings_api import (
    get_schema,
    get_settings,
    put_settings,
    validate_settings_endpoint,
)

__all__ = ["API_ENDPOINTS", "dashboard_routes"]

API_ENDPOINTS: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/schema", get_schema),
    ("GET", "/settings", get_settings),
    ("PUT", "/settings", put_settings),
    ("POST", "/settings/validate", validate_settings_endpoint),
    ("POST", "/test-connection", post_test_connection),
    ("GET", "/registry.csv", get_registry_csv),
    ("GET", "/registry.json", get_registry_json),
    ("GET", "/jobs", get_jobs),
    ("POST", "/jobs/{id:int}/retry", retry_job),
    ("POST", "/costs/preview", preview_costs),
    ("GET", "/costs.csv", get_costs_csv),
)
"""Method, path under ``/api/dashboard`` and handler of each API endpoint."""


def dashboard_routes(state: AppState) -> list[BaseRoute]:
    """Return the routes of the settings page and its API, to mount in the app.

    Raises ``ValueError`` when ``state.config.dashboard_origins`` contains a value
    that is not an origin.
    """
    origins = normalize_origins(state.config.dashboard_origins)
    routes: list[BaseRoute] = [
        Route(DASHBOARD_PATH, page_endpoint(origins), methods=["GET"]),
        Mount(
            STATIC_PATH, app=StaticFiles(directory=STATIC_DIR), name="dashboard-static"
        ),
    ]
    routes.extend(
        Route(API_PREFIX + path, protect(state, handler), methods=[method])
        for method, path, handler in API_ENDPOINTS
    )
    return routes
