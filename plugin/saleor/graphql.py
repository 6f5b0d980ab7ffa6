"""GraphQL documents of the app and an async client for the Saleor API.

Each document lives in ``plugin/saleor/documents/<name>.graphql`` and ships
in the wheel as package data. ``SaleorClient`` sends them with the app token
and turns every failure into an exception from ``plugin.saleor.errors``:

- no response, a timeout, 408, 429 or a 5xx without a GraphQL body:
  ``SaleorTransportError`` (transient);
- a top-level ``errors`` list: ``GraphQLError``, transient only with a 5xx
  status. Saleor responds to a bad or missing token with HTTP 200 and a
  ``PermissionDenied`` error, not a 401;
- a mutation payload whose ``errors`` list is not empty: ``MutationError``.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
import re
import time
from collections.abc import Mapping
from typing import Any

import graphql
import httpx

from plugin.saleor.errors import (
    GraphQLError,
    MutationError,
    MutationErrorDetail,
    SaleorError,
    SaleorTransportError,
)

__all__ = ["DOCUMENT_NAMES", "SaleorClient", "load_document", "operation_name"]

logger = logging.getLogger(__name__)

DOCUMENT_NAMES = (
    "app_id",
    "fulfillment_created",
    "order_note_add",
    "update_private_metadata",
)
"""Names of the documents in ``plugin/saleor/documents``, without ``.graphql``."""

DEFAULT_TIMEOUT = 10.0

_PACKAGE = __name__.rpartition(".")[0]
_DOCUMENT_NAME = re.compile(r"[a-z][a-z0-9_]*")
_RETRYABLE_STATUS = frozenset({408, 429})


@functools.cache
def load_document(name: str) -> str:
    """Return the text of the GraphQL document ``documents/<name>.graphql``."""
    if _DOCUMENT_NAME.fullmatch(name) is None:
        raise ValueError(f"invalid GraphQL document name {name!r}; use e.g. 'app_id'")

    path = importlib.resources.files(_PACKAGE).joinpath("documents", f"{name}.graphql")
    if not path.is_file():
        raise ValueError(
            f"no GraphQL document named {name!r}; known names: {', '.join(DOCUMENT_NAMES)}"
        )
    return path.read_text(encoding="utf-8")


@functools.cache
def operation_name(name: str) -> str:
    """Return the operation name declared in the document ``name``."""
    operation = _operation_name_of(load_document(name))
    if operation is None:
        raise ValueError(f"GraphQL document {name!r} has no named operation")
    return operation


def _operation_name_of(query: str) -> str | None:
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError as error:
        raise ValueError(f"invalid GraphQL document: {error.message}") from error
    for definition in document.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode) and definition.name:
            return definition.name.value
    return None


class SaleorClient:
    """Async client for one Saleor GraphQL API, authenticated with an app token.

    The token is sent in the ``Authorization`` header only, and appears in no
    log line, message or ``repr``.
    """

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.api_url = api_url
        self._token = token
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            transport=transport, timeout=timeout, follow_redirects=False
        )

    def __repr__(self) -> str:
        return f"SaleorClient(api_url={self.api_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP connections of the client."""
        await self._http.aclose()

    async def __aenter__(self) -> SaleorClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def execute(
        self, document_name: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run the document ``document_name`` and return the response's ``data``.

        Raises ``GraphQLError`` when the response has a top-level ``errors``
        list, even if ``data`` is partly filled.
        """
        operation, body = await self._post(document_name, variables or {})
        _raise_for_errors(operation, body)
        return _data(operation, body)

    async def execute_raw(
        self, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run a GraphQL ``query`` given as text and return the response's ``data``.

        This is for documents the app does not ship, such as graphql-core's
        introspection query. Errors are raised as by ``execute``.
        """
        operation = _operation_name_of(query)
        label = operation or "anonymous operation"
        body = await self._send(
            query, variables or {}, operation=operation, label=label
        )
        _raise_for_errors(label, body)
        return _data(label, body)

    async def app_id(self) -> str:
        """Return the global id of the app that owns the token.

        A ``GraphQLError`` with ``permission_denied`` set means that Saleor
        does not accept the token.
        """
        data = await self.execute("app_id")
        app = data.get("app")
        if not isinstance(app, Mapping) or not isinstance(app.get("id"), str):
            raise SaleorError(
                f"Saleor returned no app id for {self.api_url}; the token may belong to a staff user instead of an app"
            )
        return str(app["id"])

    async def add_order_note(self, order_id: str, message: str) -> None:
        """Add ``message`` as a note to the order's history in the dashboard."""
        await self._mutate(
            "order_note_add", {"order": order_id, "message": message}, "orderNoteAdd"
        )

    async def update_private_metadata(
        self, object_id: str, items: Mapping[str, str]
    ) -> None:
        """Set private metadata ``items`` on the object with global id ``object_id``.

        Keys not in ``items`` keep their values. With no items, nothing is sent.
        """
        if not items:
            return
        metadata = [{"key": key, "value": value} for key, value in items.items()]
        await self._mutate(
            "update_private_metadata",
            {"id": object_id, "input": metadata},
            "updatePrivateMetadata",
        )

    async def _mutate(
        self, document_name: str, variables: Mapping[str, Any], field: str
    ) -> dict[str, Any]:
        operation, body = await self._post(document_name, variables)

        # The mutation's own errors come first because they name the field at
        # fault, and Saleor may add a top-level error about the same problem.
        data = body.get("data")
        payload = data.get(field) if isinstance(data, Mapping) else None
        details = _mutation_errors(payload)
        if details:
            raise MutationError(operation, details, errors=_top_level_errors(body))

        _raise_for_errors(operation, body)
        if not isinstance(payload, dict):
            raise SaleorError(f"Saleor returned no {field} payload for {operation}")
        return payload

    async def _post(
        self, document_name: str, variables: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        operation = operation_name(document_name)
        query = load_document(document_name)
        body = await self._send(query, variables, operation=operation, label=operation)
        return operation, body

    async def _send(
        self,
        query: str,
        variables: Mapping[str, Any],
        *,
        operation: str | None,
        label: str,
    ) -> dict[str, Any]:
        request = {
            "query": query,
            "variables": dict(variables),
            "operationName": operation,
        }
        started = time.perf_counter()
        try:
            response = await self._http.post(
                self.api_url,
                json=request,
                headers={"Authorization": f"Bearer {self._token}"},
            )
        except httpx.TimeoutException as error:
            raise SaleorTransportError(
                f"Saleor request {label} to {self.api_url} timed out after {self._timeout} s"
            ) from error
        except httpx.HTTPError as error:
            raise SaleorTransportError(
                f"Saleor request {label} to {self.api_url} failed: {error!r}"
            ) from error

        logger.info(
            "saleor.graphql.response operation=%s status=%s elapsed=%.3f",
            label,
            response.status_code,
            time.perf_counter() - started,
        )
        return self._read_body(label, response)

    def _read_body(self, label: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        body = _json_object(response)
        if status == 200 and body is not None:
            return body

        errors = _top_level_errors(body or {})
        if errors:
            raise GraphQLError(label, errors, status_code=status)
        if status >= 500 or status in _RETRYABLE_STATUS:
            raise SaleorTransportError(
                f"Saleor returned HTTP {status} for {label} at {self.api_url}"
            )
        raise SaleorError(
            f"Saleor returned HTTP {status} without a GraphQL body for {label}; "
            f"check that {self.api_url} is the GraphQL API URL"
        )


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _top_level_errors(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    errors = body.get("errors")
    if not isinstance(errors, list):
        return []
    return [
        error if isinstance(error, dict) else {"message": str(error)}
        for error in errors
    ]


def _raise_for_errors(operation: str, body: Mapping[str, Any]) -> None:
    errors = _top_level_errors(body)
    if errors:
        raise GraphQLError(operation, errors)


def _data(operation: str, body: Mapping[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        raise SaleorError(f"Saleor returned no data for {operation}")
    return data


def _mutation_errors(payload: object) -> list[MutationErrorDetail]:
    if not isinstance(payload, Mapping):
        return []
    entries = payload.get("errors")
    if not isinstance(entries, list):
        return []
    return [
        MutationErrorDetail(
            field=_optional_str(entry.get("field")),
            message=_optional_str(entry.get("message")),
            code=_optional_str(entry.get("code")),
        )
        for entry in entries
        if isinstance(entry, Mapping)
    ]


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
