"""Authentication of dashboard API calls with the Saleor user token.

The page sends the headers of Saleor's app SDK: ``Saleor-Api-Url`` names the
installation, and ``Authorization-Bearer`` contains the user token that the
dashboard handed the page. A call is let through only when the installation
is known, the token is signed by a key of that Saleor's JWKS, has not
expired, was issued for this installation's app id, and its user has every
permission in ``REQUIRED_PERMISSIONS``. The stored JWKS is tried first; a
token signed with a key it lacks makes the cache fetch the set again, at most
once per call. Rejected calls get 401, or 403 when only a permission is
missing, and no token ever reaches a log line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from plugin.app.state import AppState
from plugin.dashboard.http import ApiError, no_store
from plugin.errors import SettingsError
from plugin.saleor.errors import SaleorError, TokenError, TokenFailure
from plugin.saleor.jwks import Jwks
from plugin.saleor.tokens import DashboardUser, verify_dashboard_token
from plugin.store import CipherError, Installation, StoreError

__all__ = [
    "API_URL_HEADER",
    "REQUIRED_PERMISSIONS",
    "TOKEN_HEADER",
    "DashboardContext",
    "Handler",
    "authenticate",
    "protect",
]

logger = logging.getLogger(__name__)

API_URL_HEADER = "saleor-api-url"
TOKEN_HEADER = "authorization-bearer"  # noqa: S105 (a header name)

# Reading the settings shows the distributors, their addresses and the job
# errors, which Saleor shows only to users who may manage apps, so reading
# needs the same permission as changing.
REQUIRED_PERMISSIONS = ("MANAGE_APPS",)


@dataclass(frozen=True)
class DashboardContext:
    """An authenticated dashboard call: the app state, installation and user."""

    state: AppState
    installation: Installation
    user: DashboardUser


Handler = Callable[[Request, DashboardContext], Awaitable[Response]]
"""An endpoint that runs only after ``authenticate`` accepted the call."""


def protect(
    state: AppState, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap ``handler`` so that it runs only for authenticated calls.

    ``ApiError`` becomes its JSON response. Saved settings that no longer
    validate give 409, and a database failure 503 (500 when a stored secret
    cannot be decrypted).
    """

    async def endpoint(request: Request) -> Response:
        try:
            context = await authenticate(request, state)
            return no_store(await handler(request, context))
        except ApiError as error:
            return error.response()
        except SettingsError as error:
            logger.warning(
                "dashboard.settings_invalid path=%s error=%s", request.url.path, error
            )
            message = f"the saved settings are invalid; fix them in the form and save. {error}"
            return ApiError(409, message).response()
        except CipherError as error:
            logger.error(
                "dashboard.decrypt_failed path=%s error=%s", request.url.path, error
            )
            return ApiError(500, str(error)).response()
        except StoreError as error:
            logger.error(
                "dashboard.store_failed path=%s error=%s", request.url.path, error
            )
            return ApiError(
                503, "the app's database is unavailable; try again"
            ).response()

    return endpoint


async def authenticate(request: Request, state: AppState) -> DashboardContext:
    """Return the context of an authenticated call; raise ``ApiError`` otherwise."""
    api_url = request.headers.get(API_URL_HEADER, "").strip()
    token = request.headers.get(TOKEN_HEADER, "").strip()
    if not api_url:
        _reject("missing_api_url", api_url)
        raise ApiError(
            401, "missing Saleor-Api-Url header: open the app from the Saleor dashboard"
        )
    if not token:
        _reject("missing_token", api_url)
        raise ApiError(
            401,
            "missing Authorization-Bearer header: open the app from the Saleor dashboard",
        )

    installation = await state.installation(api_url)
    if installation is None:
        _reject("unknown_installation", api_url)
        raise ApiError(
            401,
            f"the app is not installed in the Saleor at {api_url}: install it there first",
        )

    user = await _verify(state, installation, token)
    return DashboardContext(state=state, installation=installation, user=user)


async def _verify(
    state: AppState, installation: Installation, token: str
) -> DashboardUser:
    api_url = installation.saleor_api_url
    try:
        jwks = _stored_jwks(installation) or await state.jwks.get(api_url)
        try:
            return _check(token, jwks, installation)
        except TokenError as error:
            if error.reason is not TokenFailure.UNKNOWN_KEY:
                raise
        return _check(token, await state.jwks.refresh(api_url), installation)
    except TokenError as error:
        _reject(error.reason.value, api_url)
        raise ApiError(403 if error.forbidden else 401, str(error)) from None
    except SaleorError as error:
        logger.warning(
            "dashboard.jwks_failed saleor_api_url=%r error=%s", api_url, error
        )
        raise ApiError(
            503, "cannot fetch the Saleor JWKS to check the token; try again"
        ) from None


def _check(token: str, jwks: Jwks, installation: Installation) -> DashboardUser:
    # The issuer is not compared, because the key set already belongs to this
    # Saleor, and behind a proxy the ``iss`` claim may differ from Saleor-Api-Url.
    return verify_dashboard_token(
        token,
        jwks,
        app_id=installation.app_id,
        required_permissions=REQUIRED_PERMISSIONS,
    )


def _stored_jwks(installation: Installation) -> Jwks | None:
    if not installation.jwks:
        return None
    document = json.loads(installation.jwks)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        return None
    return document


def _reject(reason: str, api_url: str) -> None:
    logger.info("dashboard.rejected reason=%s saleor_api_url=%r", reason, api_url)
