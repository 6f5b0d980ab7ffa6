"""``POST /api/webhooks/fulfillment-created``: Saleor's FULFILLMENT_CREATED.

The delivery is verified (known installation, valid signature, expected
event) and parsed. It is stored as a job in one transaction before 200 is
returned, and the worker does the rest. A duplicate delivery of the same
fulfillment gets 200 and creates nothing.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from plugin.app.metrics import WEBHOOKS
from plugin.app.responses import error_response
from plugin.app.state import AppState
from plugin.context import utc_now
from plugin.errors import PayloadError
from plugin.saleor.errors import SaleorError, SignatureError
from plugin.saleor.payload import parse_fulfillment_created
from plugin.store import StoreError

__all__ = ["EVENT", "fulfillment_created_endpoint"]

EVENT = "fulfillment_created"

logger = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    """The request body is over the configured limit."""


async def fulfillment_created_endpoint(request: Request) -> Response:
    response = await _handle(request)
    WEBHOOKS.labels(outcome=_outcome_label(response.status_code)).inc()
    return response


async def _handle(request: Request) -> Response:
    state: AppState = request.app.state.app
    api_url = request.headers.get("saleor-api-url", "")
    try:
        body = await _read_body(request, state.config.max_body_bytes)
    except BodyTooLarge:
        return error_response(413, f"body over {state.config.max_body_bytes} bytes")
    except ClientDisconnect:
        return error_response(400, "client disconnected before sending the body")

    rejection = await _verify(request, state, api_url, body)
    if rejection is not None:
        return rejection

    try:
        event = parse_fulfillment_created(body)
    except PayloadError as error:
        # Saleor does not retry a 4xx, so this fulfillment stays unreported
        # until the subscription or the app's permissions are fixed.
        logger.error(
            "webhook.rejected reason=payload saleor_api_url=%s error=%s", api_url, error
        )
        return error_response(400, str(error))

    try:
        job, created = await run_in_threadpool(
            state.store.enqueue_job,
            api_url,
            event.fulfillment.id,
            event.order.id,
            event.order.number,
            EVENT,
            state.seal_payload(body.decode("utf-8")),
            utc_now(),
        )
    except StoreError as error:
        logger.error("webhook.store_failed saleor_api_url=%s error=%s", api_url, error)
        return error_response(
            503, "cannot store the job; Saleor will retry the delivery"
        )

    logger.info(
        "webhook.accepted saleor_api_url=%s order=%s fulfillment=%s job=%s duplicate=%s",
        api_url,
        event.order.number,
        event.fulfillment.id,
        job.id,
        not created,
    )
    return JSONResponse({"job": job.id, "duplicate": not created})


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _verify(
    request: Request, state: AppState, api_url: str, body: bytes
) -> Response | None:
    if not api_url:
        return error_response(401, "missing Saleor-Api-Url header")
    installation = await state.installation(api_url)
    if installation is None:
        logger.warning(
            "webhook.rejected reason=unknown_installation saleor_api_url=%s", api_url
        )
        return error_response(
            401, "unknown Saleor-Api-Url: install the app in this Saleor first"
        )

    signature = request.headers.get("saleor-signature", "")
    if not signature:
        return error_response(401, "missing Saleor-Signature header")
    try:
        await state.jwks.verify(api_url, body, signature)
    except SignatureError as error:
        logger.warning(
            "webhook.rejected reason=signature saleor_api_url=%s error=%s",
            api_url,
            error,
        )
        return error_response(401, "invalid Saleor-Signature")
    except SaleorError as error:
        logger.error("webhook.jwks_failed saleor_api_url=%s error=%s", api_url, error)
        return error_response(503, "cannot fetch Saleor's keys; Saleor will retry")

    event = request.headers.get("saleor-event", "")
    if event != EVENT:
        return error_response(400, f"Saleor-Event {event!r} is not {EVENT!r}")
    return None


def _outcome_label(status: int) -> str:
    labels = {200: "accepted", 400: "malformed", 401: "unauthorized", 413: "too_large"}
    return labels.get(status, "error")
