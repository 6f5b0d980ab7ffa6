"""Errors of the Digital River sandbox.

``SandboxError`` derives from the project's ``PluginError``::

    SandboxError                 the sandbox cannot do what was asked
    ├── SeedError                a seed order is invalid
    └── ApiError                 an HTTP error response in Digital River's format
                                 (status, ``type`` and one or more details)

Handlers raise ``ApiError`` and the application turns it into the JSON body
``{"type": ..., "errors": [{"code", "parameter", "message"}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plugin.errors import PluginError

__all__ = [
    "ApiError",
    "ErrorDetail",
    "SandboxError",
    "SeedError",
    "bad_request",
    "conflict",
    "not_found",
    "unauthorized",
]


class SandboxError(PluginError):
    """Base class of the errors raised by the Digital River sandbox."""


class SeedError(SandboxError):
    """A seed order is invalid; the message names the field and the fix."""


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of the ``errors`` list of a Digital River error body."""

    code: str
    message: str
    parameter: str | None = None

    def to_json(self) -> dict[str, str]:
        """Return the entry as Digital River writes it (no ``parameter`` if unset)."""
        entry = {"code": self.code}
        if self.parameter is not None:
            entry["parameter"] = self.parameter
        entry["message"] = self.message
        return entry


class ApiError(SandboxError):
    """An error response: HTTP status, Digital River error ``type`` and details."""

    def __init__(
        self,
        status: int,
        error_type: str,
        details: Sequence[ErrorDetail],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__("; ".join(detail.message for detail in details))
        self.status = status
        self.error_type = error_type
        self.details = tuple(details)
        self.headers = dict(headers or {})

    def to_json(self) -> dict[str, Any]:
        """Return the error body in Digital River's format."""
        return {
            "type": self.error_type,
            "errors": [detail.to_json() for detail in self.details],
        }


def bad_request(code: str, parameter: str | None, message: str) -> ApiError:
    """Build a 400 ``bad_request`` error with one detail."""
    return ApiError(400, "bad_request", [ErrorDetail(code, message, parameter)])


def not_found(parameter: str | None, message: str) -> ApiError:
    """Build a 404 ``not_found`` error with one detail."""
    return ApiError(404, "not_found", [ErrorDetail("not_found", message, parameter)])


def conflict(code: str, parameter: str | None, message: str) -> ApiError:
    """Build a 409 ``conflict`` error with one detail."""
    return ApiError(409, "conflict", [ErrorDetail(code, message, parameter)])


def unauthorized(message: str) -> ApiError:
    """Build a 401 ``unauthorized`` error with a ``WWW-Authenticate: Bearer`` header."""
    return ApiError(
        401,
        "unauthorized",
        [ErrorDetail("unauthorized", message)],
        headers={"WWW-Authenticate": "Bearer"},
    )
