"""Exceptions raised by the plugin.

Every exception the plugin raises on purpose derives from ``PluginError``.
The subtrees of the Digital River client, Saleor and the store are drawn in
their own modules; this is the whole tree::

    PluginError
    ├── SettingsError                  settings file or value is invalid
    ├── PayloadError                   webhook body cannot be used
    ├── RoutingError                   some lines cannot be routed (``problems``)
    ├── RequestVetoed                  a plugin vetoed a Digital River request
    ├── DigitalRiverError              plugin.digitalriver.errors
    │   ├── TransportError             no usable HTTP response
    │   │   ├── ConnectError
    │   │   └── RequestTimeoutError
    │   ├── StatusError                Digital River answered with an error status
    │   │   ├── ValidationError        400
    │   │   ├── AuthenticationError    401, 403
    │   │   ├── NotFoundError          404
    │   │   ├── ConflictError          409
    │   │   │   └── OrderFulfilledError    409 ``order_fulfilled``
    │   │   ├── RateLimitError         429
    │   │   └── ServerError            5xx
    │   └── InvalidResponseError       2xx body that is not the expected JSON
    ├── SaleorError                    plugin.saleor.errors
    │   ├── SignatureError             webhook signature missing or invalid
    │   ├── TokenError                 dashboard user token rejected
    │   ├── SaleorTransportError       Saleor API unreachable
    │   └── GraphQLError               ``errors`` in a GraphQL response
    │       └── MutationError          a mutation's own ``errors`` list
    ├── StoreError                     plugin.store.errors
    │   ├── StoreUnavailable
    │   ├── CipherError
    │   ├── RecordNotFound
    │   ├── LeaseLost
    │   └── JobStateError
    ├── CostFileError                  plugin.costs_csv: cost CSV unreadable
    │   └── CostRowsInvalid            some rows are invalid, nothing imported
    └── SandboxError                   plugin.sandbox.errors
        ├── SeedError                  seed orders file is invalid
        └── ApiError                   an error response the sandbox sends

``transient`` tells the worker whether trying again later can help.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "PayloadError",
    "PluginError",
    "RequestVetoed",
    "RoutingError",
    "RoutingProblem",
    "SettingsError",
]


class PluginError(Exception):
    """Base class of every error the plugin raises on purpose."""

    transient: bool = False
    """Whether the same work may succeed when tried again later."""


class SettingsError(PluginError):
    """The settings cannot be loaded; the message names each bad value."""


class PayloadError(PluginError):
    """A webhook body lacks what the pipeline needs or reports GraphQL errors."""


class RequestVetoed(PluginError):
    """A ``dr_request_prepare`` hook implementation vetoed a request."""

    def __init__(self, request_key: str, reason: str) -> None:
        super().__init__(f"request {request_key} was vetoed by a plugin: {reason}")
        self.request_key = request_key
        self.reason = reason


@dataclass(frozen=True)
class RoutingProblem:
    """Reason a fulfillment line, or the whole fulfillment, cannot be routed."""

    message: str
    line_id: str | None = None
    sku: str | None = None
    product_name: str | None = None

    def __str__(self) -> str:
        if self.line_id is None:
            return self.message
        name = f", {self.product_name!r}" if self.product_name else ""
        return f"line {self.line_id} (SKU {self.sku or 'none'}{name}): {self.message}"


class RoutingError(PluginError):
    """Some lines cannot be routed, so nothing was sent to Digital River."""

    def __init__(self, problems: Sequence[RoutingProblem]) -> None:
        self.problems = list(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"cannot route the fulfillment, so nothing was sent to Digital River:\n"
            f"{listed}"
        )
