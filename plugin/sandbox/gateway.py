"""ASGI middleware in front of the Digital River paths.

Every request whose path does not start with ``/_sandbox/`` goes through, in
this order: latency, bearer authentication, the fault decision, the route
handler, then the optional connection drop. Each gets an ``x-dr-requestid``
header and an entry in the request record, written when the response starts.

A connection is dropped by sending the status line and headers, including
``Content-Length``, and then returning without the body. Uvicorn then
closes the connection (logging "ASGI callable returned without completing
response"), so the client sees an incomplete response.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plugin.sandbox.errors import ApiError, unauthorized
from plugin.sandbox.faults import (
    DROP_AFTER_COMMIT,
    DROP_BEFORE_COMMIT,
    RESPONSE_FAULTS,
    fault_error,
)
from plugin.sandbox.jsonio import error_response, loads
from plugin.sandbox.models import RequestRecord
from plugin.sandbox.state import SandboxState

__all__ = ["CONTROL_PREFIX", "REQUEST_ID_HEADER", "DigitalRiverGateway"]

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox/"
REQUEST_ID_HEADER = "x-dr-requestid"


@dataclass
class _Exchange:
    """One request on a Digital River path while its response is being sent."""

    record: RequestRecord
    drop_after_commit: bool = False
    recorded: bool = False


class DigitalRiverGateway:
    """Adds latency, authentication, faults and recording to Digital River paths."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        exchange = _Exchange(self._new_record(scope, body))
        try:
            await self._respond(exchange, scope, _replay(body, receive), send)
        finally:
            if not exchange.recorded:
                # No response was started: the handler raised an exception.
                self._record(exchange)

    def _record(self, exchange: _Exchange) -> None:
        exchange.recorded = True
        self.state.record_request(exchange.record)
        _log_exchange(exchange.record)

    def _new_record(self, scope: Scope, body: bytes) -> RequestRecord:
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name.lower() != b"authorization"
        }
        return RequestRecord(
            method=scope["method"],
            path=scope["path"],
            query=parse_qs(
                scope["query_string"].decode("latin-1"), keep_blank_values=True
            ),
            body=_body_for_record(body),
            headers=headers,
            time=self.state.now(),
            request_id=str(uuid.uuid4()),
        )

    async def _respond(
        self, exchange: _Exchange, scope: Scope, receive: Receive, send: Send
    ) -> None:
        latency = self.state.faults.settings.latency
        if latency > 0:
            await asyncio.sleep(latency)
        send = self._recording_send(exchange, send)

        problem = self._authentication_problem(scope)
        if problem is not None:
            await error_response(problem)(scope, receive, send)
            return

        fault, retry_after = self.state.faults.next_fault()
        exchange.record.fault = fault
        if fault in RESPONSE_FAULTS:
            await error_response(fault_error(fault, retry_after))(scope, receive, send)
        elif fault == DROP_BEFORE_COMMIT:
            exchange.record.dropped = True
            await _drop_before_handling(send)
        else:
            exchange.drop_after_commit = fault == DROP_AFTER_COMMIT
            await self.app(scope, receive, self._dropping_send(exchange, scope, send))

    def _authentication_problem(self, scope: Scope) -> ApiError | None:
        header = _header(scope, b"authorization")
        scheme, _, key = (header or "").partition(" ")
        if header is None:
            return unauthorized(
                "The Authorization header is missing: send 'Bearer <secret key>' "
                "with a key that starts with sk_test_."
            )
        if scheme.lower() != "bearer" or not self.state.accepts_key(key.strip()):
            return unauthorized(
                "The secret key in the Authorization header is not accepted by this "
                "sandbox: send 'Bearer <secret key>' with the sandbox's test key."
            )
        return None

    def _dropping_send(self, exchange: _Exchange, scope: Scope, send: Send) -> Send:
        """Wrap ``send`` to withhold the body when a drop fault applies."""

        async def dropping_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.drop_after_commit = (
                    exchange.drop_after_commit
                    or self._random_drop(scope, message["status"])
                )
                exchange.record.dropped = exchange.drop_after_commit
            elif exchange.drop_after_commit:
                return
            await send(message)

        return dropping_send

    def _recording_send(self, exchange: _Exchange, send: Send) -> Send:
        """Wrap ``send`` to add the request id header and record the response."""
        request_id = exchange.record.request_id.encode("latin-1")

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.record.status = message["status"]
                headers = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), request_id),
                ]
                message = {**message, "headers": headers}
                # Record before the client can read the response, so a client
                # that has its response always finds the request recorded.
                self._record(exchange)
            await send(message)

        return recording_send

    def _random_drop(self, scope: Scope, status: int) -> bool:
        creates = scope["method"] == "POST" and scope["path"] == "/fulfillments"
        return creates and status == 201 and self.state.faults.should_drop_success()


async def _drop_before_handling(send: Send) -> None:
    """Start a 500 response that promises a body, then send none."""
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"2"),
            ],
        }
    )


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a ``receive`` that hands over ``body`` once, then defers to ``receive``."""
    replayed = False

    async def replaying_receive() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replaying_receive


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _body_for_record(body: bytes) -> Any:
    """Return the body as parsed JSON, its text if it is not JSON, or ``None``."""
    if not body:
        return None
    try:
        return loads(body)
    except (ValueError, UnicodeDecodeError):
        return body.decode("utf-8", errors="replace")


def _log_exchange(record: RequestRecord) -> None:
    logger.info(
        "sandbox request method=%s path=%s status=%s fault=%s dropped=%s request_id=%s",
        record.method,
        record.path,
        record.status,
        record.fault,
        record.dropped,
        record.request_id,
    )
