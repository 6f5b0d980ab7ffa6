"""Exceptions raised by the Digital River client.

Every httpx exception and every error response is converted into one of these
classes before it leaves the client::

    PluginError                        plugin.errors
    └── DigitalRiverError
        ├── TransportError             no usable HTTP response
        │   ├── ConnectError           no connection, so nothing was sent
        │   └── RequestTimeoutError    connect, write or read timed out
        ├── StatusError                DR responded with an error status
        │   ├── ValidationError        400
        │   ├── AuthenticationError    401, 403
        │   ├── NotFoundError          404
        │   ├── ConflictError          409
        │   │   └── OrderFulfilledError    409 ``order_fulfilled``
        │   ├── RateLimitError         429
        │   └── ServerError            5xx
        └── InvalidResponseError       2xx body that is not the expected JSON

``transient`` is true for transport errors and for the statuses 408, 429 and
5xx, where the same request may succeed later. The timeout class is not named
``TimeoutError`` so that it does not shadow the builtin. An HTTP 408 response
is a ``StatusError``, not a ``RequestTimeoutError``.

No message or ``repr()`` contains the API key or the ``Authorization`` header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plugin.errors import PluginError

__all__ = [
    "ORDER_FULFILLED",
    "AuthenticationError",
    "ConflictError",
    "ConnectError",
    "DigitalRiverError",
    "ErrorDetail",
    "InvalidResponseError",
    "NotFoundError",
    "OrderFulfilledError",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "StatusError",
    "TransportError",
    "ValidationError",
    "status_error_class",
]

ORDER_FULFILLED = "order_fulfilled"
"""DR error code of a fulfillment for an order whose items are all fulfilled."""


class DigitalRiverError(PluginError):
    """Base class of every error of the Digital River client."""

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class TransportError(DigitalRiverError):
    """No usable HTTP response: the connection failed, broke or timed out.

    ``request_sent`` is true when the request may have reached Digital River
    before the failure, so its outcome is unknown.
    """

    transient = True

    def __init__(
        self, message: str, *, method: str, path: str, request_sent: bool
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.request_sent = request_sent


class ConnectError(TransportError):
    """The connection to Digital River could not be opened."""


class RequestTimeoutError(TransportError):
    """Digital River did not accept the connection or respond in time."""


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of the ``errors`` list in a Digital River error body."""

    code: str | None = None
    parameter: str | None = None
    message: str | None = None

    def __str__(self) -> str:
        text = self.code or "unknown_error"
        if self.parameter:
            text += f" on {self.parameter}"
        if self.message:
            text += f": {self.message}"
        return text


class StatusError(DigitalRiverError):
    """Digital River responded with an error status.

    Carries the status, DR's error ``type``, its ``errors`` list, the value of
    the ``x-dr-requestid`` header (quote it to DR support) and the
    ``Retry-After`` delay in seconds when the response had one.
    """

    hint = "check the request and Digital River's error codes"

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int,
        error_type: str | None = None,
        errors: Sequence[ErrorDetail] = (),
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.error_type = error_type
        self.errors = tuple(errors)
        self.request_id = request_id
        self.retry_after = retry_after
        if status == 408:
            self.transient = True
        super().__init__(self._describe(method, path), method=method, path=path)

    @property
    def codes(self) -> tuple[str, ...]:
        """DR error codes of this response, in the order DR sent them."""
        return tuple(detail.code for detail in self.errors if detail.code)

    def _describe(self, method: str, path: str) -> str:
        kind = f" {self.error_type}" if self.error_type else ""
        message = (
            f"Digital River rejected {method} {path} with status {self.status}{kind}"
        )
        if self.errors:
            message += ": " + "; ".join(str(detail) for detail in self.errors)
        if self.request_id:
            message += f" (DR request id {self.request_id})"
        return f"{message}. Next step: {self.hint}."


class ValidationError(StatusError):
    """400: Digital River found the request invalid."""

    hint = "fix the values named by the error codes; the same request fails again"


class AuthenticationError(StatusError):
    """401 or 403: the API key is missing, invalid or lacks the permission."""

    hint = (
        "check the secret API key in DIGITALRIVER_API_KEY or digitalriver.api_key "
        "and that it belongs to the right Digital River account and mode"
    )


class NotFoundError(StatusError):
    """404: the order or fulfillment does not exist for this API key."""

    hint = (
        "check the Digital River id and that the API key is for the same mode "
        "(test or live) as the order"
    )


class ConflictError(StatusError):
    """409: the request conflicts with the order's state."""

    hint = "check the order's state in Digital River before sending it again"


class OrderFulfilledError(ConflictError):
    """409 ``order_fulfilled``: every item of the order is already fulfilled.

    The client raises it only when the order's fulfillments, listed after
    the 409, include none that carries this request's key.
    """

    hint = (
        "every item of the order is already fulfilled by other requests, so "
        "nothing more can be reported; check the order's fulfillments in Digital River"
    )


class RateLimitError(StatusError):
    """429: too many requests. ``retry_after`` is DR's delay in seconds."""

    transient = True
    hint = "wait for the Retry-After delay or lower digitalriver.requests_per_second"


class ServerError(StatusError):
    """5xx: Digital River or a gateway in front of it failed."""

    transient = True
    hint = "try again later; the client checks for an earlier fulfillment first"


class InvalidResponseError(DigitalRiverError):
    """A success response whose body is not the JSON the client expects."""


def status_error_class(status: int, codes: Sequence[str]) -> type[StatusError]:
    """Return the ``StatusError`` subclass for an error status and DR codes."""
    if status == 400:
        return ValidationError
    if status in (401, 403):
        return AuthenticationError
    if status == 404:
        return NotFoundError
    if status == 409:
        return OrderFulfilledError if ORDER_FULFILLED in codes else ConflictError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return StatusError
