"""Typed reading of JSON request fields, collecting every problem found.

Each reader takes the parsed JSON object, the field name and the parameter
path used in error details (such as ``items[0].quantity``). A missing field
reads as ``None``. A field of the wrong type also reads as ``None`` and adds an
``invalid_parameter`` problem, so one response can list every bad field.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from plugin.sandbox.errors import ApiError, ErrorDetail

__all__ = ["Problems", "describe", "read_amount", "read_count", "read_string"]


class Problems:
    """Problems found in one request, raised together as one 400 response."""

    def __init__(self) -> None:
        self._details: list[ErrorDetail] = []

    def __bool__(self) -> bool:
        return bool(self._details)

    def invalid(self, parameter: str, message: str) -> None:
        """Record a field with an unusable value."""
        self._details.append(ErrorDetail("invalid_parameter", message, parameter))

    def missing(self, parameter: str, message: str) -> None:
        """Record a required field that was not sent."""
        self._details.append(ErrorDetail("missing_parameter", message, parameter))

    def check_unknown(
        self, fields: Mapping[str, Any], known: Collection[str], prefix: str = ""
    ) -> None:
        """Record every field of ``fields`` that is not in ``known``."""
        for name in fields:
            if name not in known:
                self.invalid(
                    f"{prefix}{name}",
                    f"Unknown field {prefix}{name}: remove it or check its spelling "
                    f"(known fields: {', '.join(sorted(known))}).",
                )

    def raise_if_any(self) -> None:
        """Raise a 400 ``bad_request`` listing every problem, if there is one."""
        if self._details:
            raise ApiError(400, "bad_request", self._details)


def describe(value: Any) -> str:
    """Describe a JSON value for an error message, such as ``'2' (a string)``."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{value[:60]!r} (a string)"
    return str(value)


def read_string(
    fields: Mapping[str, Any],
    name: str,
    parameter: str,
    problems: Problems,
    *,
    allow_empty: bool = False,
) -> str | None:
    """Read an optional string field; identifiers pass ``allow_empty=False``."""
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not (value or allow_empty):
        expected = "a string" if allow_empty else "a non-empty string"
        problems.invalid(
            parameter, f"{parameter} must be {expected}, got {describe(value)}."
        )
        return None
    return value


def read_count(
    fields: Mapping[str, Any], name: str, parameter: str, problems: Problems
) -> int | None:
    """Read an optional positive JSON integer, such as a quantity.

    Booleans, numeric strings and numbers with a fraction part (``2.0``) are
    rejected: the sandbox accepts only JSON integers.
    """
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        problems.invalid(
            parameter,
            f"{parameter} must be a JSON integer greater than 0, got "
            f"{describe(value)}; send a whole number without quotes.",
        )
        return None
    return value


def read_amount(
    fields: Mapping[str, Any], name: str, parameter: str, problems: Problems
) -> Decimal | int | None:
    """Read an optional non-negative JSON number, such as a cost."""
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        problems.invalid(
            parameter,
            f"{parameter} must be a JSON number, got {describe(value)}; "
            "send the amount without quotes.",
        )
        return None
    if value < 0:
        problems.invalid(
            parameter, f"{parameter} must not be negative, got {describe(value)}."
        )
        return None
    return value
