"""The app manifest Saleor installs the app from."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from plugin import __version__
from plugin.app.config import (
    APP_ID,
    APP_NAME,
    DASHBOARD_PATH,
    REGISTER_PATH,
    WEBHOOK_PATH,
    AppConfig,
)
from plugin.app.state import AppState
from plugin.saleor.graphql import load_document

__all__ = ["PERMISSIONS", "build_manifest", "manifest_endpoint"]

PERMISSIONS = ("MANAGE_ORDERS", "MANAGE_PRODUCTS")
"""MANAGE_ORDERS reads orders and writes notes and fulfillment metadata;
MANAGE_PRODUCTS lets the subscription read product variants' private metadata."""

ABOUT = (
    "Tells Digital River which distributor shipped each fulfilled line, with "
    "the distributor's cost of goods and shipping, and captures the payment."
)


def build_manifest(config: AppConfig) -> dict[str, Any]:
    """Return the manifest with URLs under the configured public URL."""
    manifest: dict[str, Any] = {
        "id": APP_ID,
        "version": __version__,
        "name": APP_NAME,
        "about": ABOUT,
        "permissions": list(PERMISSIONS),
        "appUrl": config.url(DASHBOARD_PATH),
        "tokenTargetUrl": config.url(REGISTER_PATH),
        "author": config.author,
        "brand": {"logo": {"default": config.url("/static/logo.png")}},
        "webhooks": [
            {
                "name": "Digital River fulfillment created",
                "asyncEvents": ["FULFILLMENT_CREATED"],
                "query": load_document("fulfillment_created"),
                "targetUrl": config.url(WEBHOOK_PATH),
                "isActive": True,
            }
        ],
    }
    if config.support_url:
        manifest["supportUrl"] = config.support_url
    if config.homepage_url:
        manifest["homepageUrl"] = config.homepage_url
    return manifest


async def manifest_endpoint(request: Request) -> JSONResponse:
    state: AppState = request.app.state.app
    return JSONResponse(build_manifest(state.config))
