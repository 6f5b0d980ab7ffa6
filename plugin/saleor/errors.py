"""Exceptions raised while talking to Saleor.

::

    SaleorError                        base, from plugin.errors.PluginError
    ├── SignatureError                 webhook signature missing or invalid
    ├── TokenError                     dashboard user token rejected
    ├── SaleorTransportError           Saleor API unreachable (transient)
    └── GraphQLError                   top-level ``errors`` in a GraphQL response
        └── MutationError              a mutation's own ``errors`` list is not empty

httpx and PyJWT exceptions are converted into these at the boundary, so no
caller has to import either library to handle a failure. No message contains
a token, a signature or a webhook body.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plugin.errors import PluginError

__all__ = [
    "GraphQLError",
    "MutationError",
    "MutationErrorDetail",
    "SaleorError",
    "SaleorTransportError",
    "SignatureError",
    "SignatureFailure",
    "TokenError",
    "TokenFailure",
]


class SaleorError(PluginError):
    """Base class of the errors raised by the Saleor side of the plugin."""


class SignatureFailure(enum.StrEnum):
    """Reason a ``Saleor-Signature`` header was rejected."""

    MISSING = "missing"
    MALFORMED = "malformed"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KEY = "unknown_key"
    ATTACHED_PAYLOAD = "attached_payload"
    INVALID_SIGNATURE = "invalid_signature"


class SignatureError(SaleorError):
    """A webhook signature is missing, malformed or does not match the body."""

    def __init__(self, reason: SignatureFailure, detail: str) -> None:
        super().__init__(f"webhook signature rejected ({reason}): {detail}")
        self.reason = reason


class TokenFailure(enum.StrEnum):
    """Reason a dashboard user token was rejected."""

    MALFORMED = "malformed"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KEY = "unknown_key"
    INVALID_SIGNATURE = "invalid_signature"
    EXPIRED = "expired"
    WRONG_TYPE = "wrong_type"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_APP = "wrong_app"
    MISSING_PERMISSION = "missing_permission"


class TokenError(SaleorError):
    """A dashboard user token cannot authorize a request to the app.

    ``forbidden`` selects the HTTP status of the rejection: True (403) when the
    token is valid but its user lacks a required permission, False (401) when
    the token itself cannot be trusted.
    """

    def __init__(self, reason: TokenFailure, detail: str) -> None:
        super().__init__(f"dashboard token rejected ({reason}): {detail}")
        self.reason = reason

    @property
    def forbidden(self) -> bool:
        """Whether the user is known but lacks a permission (HTTP 403)."""
        return self.reason is TokenFailure.MISSING_PERMISSION


class SaleorTransportError(SaleorError):
    """Saleor could not be reached or returned no usable response, so retry later."""

    transient = True


class GraphQLError(SaleorError):
    """Saleor returned a top-level ``errors`` list for a GraphQL request.

    ``errors`` holds the error objects as Saleor sent them. ``transient`` is
    True only when the HTTP status was 5xx. Permission and validation errors
    come with a 200 or 400 status and will fail again until someone fixes the
    token, the app's permissions or the document.
    """

    def __init__(
        self,
        operation_name: str,
        errors: Sequence[Mapping[str, Any]],
        *,
        status_code: int = 200,
        message: str | None = None,
    ) -> None:
        super().__init__(message or _describe_errors(operation_name, errors))
        self.operation_name = operation_name
        self.errors = list(errors)
        self.status_code = status_code
        self.transient = status_code >= 500

    @property
    def permission_denied(self) -> bool:
        """Whether any error is Saleor's ``PermissionDenied``."""
        return any(
            _exception_code(error) == "PermissionDenied" for error in self.errors
        )


@dataclass(frozen=True)
class MutationErrorDetail:
    """One entry of a mutation's ``errors`` list."""

    field: str | None
    message: str | None
    code: str | None


class MutationError(GraphQLError):
    """A mutation returned a non-empty ``errors`` list, so it changed nothing.

    Saleor sends these in a 200 response. The mutation's entries are in
    ``details``. Any top-level errors of the same response stay in ``errors``:
    Saleor 3.24 adds one when it cannot serialize an entry's ``code``, for
    example an unknown order id in ``orderNoteAdd``.
    """

    def __init__(
        self,
        operation_name: str,
        details: Sequence[MutationErrorDetail],
        *,
        errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        listed = "; ".join(_describe_detail(detail) for detail in details)
        super().__init__(
            operation_name,
            errors,
            message=f"Saleor rejected mutation {operation_name}: {listed}",
        )
        self.details = tuple(details)


def _describe_errors(operation_name: str, errors: Sequence[Mapping[str, Any]]) -> str:
    messages = "; ".join(str(error.get("message", "no message")) for error in errors)
    return f"Saleor returned GraphQL errors for {operation_name}: {messages}"


def _describe_detail(detail: MutationErrorDetail) -> str:
    field = detail.field or "(no field)"
    return f"{field}: {detail.message} (code {detail.code})"


def _exception_code(error: Mapping[str, Any]) -> object:
    extensions = error.get("extensions")
    if not isinstance(extensions, Mapping):
        return None
    exception = extensions.get("exception")
    if not isinstance(exception, Mapping):
        return None
    return exception.get("code")
