"""One HTTP exchange with Digital River: rate limit, send, convert, log, observe.

This is the boundary where httpx exceptions and error responses become the
exceptions of ``plugin.digitalriver.errors``, so no httpx exception passes it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import pydantic
import simplejson

from plugin.digitalriver.errors import (
    ConnectError,
    ErrorDetail,
    InvalidResponseError,
    RequestTimeoutError,
    StatusError,
    TransportError,
    status_error_class,
)
from plugin.digitalriver.observer import Observer
from plugin.digitalriver.ratelimit import Clock, RateLimiter
from plugin.digitalriver.retry import parse_retry_after, retry_reason

__all__ = [
    "REQUEST_ID_HEADER",
    "Exchange",
    "convert_transport_error",
    "parse_model",
    "status_error",
]

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-dr-requestid"
MAX_ERROR_DETAILS = 10
MAX_DETAIL_LENGTH = 500

Params = dict[str, str | int]
ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


class Exchange:
    """Sends single requests through one ``httpx.AsyncClient``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        limiter: RateLimiter,
        observer: Observer,
        clock: Clock,
    ) -> None:
        self._http = http
        self._limiter = limiter
        self._observer = observer
        self._clock = clock

    async def send(
        self,
        method: str,
        path: str,
        *,
        route: str,
        attempt: int,
        order_id: str,
        params: Params | None = None,
        content: str | None = None,
    ) -> Any:
        """Send one request and return its decoded JSON body.

        ``route`` is the path template reported to the observer, and
        ``order_id`` names the order in the log line. Raises a
        ``TransportError``, a ``StatusError`` or an ``InvalidResponseError``.
        """
        waited = await self._limiter.acquire()
        if waited > 0:
            self._observer.rate_limit_waited(waited)

        target = path + ("?" + urlencode(params) if params else "")
        sent = _SentRequest(method, route, target, order_id, attempt, self._clock())
        try:
            response = await self._http.request(
                method, path, params=params, content=content
            )
        except httpx.HTTPError as exc:
            error = convert_transport_error(exc, method, target)
            self._record(sent, retry_reason(error), None)
            raise error from exc

        self._record(
            sent, str(response.status_code), response.headers.get(REQUEST_ID_HEADER)
        )
        return _read_response(response, method, target)

    def _record(self, sent: _SentRequest, outcome: str, request_id: str | None) -> None:
        seconds = self._clock() - sent.started
        logger.info(
            "digitalriver.request method=%s path=%s order_id=%s status=%s "
            "request_id=%s attempt=%d elapsed_ms=%.0f",
            sent.method,
            sent.target,
            sent.order_id,
            outcome,
            request_id or "-",
            sent.attempt,
            seconds * 1000,
            extra={"dr_request_id": request_id, "dr_order_id": sent.order_id},
        )
        self._observer.request_finished(sent.method, sent.route, outcome, seconds)


@dataclass(frozen=True)
class _SentRequest:
    """Details of one sent request, for its log line and the observer."""

    method: str
    route: str
    target: str
    order_id: str
    attempt: int
    started: float


def _read_response(response: httpx.Response, method: str, target: str) -> Any:
    if response.status_code >= 400:
        raise status_error(response, method, target)
    if not response.is_success:
        raise InvalidResponseError(
            f"Digital River responded to {method} {target} with unexpected status "
            f"{response.status_code}; check digitalriver.base_url",
            method=method,
            path=target,
        )
    try:
        return simplejson.loads(response.content, use_decimal=True)
    except ValueError as exc:
        raise InvalidResponseError(
            f"Digital River responded to {method} {target} with status "
            f"{response.status_code} but the body is not valid JSON ({exc}); "
            "check digitalriver.base_url points at the Digital River API",
            method=method,
            path=target,
        ) from None


def convert_transport_error(
    exc: httpx.HTTPError, method: str, target: str
) -> TransportError:
    """Convert an httpx exception into a ``TransportError`` subclass.

    ``request_sent`` is false only where httpx failed before writing the
    request: no connection, a connect timeout, or no free pooled connection.
    """
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(
            f"could not connect to Digital River for {method} {target} ({name}: "
            f"{exc}); nothing was sent. Check network access to digitalriver.base_url",
            method=method,
            path=target,
            request_sent=False,
        )
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return RequestTimeoutError(
            f"{method} {target} timed out before the request was sent ({name}). "
            "Check network access to digitalriver.base_url or raise "
            "digitalriver.connect_timeout",
            method=method,
            path=target,
            request_sent=False,
        )
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(
            f"{method} {target} timed out after the request was sent ({name}), so "
            "Digital River may have processed it. Raise digitalriver.read_timeout "
            "if Digital River is slow",
            method=method,
            path=target,
            request_sent=True,
        )
    return TransportError(
        f"the connection broke during {method} {target} ({name}: {exc}), so "
        "Digital River may have processed the request. Check network access to "
        "digitalriver.base_url if this repeats",
        method=method,
        path=target,
        request_sent=True,
    )


def status_error(response: httpx.Response, method: str, target: str) -> StatusError:
    """Build the ``StatusError`` subclass for an error response."""
    error_type, details = _parse_error_body(response.content)
    codes = [detail.code for detail in details if detail.code]
    error_class = status_error_class(response.status_code, codes)
    retry_after = parse_retry_after(
        response.headers.get("retry-after"), dt.datetime.now(dt.UTC)
    )
    return error_class(
        method=method,
        path=target,
        status=response.status_code,
        error_type=error_type,
        errors=details,
        request_id=response.headers.get(REQUEST_ID_HEADER),
        retry_after=retry_after,
    )


def _parse_error_body(content: bytes) -> tuple[str | None, list[ErrorDetail]]:
    """Read DR's ``{"type", "errors": [...]}`` body, tolerating any other body."""
    try:
        body = simplejson.loads(content)
    except ValueError:
        return None, []
    if not isinstance(body, dict):
        return None, []

    error_type = _text(body.get("type"))
    entries = body.get("errors")
    if not isinstance(entries, list):
        return error_type, []
    details = [
        ErrorDetail(
            code=_text(entry.get("code")),
            parameter=_text(entry.get("parameter")),
            message=_text(entry.get("message")),
        )
        for entry in entries[:MAX_ERROR_DETAILS]
        if isinstance(entry, dict)
    ]
    return error_type, details


def _text(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value[:MAX_DETAIL_LENGTH]


def parse_model(model: type[ModelT], data: Any, method: str, path: str) -> ModelT:
    """Validate a decoded body as ``model``, raising ``InvalidResponseError``."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InvalidResponseError(
            f"Digital River's response to {method} {path} is not a valid "
            f"{model.__name__}: {location}: {first['msg']} ({exc.error_count()} "
            "problems); check digitalriver.base_url and digitalriver.api_version",
            method=method,
            path=path,
        ) from None
