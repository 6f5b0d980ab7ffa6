"""Saleor test double: a real HTTP server on 127.0.0.1 that behaves like Saleor 3.24.

It serves ``/.well-known/jwks.json`` and GraphQL at ``/graphql/`` by
parsing, validating and executing each document against Saleor's real schema,
with resolvers only for what the app calls: ``app``, ``order``,
``orderNoteAdd`` and ``updatePrivateMetadata``. It signs webhook bodies and
issues app and dashboard tokens the way Saleor does, and can be told to fail
the next requests. The error shapes copy deliveries recorded from a Saleor
3.24.0-a.0 server.

Use the ``saleor`` fixture for a started double that stops after the test.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import graphql
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import api_jws
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tests.support.paths import SALEOR_SCHEMA

__all__ = [
    "Fault",
    "FulfillmentRecord",
    "OrderRecord",
    "RecordedMutation",
    "SaleorDouble",
    "from_global_id",
    "saleor",
    "saleor_schema",
    "to_global_id",
]

GRAPHQL_PATH = "/graphql/"
JWKS_PATH = "/.well-known/jwks.json"
DEFAULT_APP_ID = "QXBwOjE="  # App:1, as in the recorded deliveries
DEFAULT_APP_PERMISSIONS = ("MANAGE_ORDERS", "MANAGE_PRODUCTS")
PERMISSION_DENIED = {"exception": {"code": "PermissionDenied"}}


@functools.cache
def saleor_schema() -> graphql.GraphQLSchema:
    """Return Saleor's schema, built once per process (about a second)."""
    return graphql.build_schema(SALEOR_SCHEMA.read_text(encoding="utf-8"))


def to_global_id(type_name: str, pk: object) -> str:
    """Return a Saleor global id: base64 of ``"<type>:<pk>"``."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def from_global_id(global_id: str) -> tuple[str, str] | None:
    """Return ``(type, pk)`` of a global id, or None when it is malformed."""
    try:
        decoded = base64.b64decode(global_id, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    type_name, separator, pk = decoded.partition(":")
    if not separator or not type_name or not pk:
        return None
    return type_name, pk


def rfc7638_thumbprint(jwk: Mapping[str, Any]) -> str:
    """Return the RFC 7638 thumbprint of an RSA JWK, which Saleor uses as ``kid``."""
    members = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclasses.dataclass
class SigningKey:
    """RSA key pair with its public JWK, shaped like Saleor's JWKS entries."""

    private_key: rsa.RSAPrivateKey
    jwk: dict[str, Any]

    @property
    def kid(self) -> str:
        return str(self.jwk["kid"])

    @classmethod
    def generate(cls) -> SigningKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
        members = {"kty": "RSA", "key_ops": ["verify"], "n": jwk["n"], "e": jwk["e"]}
        members.update({"use": "sig", "kid": rfc7638_thumbprint(jwk), "alg": "RS256"})
        return cls(private_key, members)


@dataclasses.dataclass
class OrderRecord:
    """Order known to the double; ``notes`` collects ``orderNoteAdd`` messages."""

    id: str
    number: str
    metadata: dict[str, str] = dataclasses.field(default_factory=dict)
    private_metadata: dict[str, str] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class FulfillmentRecord:
    """Fulfillment known to the double."""

    id: str
    order_id: str
    status: str = "FULFILLED"
    tracking_number: str = ""
    metadata: dict[str, str] = dataclasses.field(default_factory=dict)
    private_metadata: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RecordedMutation:
    """Top-level mutation field received at ``/graphql/``, valid or not."""

    name: str
    operation_name: str | None
    variables: dict[str, Any]
    authorized: bool


@dataclasses.dataclass(frozen=True)
class Fault:
    """Failure to inject into one request.

    ``status`` responds with that HTTP status and a plain-text body. ``drop``
    sends response headers and part of a body, then closes the connection.
    ``delay`` waits that many seconds first, and with neither ``status`` nor
    ``drop`` the request is then handled normally. With ``execute``, the
    request is carried out before the failure.
    """

    status: int | None = 500
    drop: bool = False
    delay: float = 0.0
    execute: bool = False


@dataclasses.dataclass
class _Caller:
    token: str | None
    permissions: frozenset[str] | None

    @property
    def authenticated(self) -> bool:
        return self.permissions is not None


class SaleorDouble:
    """Saleor stand-in serving JWKS and GraphQL over real HTTP on 127.0.0.1."""

    def __init__(
        self,
        *,
        app_id: str = DEFAULT_APP_ID,
        app_permissions: Sequence[str] = DEFAULT_APP_PERMISSIONS,
        app_name: str = "dr-distributor-test",
    ) -> None:
        self.app_id = app_id
        self.app_name = app_name
        self.app_permissions = frozenset(app_permissions)
        self.orders: dict[str, OrderRecord] = {}
        self.fulfillments: dict[str, FulfillmentRecord] = {}
        self.mutations: list[RecordedMutation] = []
        self.requests: collections.Counter[str] = collections.Counter()

        self._keys = [SigningKey.generate()]
        self._app_tokens: dict[str, frozenset[str]] = {}
        self._faults: dict[str, collections.deque[Fault]] = collections.defaultdict(
            collections.deque
        )
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # Server lifecycle

    def start(self) -> SaleorDouble:
        """Start the server on a free port and wait until it accepts requests."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]

        config = uvicorn.Config(
            self._asgi,
            log_config=None,
            access_log=False,
            interface="asgi3",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()

        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Saleor test double did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop the server and wait for its thread to end."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> SaleorDouble:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the Saleor test double is not started; call start()")
        return self._port

    @property
    def domain(self) -> str:
        """Value of ``Saleor-Domain``: host and port."""
        return f"127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return f"http://{self.domain}"

    @property
    def api_url(self) -> str:
        return f"{self.origin}{GRAPHQL_PATH}"

    @property
    def jwks_url(self) -> str:
        return f"{self.origin}{JWKS_PATH}"

    # Keys and signatures

    @property
    def kid(self) -> str:
        """Key id of the key that signs now."""
        return self._keys[-1].kid

    @property
    def jwks(self) -> dict[str, Any]:
        """Key set served at ``/.well-known/jwks.json``."""
        return {"keys": [dict(key.jwk) for key in self._keys]}

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        return self._keys[-1].private_key

    def rotate_key(self, *, keep_old: bool = False) -> str:
        """Replace the signing key and return its kid.

        Saleor serves only its current key, so by default the old key leaves
        the key set. ``keep_old`` keeps publishing it.
        """
        new_key = SigningKey.generate()
        self._keys = [*self._keys, new_key] if keep_old else [new_key]
        return new_key.kid

    def sign(self, body: bytes) -> str:
        """Return the ``Saleor-Signature`` of ``body``: a detached JWS, RS256, b64=false."""
        return api_jws.encode(
            body,
            self.private_key,
            algorithm="RS256",
            headers={"kid": self.kid},
            is_payload_detached=True,
        )

    def webhook_headers(
        self, body: bytes, event: str = "fulfillment_created"
    ) -> dict[str, str]:
        """Return the headers Saleor 3.24 sends with a webhook ``body``."""
        signature = self.sign(body)
        return {
            "User-Agent": "Saleor/3.24",
            "Content-Type": "application/json",
            "X-Saleor-Event": event,
            "X-Saleor-Domain": self.domain,
            "X-Saleor-Signature": signature,
            "Saleor-Event": event,
            "Saleor-Domain": self.domain,
            "Saleor-Signature": signature,
            "Saleor-Api-Url": self.api_url,
        }

    # Tokens

    def issue_app_token(self, permissions: Sequence[str] | None = None) -> str:
        """Return a new app token that ``/graphql/`` accepts.

        The token carries the app's permissions unless ``permissions`` is given.
        """
        token = secrets.token_urlsafe(23)[:30]
        granted = (
            self.app_permissions if permissions is None else frozenset(permissions)
        )
        with self._lock:
            self._app_tokens[token] = granted
        return token

    def revoke_app_token(self, token: str) -> None:
        with self._lock:
            self._app_tokens.pop(token, None)

    def is_valid_app_token(self, token: str) -> bool:
        with self._lock:
            return token in self._app_tokens

    def issue_dashboard_token(
        self,
        app_id: str | None = None,
        permissions: Sequence[str] = ("MANAGE_ORDERS",),
        expires_in: float = 300.0,
        *,
        email: str = "staff@example.com",
        user_pk: int = 1,
        issued_at: dt.datetime | None = None,
    ) -> str:
        """Return a user token with the claims of Saleor's ``create_access_token_for_app``.

        ``permissions`` are the user's permissions (``user_permissions``);
        ``permissions`` in the token is their intersection with the app's.
        A negative ``expires_in`` gives an expired token.
        """
        now = issued_at or dt.datetime.now(tz=dt.UTC)
        user_permissions = sorted(set(permissions))
        claims = {
            "iat": now,
            "owner": "saleor",
            "iss": self.api_url,
            "exp": now + dt.timedelta(seconds=expires_in),
            "token": secrets.token_urlsafe(9),
            "email": email,
            "type": "thirdparty",
            "user_id": to_global_id("User", user_pk),
            "is_staff": True,
            "app": app_id or self.app_id,
            "permissions": sorted(set(permissions) & self.app_permissions),
            "user_permissions": user_permissions,
        }
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": self.kid}
        )

    # Registry

    def add_order(
        self,
        order_id: str | None = None,
        number: str = "1",
        private_metadata: Mapping[str, str] | None = None,
    ) -> OrderRecord:
        """Register an order that mutations may target."""
        order = OrderRecord(
            id=order_id or to_global_id("Order", uuid.uuid4()),
            number=number,
            private_metadata=dict(private_metadata or {}),
        )
        with self._lock:
            self.orders[order.id] = order
        return order

    def add_fulfillment(
        self, order_id: str, fulfillment_id: str | None = None
    ) -> FulfillmentRecord:
        """Register a fulfillment of a registered order."""
        if order_id not in self.orders:
            raise KeyError(f"order {order_id} is not registered; call add_order first")
        with self._lock:
            pk = len(self.fulfillments) + 1
            fulfillment = FulfillmentRecord(
                id=fulfillment_id or to_global_id("Fulfillment", pk), order_id=order_id
            )
            self.fulfillments[fulfillment.id] = fulfillment
        return fulfillment

    def add_from_payload(self, payload: Mapping[str, Any]) -> FulfillmentRecord:
        """Register the order and fulfillment of a FULFILLMENT_CREATED body."""
        order = payload["order"]
        self.add_order(
            order["id"],
            number=str(order.get("number", "1")),
            private_metadata=_metadata_dict(order.get("privateMetadata")),
        )
        body = payload["fulfillment"]
        fulfillment = self.add_fulfillment(order["id"], body["id"])
        fulfillment.status = str(body.get("status", fulfillment.status))
        fulfillment.tracking_number = str(body.get("trackingNumber") or "")
        fulfillment.private_metadata.update(_metadata_dict(body.get("privateMetadata")))
        return fulfillment

    # Faults

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        drop: bool = False,
        execute: bool = False,
        path: str = GRAPHQL_PATH,
    ) -> None:
        """Make the next ``count`` requests to ``path`` fail.

        They get HTTP ``status`` with a plain-text body, or with ``drop`` a
        connection closed halfway through the response. With ``execute`` the
        double carries out each request first, as when Saleor applied a
        mutation but its response was lost.
        """
        fault = Fault(status=None if drop else status, drop=drop, execute=execute)
        self._add_faults(path, fault, count)

    def delay_next(
        self, seconds: float, count: int = 1, *, path: str = GRAPHQL_PATH
    ) -> None:
        """Make the next ``count`` requests to ``path`` wait ``seconds`` before the response."""
        self._add_faults(path, Fault(status=None, delay=seconds), count)

    def _add_faults(self, path: str, fault: Fault, count: int) -> None:
        with self._lock:
            self._faults[path].extend([fault] * count)

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(path)
            return queue.popleft() if queue else None

    # HTTP

    @functools.cached_property
    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(JWKS_PATH, self._serve_jwks, methods=["GET"]),
                Route(GRAPHQL_PATH, self._serve_graphql, methods=["POST"]),
            ]
        )

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        path = scope["path"]
        with self._lock:
            self.requests[path] += 1
        fault = self._next_fault(path)
        if fault is None:
            await self._app(scope, receive, send)
            return
        await self._respond_with_fault(fault, scope, receive, send)

    async def _respond_with_fault(
        self, fault: Fault, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if not fault.drop and fault.status is None:
            await self._app(scope, receive, send)
            return

        if fault.execute:
            await self._app(scope, receive, _discard)
        if fault.drop:
            # Promise a longer body than is sent, then stop: uvicorn closes
            # the connection and the client sees an incomplete response.
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"4096"),
            ]
            await send(
                {"type": "http.response.start", "status": 200, "headers": headers}
            )
            await send(
                {"type": "http.response.body", "body": b'{"data"', "more_body": True}
            )
            return
        response = Response("Internal Server Error", status_code=fault.status or 500)
        await response(scope, receive, send)

    async def _serve_jwks(self, request: Request) -> Response:
        return JSONResponse(self.jwks)

    async def _serve_graphql(self, request: Request) -> Response:
        try:
            request_body = json.loads(await request.body())
            query = request_body["query"]
            variables = dict(request_body.get("variables") or {})
            operation_name = request_body.get("operationName")
        except (ValueError, KeyError, TypeError, AttributeError):
            return _errors_response(
                400, "Must provide a JSON body with a 'query' string."
            )
        if not isinstance(query, str):
            return _errors_response(
                400, "Must provide a JSON body with a 'query' string."
            )

        try:
            document = graphql.parse(query)
        except graphql.GraphQLError as error:
            return JSONResponse({"errors": [error.formatted]}, status_code=400)
        validation_errors = graphql.validate(saleor_schema(), document)
        if validation_errors:
            errors = [error.formatted for error in validation_errors]
            return JSONResponse({"errors": errors}, status_code=400)

        caller = self._caller(request.headers.get("authorization"))
        self._record_mutations(document, operation_name, variables, caller)
        result = graphql.execute_sync(
            saleor_schema(),
            document,
            root_value=_Resolvers(self, caller),
            variable_values=variables,
            operation_name=operation_name,
        )
        return JSONResponse(_result_body(result))

    def _caller(self, authorization: str | None) -> _Caller:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _Caller(token=None, permissions=None)
        with self._lock:
            return _Caller(token=token, permissions=self._app_tokens.get(token))

    def _record_mutations(
        self,
        document: graphql.DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any],
        caller: _Caller,
    ) -> None:
        operation = graphql.get_operation_ast(document, operation_name)
        if operation is None or operation.operation != graphql.OperationType.MUTATION:
            return
        name = operation.name.value if operation.name else None
        for selection in operation.selection_set.selections:
            if isinstance(selection, graphql.FieldNode):
                record = RecordedMutation(
                    name=selection.name.value,
                    operation_name=name,
                    variables=dict(variables),
                    authorized=caller.authenticated,
                )
                with self._lock:
                    self.mutations.append(record)


class _Resolvers:
    """Root value for queries and mutations: graphql-core calls these by field name."""

    def __init__(self, double: SaleorDouble, caller: _Caller) -> None:
        self._double = double
        self._caller = caller

    def app(self, info: object, id: str | None = None) -> dict[str, Any]:
        if not self._caller.authenticated:
            raise graphql.GraphQLError(
                "To access this path, you need one of the following permissions: "
                "AUTHENTICATED_STAFF_USER, AUTHENTICATED_APP",
                extensions=PERMISSION_DENIED,
            )
        return _app_node(self._double)

    def order(
        self,
        info: object,
        id: str | None = None,
        externalReference: str | None = None,
    ) -> dict[str, Any] | None:
        self._require("MANAGE_ORDERS")
        order = self._double.orders.get(id or "")
        return _order_node(order) if order else None

    def orderNoteAdd(
        self, info: object, order: str, input: dict[str, Any]
    ) -> dict[str, Any]:
        self._require("MANAGE_ORDERS")
        message = str(input.get("message", ""))
        if not message.strip():
            return _note_failure("message", "Message can't be empty.", "REQUIRED")

        parsed = from_global_id(order)
        if parsed is None or parsed[0] != "Order":
            return _note_failure(
                "id", f"Invalid ID: {order}. Expected: Order.", "GRAPHQL_ERROR"
            )
        record = self._double.orders.get(order)
        if record is None:
            # Saleor 3.24 returns a lower-case code that its own enum cannot
            # serialize, which yields "code": null and a top-level error.
            return _note_failure(
                "id", f"Couldn't resolve to a node: {order}", "not_found"
            )

        record.notes.append(message)
        event = {
            "id": to_global_id("OrderEvent", len(record.notes)),
            "type": "NOTE_ADDED",
            "date": dt.datetime.now(tz=dt.UTC).isoformat(),
            "message": message,
            "app": _app_node(self._double),
            "user": None,
        }
        return {"order": _order_node(record), "event": event, "errors": []}

    def updatePrivateMetadata(
        self, info: object, id: str, input: list[dict[str, str]]
    ) -> dict[str, Any]:
        self._require("MANAGE_ORDERS")
        parsed = from_global_id(id)
        if parsed is None:
            return _metadata_failure(
                None, f"\u201c{id}\u201d is not a valid UUID.", "INVALID"
            )
        target = self._metadata_target(id)
        if target is None:
            return _metadata_failure(
                "id", f"Couldn't resolve to a node: {id}", "NOT_FOUND"
            )
        if any(not item["key"].strip() for item in input):
            return _metadata_failure(
                "input", "Metadata key cannot be empty.", "REQUIRED"
            )

        target.private_metadata.update({item["key"]: item["value"] for item in input})
        return {"item": _metadata_node(target), "errors": [], "metadataErrors": []}

    def _metadata_target(
        self, global_id: str
    ) -> OrderRecord | FulfillmentRecord | None:
        return self._double.orders.get(global_id) or self._double.fulfillments.get(
            global_id
        )

    def _require(self, permission: str) -> None:
        permissions = self._caller.permissions or frozenset()
        if permission not in permissions:
            raise graphql.GraphQLError(
                f"To access this path, you need one of the following permissions: {permission}",
                extensions=PERMISSION_DENIED,
            )


def _app_node(double: SaleorDouble) -> dict[str, Any]:
    return {
        "id": double.app_id,
        "name": double.app_name,
        "isActive": True,
        "permissions": [
            {"code": code, "name": code} for code in sorted(double.app_permissions)
        ],
    }


def _order_node(order: OrderRecord) -> dict[str, Any]:
    return {
        "__typename": "Order",
        "id": order.id,
        "number": order.number,
        "metadata": _metadata_items(order.metadata),
        "privateMetadata": _metadata_items(order.private_metadata),
    }


def _metadata_node(target: OrderRecord | FulfillmentRecord) -> dict[str, Any]:
    if isinstance(target, OrderRecord):
        return _order_node(target)
    return {
        "__typename": "Fulfillment",
        "id": target.id,
        "status": target.status,
        "trackingNumber": target.tracking_number,
        "metadata": _metadata_items(target.metadata),
        "privateMetadata": _metadata_items(target.private_metadata),
    }


def _note_failure(field: str, message: str, code: str) -> dict[str, Any]:
    return {
        "order": None,
        "event": None,
        "errors": [{"field": field, "message": message, "code": code}],
    }


def _metadata_failure(field: str | None, message: str, code: str) -> dict[str, Any]:
    errors = [{"field": field, "message": message, "code": code}]
    return {"item": None, "errors": errors, "metadataErrors": errors}


def _metadata_items(values: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in values.items()]


def _metadata_dict(items: object) -> dict[str, str]:
    if not isinstance(items, list):
        return {}
    return {str(item["key"]): str(item["value"]) for item in items}


def _result_body(result: graphql.ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    body["data"] = result.data
    return body


def _errors_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


async def _discard(message: Any) -> None:
    """ASGI ``send`` that drops the response of a request run before a fault."""


@pytest.fixture
def saleor() -> Iterator[SaleorDouble]:
    """Started Saleor test double, stopped after the test."""
    with SaleorDouble() as double:
        yield double
