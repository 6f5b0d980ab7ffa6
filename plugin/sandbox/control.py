"""Control routes under ``/_sandbox/``, for tests and demos; not Digital River's.

- ``POST /_sandbox/orders``: add one order in the seed format
  (``plugin.sandbox.seed``); 201 with the order as ``GET /orders/{id}``
  returns it, 409 if the id is taken, 400 if the order is invalid.
- ``GET /_sandbox/requests``: ``{"data": [...]}``, every request received on
  a Digital River path, oldest first (see ``RequestRecord``).
- ``POST /_sandbox/reset``: drop fulfillments and recorded requests; 204.
- ``GET /_sandbox/faults``: the fault settings, with the unused script.
- ``PUT /_sandbox/faults``: replace the fault settings (keys left out take
  their defaults); 200 with the new settings, 400 if a value is invalid.

Control routes need no API key and are not recorded.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from plugin.sandbox.errors import SandboxError, SeedError, bad_request, conflict
from plugin.sandbox.faults import FaultSettings
from plugin.sandbox.jsonio import JsonResponse, parse_body
from plugin.sandbox.representations import order_json, request_record_json
from plugin.sandbox.seed import parse_order
from plugin.sandbox.state import SandboxState

__all__ = ["control_routes"]

logger = logging.getLogger(__name__)


def control_routes() -> list[Route]:
    """Return the routes under ``/_sandbox/``."""
    return [
        Route("/_sandbox/orders", _add_order, methods=["POST"]),
        Route("/_sandbox/requests", _list_requests, methods=["GET"]),
        Route("/_sandbox/reset", _reset, methods=["POST"]),
        Route("/_sandbox/faults", _read_faults, methods=["GET"]),
        Route("/_sandbox/faults", _replace_faults, methods=["PUT"]),
    ]


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def _add_order(request: Request) -> Response:
    state = _state(request)
    body = parse_body(await request.body())
    try:
        order = parse_order(body, state.now)
    except SeedError as exc:
        raise bad_request("invalid_parameter", None, str(exc)) from None
    try:
        state.add_order(order)
    except SandboxError as exc:
        raise conflict("order_exists", "id", str(exc)) from None
    stored = state.order(order.id)
    assert stored is not None
    return JsonResponse(order_json(stored), status_code=201)


async def _list_requests(request: Request) -> Response:
    records = _state(request).requests
    return JsonResponse({"data": [request_record_json(record) for record in records]})


async def _reset(request: Request) -> Response:
    _state(request).reset()
    return Response(status_code=204)


async def _read_faults(request: Request) -> Response:
    return JsonResponse(_state(request).faults.settings.to_json())


async def _replace_faults(request: Request) -> Response:
    faults = _state(request).faults
    body = parse_body(await request.body())
    try:
        settings = FaultSettings.from_json(body)
    except ValueError as exc:
        raise bad_request("invalid_parameter", None, f"{exc}.") from None
    faults.configure(settings)
    logger.info("sandbox faults replaced settings=%s", settings.to_json())
    return JsonResponse(faults.settings.to_json())
