"""``POST /api/register``: Saleor's install call.

Saleor sends ``{"auth_token": ...}`` with the ``Saleor-Api-Url`` header. The
URL is checked against the allow-list before any request is made to it. Then
the token is confirmed with ``{ app { id } }``, Saleor's schema is checked to
accept the app's GraphQL documents, and the JWKS is fetched. Only then is the
installation stored and 200 returned. A repeated install replaces the token.
"""

from __future__ import annotations

import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from plugin.app.responses import error_response
from plugin.app.schema_check import check_saleor_schema
from plugin.app.state import AppState
from plugin.saleor.errors import SaleorError
from plugin.saleor.graphql import SaleorClient
from plugin.store import StoreError

__all__ = ["register_endpoint"]

logger = logging.getLogger(__name__)


async def register_endpoint(request: Request) -> Response:
    state: AppState = request.app.state.app
    api_url = request.headers.get("saleor-api-url", "")
    if not api_url:
        return error_response(400, "missing Saleor-Api-Url header")
    if not state.config.is_allowed_saleor(api_url):
        logger.warning(
            "register.rejected reason=not_allowed saleor_api_url=%s", api_url
        )
        return error_response(
            403,
            f"Saleor API URL {api_url!r} is not allowed to install this app; add it "
            "to the app's --allow-saleor list",
        )

    token = await _read_token(request)
    if token is None:
        return error_response(400, 'body must be JSON with a string "auth_token"')

    try:
        app_id = await _confirm(api_url, token)
        jwks = await state.jwks.refresh(api_url)
        await run_in_threadpool(
            state.store.save_installation, api_url, app_id, token, json.dumps(jwks)
        )
    except SaleorError as error:
        logger.warning("register.failed saleor_api_url=%s error=%s", api_url, error)
        return error_response(502 if error.transient else 400, str(error))
    except StoreError as error:
        logger.error("register.failed saleor_api_url=%s error=%s", api_url, error)
        return error_response(503, f"cannot store the installation: {error}")

    logger.info("register.succeeded saleor_api_url=%s app_id=%s", api_url, app_id)
    return JSONResponse({"success": True})


async def _read_token(request: Request) -> str | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    token = body.get("auth_token") if isinstance(body, dict) else None
    return token if isinstance(token, str) and token else None


async def _confirm(api_url: str, token: str) -> str:
    async with SaleorClient(api_url, token) as saleor:
        app_id = await saleor.app_id()
        await check_saleor_schema(saleor)
    return app_id
