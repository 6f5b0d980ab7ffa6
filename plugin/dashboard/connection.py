"""``POST /api/dashboard/test-connection``: check the Digital River key and base URL.

The check fetches an order with a made-up id, which changes nothing. Digital
River responds with 404 ``not_found`` when it accepted the key and 401 or 403 when
it did not. Without any API key the worker uses the bundled sandbox, so the
check starts one on 127.0.0.1 for the length of the call and asks it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import asdict, dataclass

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from plugin.dashboard.auth import DashboardContext
from plugin.dashboard.http import ApiError, json_response, read_json_object
from plugin.dashboard.problems import problems_from_validation
from plugin.dashboard.settings_data import (
    api_key_of,
    environment_api_key,
    merge_api_key,
    stored_settings,
)
from plugin.digitalriver import (
    AuthenticationError,
    DigitalRiverClient,
    DigitalRiverError,
    NotFoundError,
    StatusError,
    TransportError,
)
from plugin.errors import SettingsError
from plugin.sandbox.server import SandboxServer
from plugin.settings import DigitalRiverSettings

__all__ = ["ConnectionCheck", "check_connection", "post_test_connection"]

logger = logging.getLogger(__name__)

PROBE_ORDER_PREFIX = "dr-distributor-connection-check-"
MAX_CONNECT_SECONDS = 5.0
MAX_READ_SECONDS = 10.0


@dataclass(frozen=True)
class ConnectionCheck:
    """Outcome of a connection check, as shown on the page."""

    ok: bool
    target: str
    """``digitalriver`` for the configured base URL, ``sandbox`` for the bundled one."""
    base_url: str
    status: int | None
    message: str


async def post_test_connection(request: Request, context: DashboardContext) -> Response:
    """Check the ``digitalriver`` section of the body, or the saved one without a body."""
    body = await read_json_object(request, context.state.config.max_body_bytes)
    stored = stored_settings(context.state, context.installation)
    submitted = {
        "digitalriver": body.get("digitalriver", stored.data.get("digitalriver", {}))
    }

    merged, problems = merge_api_key(submitted, stored.data)
    try:
        settings = DigitalRiverSettings.model_validate(merged["digitalriver"])
    except ValidationError as error:
        problems += problems_from_validation(error, "digitalriver")
    if problems:
        raise ApiError(
            422,
            "the connection settings are invalid; fix the fields marked below",
            problems,
        )

    environment_key = environment_api_key()
    key = environment_key.get_secret_value() if environment_key else api_key_of(merged)
    check = await check_connection(settings, key)
    logger.info(
        "dashboard.connection_checked saleor_api_url=%s target=%s ok=%s status=%s",
        context.installation.saleor_api_url,
        check.target,
        check.ok,
        check.status,
    )
    return json_response(asdict(check))


async def check_connection(
    settings: DigitalRiverSettings, api_key: str | None
) -> ConnectionCheck:
    """Fetch a made-up order once, with short timeouts and no retries."""
    quick = settings.model_copy(
        update={
            "max_attempts": 1,
            "connect_timeout": min(settings.connect_timeout, MAX_CONNECT_SECONDS),
            "read_timeout": min(settings.read_timeout, MAX_READ_SECONDS),
        }
    )
    if api_key is not None:
        return await _probe(quick, api_key, str(settings.base_url), "digitalriver")

    sandbox = SandboxServer()
    await run_in_threadpool(sandbox.start)
    try:
        return await _probe(quick, sandbox.api_key, sandbox.url, "sandbox")
    finally:
        await run_in_threadpool(sandbox.stop)


async def _probe(
    settings: DigitalRiverSettings, api_key: str, base_url: str, target: str
) -> ConnectionCheck:
    order_id = PROBE_ORDER_PREFIX + secrets.token_hex(8)
    try:
        async with DigitalRiverClient(
            settings, api_key=api_key, base_url=base_url
        ) as client:
            await client.get_order(order_id)
    except DigitalRiverError as error:
        return _outcome(error, base_url, target)
    except SettingsError as error:
        return ConnectionCheck(False, target, base_url, None, str(error))
    return ConnectionCheck(
        True,
        target,
        base_url,
        200,
        _accepted(target) + " (it even found the made-up order).",
    )


def _outcome(error: DigitalRiverError, base_url: str, target: str) -> ConnectionCheck:
    if isinstance(error, NotFoundError) and error.error_type == "not_found":
        return ConnectionCheck(True, target, base_url, 404, _accepted(target) + ".")
    if isinstance(error, AuthenticationError):
        return ConnectionCheck(
            False,
            target,
            base_url,
            error.status,
            f"{base_url} rejected the API key with HTTP {error.status}: check that the "
            "key is a secret key (sk_test_... or sk_live_...) of the right account",
        )
    if isinstance(error, StatusError):
        return ConnectionCheck(
            False,
            target,
            base_url,
            error.status,
            f"{base_url} responded with HTTP {error.status}, not as Digital River does for an "
            "unknown order; check the base URL",
        )
    if isinstance(error, TransportError):
        message = (
            f"cannot reach {base_url}: {error}; check the base URL and the network"
        )
        return ConnectionCheck(False, target, base_url, None, message)
    return ConnectionCheck(False, target, base_url, None, str(error))


def _accepted(target: str) -> str:
    if target == "sandbox":
        return (
            "No API key is set, so jobs go to the bundled Digital River sandbox on "
            "this machine, not to Digital River. The sandbox accepted its test key"
        )
    return "Digital River accepted the API key"
