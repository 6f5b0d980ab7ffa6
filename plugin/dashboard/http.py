"""JSON requests and responses of the dashboard API.

Every response carries ``Cache-Control: no-store``, because it contains merchant
data that a shared cache must not keep. Errors have the shape
``{"error": {"message": ..., "fields": [{"path", "message"}, ...]}}``, with
``fields`` only when single values were invalid.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from plugin.dashboard.problems import FieldProblem, problems_json

__all__ = ["ApiError", "error_json", "json_response", "no_store", "read_json_object"]

NO_STORE = {"Cache-Control": "no-store"}


class ApiError(Exception):
    """A request that the dashboard API rejects, with the HTTP status of the response."""

    def __init__(
        self, status: int, message: str, problems: list[FieldProblem] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []

    def response(self) -> JSONResponse:
        """Return the error as a JSON response."""
        return error_json(self.status, self.message, self.problems)


def error_json(
    status: int, message: str, problems: list[FieldProblem] | None = None
) -> JSONResponse:
    """Return ``{"error": {...}}`` with ``status``."""
    error: dict[str, Any] = {"message": message}
    if problems:
        error["fields"] = problems_json(problems)
    return JSONResponse({"error": error}, status_code=status, headers=NO_STORE)


def json_response(data: Any, status: int = 200) -> JSONResponse:
    """Return ``data`` as JSON that no cache keeps."""
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def no_store(response: Response) -> Response:
    """Mark a response as not to be cached, and return it."""
    response.headers.update(NO_STORE)
    return response


async def read_json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """Read a JSON object body of at most ``max_bytes``; raise ``ApiError`` otherwise.

    Numbers with a fraction are read as ``Decimal``, so amounts stay exact.
    """
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise ApiError(413, f"request body is over {max_bytes} bytes")
    try:
        data = json.loads(body or b"{}", parse_float=Decimal)
    except ValueError:
        raise ApiError(400, "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "request body must be a JSON object")
    return data
