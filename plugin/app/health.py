"""Liveness, readiness and metrics endpoints."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from plugin.app.state import AppState
from plugin.store import StoreError

__all__ = ["healthz", "metrics", "readyz"]


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    state: AppState = request.app.state.app
    try:
        await run_in_threadpool(state.store.ping)
    except StoreError as error:
        return JSONResponse(
            {"status": "unavailable", "error": str(error)}, status_code=503
        )
    return JSONResponse({"status": "ok"})


async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
