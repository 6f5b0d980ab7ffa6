"""JSON reading and writing with ``Decimal`` amounts.

Numbers with a fraction or an exponent are read as ``decimal.Decimal`` and
written back from the ``Decimal``, so an amount never passes through
``float``. ``NaN`` and ``Infinity`` are rejected as they are not JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import simplejson
from starlette.responses import Response

from plugin.sandbox.errors import ApiError, bad_request

__all__ = ["JsonResponse", "dumps", "error_response", "loads", "parse_body"]


def loads(text: str | bytes) -> Any:
    """Parse JSON text, reading non-integer numbers as ``Decimal``.

    Raises ``simplejson.JSONDecodeError`` (a ``ValueError``) for invalid JSON.
    """
    return simplejson.loads(text, use_decimal=True, allow_nan=False)


def dumps(value: Any) -> str:
    """Write ``value`` as compact JSON, writing ``Decimal`` values as numbers."""
    return simplejson.dumps(
        value, use_decimal=True, ensure_ascii=False, separators=(",", ":")
    )


def parse_body(body: bytes) -> Any:
    """Parse a request body, raising a 400 ``ApiError`` when it is not JSON."""
    if not body.strip():
        raise bad_request(
            "invalid_request", None, "The request body is empty: send a JSON object."
        )
    try:
        return loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(
            "invalid_request",
            None,
            f"The request body is not valid JSON ({exc}): send a JSON object.",
        ) from None


class JsonResponse(Response):
    """A JSON response written with ``dumps`` so ``Decimal`` stays exact."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Encode ``content`` as UTF-8 JSON."""
        return dumps(content).encode("utf-8")


def error_response(
    error: ApiError, headers: Mapping[str, str] | None = None
) -> JsonResponse:
    """Build the response for ``error`` in Digital River's error format."""
    return JsonResponse(
        error.to_json(),
        status_code=error.status,
        headers={**error.headers, **(headers or {})},
    )
