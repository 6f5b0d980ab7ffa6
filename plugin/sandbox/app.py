"""The sandbox's Starlette application: Digital River routes and error shapes.

Routes follow Digital River's OpenAPI description:

- ``POST /fulfillments``: 201 with the created ``Fulfillment``;
- ``GET /fulfillments``: ``{"hasMore", "data"}``, newest first;
- ``GET /fulfillments/{id}``: the ``FulfillmentOrder`` (the fulfillment plus
  ``orderDetails``);
- ``GET /orders/{id}``: the ``Order``.

Other paths and methods get Digital River's error format (404 ``not_found``,
405 ``method_not_allowed``). The control routes under ``/_sandbox/`` are in
``plugin.sandbox.control``.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from plugin.sandbox.control import control_routes
from plugin.sandbox.errors import ApiError, ErrorDetail, not_found
from plugin.sandbox.gateway import DigitalRiverGateway
from plugin.sandbox.jsonio import JsonResponse, error_response, parse_body
from plugin.sandbox.listing import parse_list_query
from plugin.sandbox.representations import (
    fulfillment_json,
    fulfillment_with_order_json,
    order_json,
)
from plugin.sandbox.state import SandboxState
from plugin.sandbox.validation import parse_fulfillment_request

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

_ROUTES_TEXT = (
    "POST /fulfillments, GET /fulfillments, GET /fulfillments/{id} and GET /orders/{id}"
)


def create_app(state: SandboxState) -> Starlette:
    """Build the sandbox application serving ``state``."""
    routes = [
        Route("/fulfillments", _fulfillments, methods=["GET", "POST"]),
        Route("/fulfillments/{id}", _retrieve_fulfillment, methods=["GET"]),
        Route("/orders/{id}", _retrieve_order, methods=["GET"]),
        *control_routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(DigitalRiverGateway, state=state)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.sandbox = state
    return app


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def _fulfillments(request: Request) -> Response:
    """Dispatch ``/fulfillments`` in one route, so a 405 lists both methods."""
    if request.method == "POST":
        return await _create_fulfillment(request)
    return await _list_fulfillments(request)


async def _create_fulfillment(request: Request) -> Response:
    state = _state(request)
    body = parse_body(await request.body())
    fulfillment_request = parse_fulfillment_request(body, state.subfulfiller_ids)
    fulfillment = state.create_fulfillment(fulfillment_request)
    return JsonResponse(fulfillment_json(fulfillment), status_code=201)


async def _list_fulfillments(request: Request) -> Response:
    query = parse_list_query(request.query_params.multi_items())
    page = _state(request).list_fulfillments(query)
    data = [fulfillment_json(fulfillment) for fulfillment in page.data]
    return JsonResponse({"hasMore": page.has_more, "data": data})


async def _retrieve_fulfillment(request: Request) -> Response:
    state = _state(request)
    fulfillment_id = request.path_params["id"]
    fulfillment = state.fulfillment(fulfillment_id)
    order = state.order(fulfillment.order_id) if fulfillment else None
    if fulfillment is None or order is None:
        raise not_found(
            "id",
            f"Fulfillment {fulfillment_id!r} was not found; use an id returned "
            "by POST /fulfillments or GET /fulfillments.",
        )
    return JsonResponse(fulfillment_with_order_json(fulfillment, order))


async def _retrieve_order(request: Request) -> Response:
    order_id = request.path_params["id"]
    order = _state(request).order(order_id)
    if order is None:
        raise not_found(
            "id", f"Order {order_id!r} was not found; check the Digital River order id."
        )
    return JsonResponse(order_json(order))


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    logger.info(
        "sandbox error response status=%s type=%s path=%s",
        exc.status,
        exc.error_type,
        request.url.path,
    )
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Return routing errors (unknown path, wrong method) in Digital River's format."""
    assert isinstance(exc, HTTPException)
    route = f"{request.method} {request.url.path}"
    if exc.status_code == 404:
        message = f"No route for {route}; the sandbox serves {_ROUTES_TEXT}."
        error = not_found(None, message)
    elif exc.status_code == 405:
        message = f"{route} is not allowed; the sandbox serves {_ROUTES_TEXT}."
        error = ApiError(
            405, "method_not_allowed", [ErrorDetail("method_not_allowed", message)]
        )
    else:
        error = ApiError(
            exc.status_code, "bad_request", [ErrorDetail("bad_request", exc.detail)]
        )
    return error_response(error, headers=exc.headers)
