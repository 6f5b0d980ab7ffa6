"""JSON error responses of the app's endpoints."""

from __future__ import annotations

from starlette.responses import JSONResponse

__all__ = ["error_response"]


def error_response(status: int, message: str) -> JSONResponse:
    """Return ``{"error": {"message": ...}}`` with ``status``."""
    return JSONResponse({"error": {"message": message}}, status_code=status)
