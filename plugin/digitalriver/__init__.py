"""Async client of the Digital River fulfillment API, with retries and reconcile."""

from plugin.digitalriver.client import LIST_PAGE_SIZE, DigitalRiverClient
from plugin.digitalriver.errors import (
    ORDER_FULFILLED,
    AuthenticationError,
    ConflictError,
    ConnectError,
    DigitalRiverError,
    ErrorDetail,
    InvalidResponseError,
    NotFoundError,
    OrderFulfilledError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StatusError,
    TransportError,
    ValidationError,
)
from plugin.digitalriver.models import (
    REQUEST_KEY_FIELD,
    Fulfillment,
    FulfillmentItem,
    FulfillmentList,
    FulfillmentRequest,
    FulfillmentRequestItem,
    FulfillmentResult,
    Order,
    OrderItem,
)
from plugin.digitalriver.observer import NullObserver, Observer
from plugin.digitalriver.ratelimit import RateLimiter
from plugin.digitalriver.redact import RedactSecretsFilter, redact_secrets
from plugin.digitalriver.retry import RetryPolicy

__all__ = [
    "LIST_PAGE_SIZE",
    "ORDER_FULFILLED",
    "REQUEST_KEY_FIELD",
    "AuthenticationError",
    "ConflictError",
    "ConnectError",
    "DigitalRiverClient",
    "DigitalRiverError",
    "ErrorDetail",
    "Fulfillment",
    "FulfillmentItem",
    "FulfillmentList",
    "FulfillmentRequest",
    "FulfillmentRequestItem",
    "FulfillmentResult",
    "InvalidResponseError",
    "NotFoundError",
    "NullObserver",
    "Observer",
    "Order",
    "OrderFulfilledError",
    "OrderItem",
    "RateLimitError",
    "RateLimiter",
    "RedactSecretsFilter",
    "RequestTimeoutError",
    "RetryPolicy",
    "ServerError",
    "StatusError",
    "TransportError",
    "ValidationError",
    "redact_secrets",
]
