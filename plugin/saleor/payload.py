"""Typed model of the FULFILLMENT_CREATED webhook body.

The body is the selection of the subscription's ``event`` field, exactly as
Saleor sends it (see ``documents/fulfillment_created.graphql``). Fields the
pipeline needs are required; a body without them, or with an ``errors`` key,
is rejected with a ``PayloadError`` naming what is missing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from pydantic import AliasGenerator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from plugin.errors import PayloadError

__all__ = [
    "FulfillmentCreated",
    "FulfillmentLine",
    "MetadataItem",
    "Money",
    "Order",
    "OrderLine",
    "SaleorFulfillment",
    "Variant",
    "Warehouse",
    "parse_fulfillment_created",
]

# Fields whose absence or null value means the app token lacks a permission:
# private metadata and customer data need MANAGE_ORDERS on orders and
# fulfillments, and MANAGE_PRODUCTS on product variants.
_PERMISSION_HINTS = {
    "variant": "MANAGE_PRODUCTS",
    "privateMetadata": "MANAGE_ORDERS",
    "userEmail": "MANAGE_ORDERS",
}


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=to_camel),
        extra="ignore",
        frozen=True,
    )


class MetadataItem(_Model):
    key: str
    value: str


class Money(_Model):
    amount: Decimal
    currency: str


class TaxedMoney(_Model):
    gross: Money
    net: Money | None = None


class Variant(_Model):
    id: str
    sku: str | None = None
    metadata: list[MetadataItem] = Field(default_factory=list)
    private_metadata: list[MetadataItem] = Field(default_factory=list)


class OrderLine(_Model):
    id: str
    product_name: str = ""
    variant_name: str = ""
    product_sku: str | None = None
    product_variant_id: str | None = None
    quantity: int
    quantity_fulfilled: int | None = None
    unit_price: TaxedMoney | None = None
    metadata: list[MetadataItem] = Field(default_factory=list)
    private_metadata: list[MetadataItem] = Field(default_factory=list)
    variant: Variant | None = None

    @property
    def sku(self) -> str | None:
        """The line's SKU, from the line or else from its variant."""
        if self.product_sku:
            return self.product_sku
        return self.variant.sku if self.variant else None


class FulfillmentLine(_Model):
    id: str
    quantity: int = Field(gt=0)
    order_line: OrderLine


class Warehouse(_Model):
    id: str
    name: str = ""
    slug: str = ""
    external_reference: str | None = None


class SaleorFulfillment(_Model):
    id: str
    fulfillment_order: int | None = None
    status: str = ""
    tracking_number: str = ""
    created: dt.datetime | None = None
    metadata: list[MetadataItem] = Field(default_factory=list)
    private_metadata: list[MetadataItem] = Field(default_factory=list)
    warehouse: Warehouse | None = None
    lines: list[FulfillmentLine] = Field(min_length=1)


class Channel(_Model):
    slug: str
    currency_code: str


class OrderLineSummary(_Model):
    id: str
    product_sku: str | None = None
    quantity: int
    quantity_fulfilled: int


class Order(_Model):
    id: str
    number: str
    created: dt.datetime | None = None
    status: str = ""
    user_email: str | None = None
    channel: Channel | None = None
    total: TaxedMoney | None = None
    metadata: list[MetadataItem] = Field(default_factory=list)
    private_metadata: list[MetadataItem] = Field(default_factory=list)
    lines: list[OrderLineSummary] = Field(default_factory=list)


class FulfillmentCreated(_Model):
    """The body of a FULFILLMENT_CREATED delivery."""

    issued_at: dt.datetime | None = None
    version: str | None = None
    notify_customer: bool | None = None
    fulfillment: SaleorFulfillment
    order: Order


def metadata_value(
    public: list[MetadataItem],
    private: list[MetadataItem],
    key: str,
    *,
    is_private: bool,
) -> str | None:
    """Return the value stored under ``key`` in public or private metadata."""
    for item in private if is_private else public:
        if item.key == key:
            return item.value
    return None


def parse_fulfillment_created(body: bytes | str | dict[str, Any]) -> FulfillmentCreated:
    """Parse a FULFILLMENT_CREATED body, raising ``PayloadError`` when unusable."""
    data = _decode(body)
    if data.get("errors"):
        raise PayloadError(_describe_graphql_errors(data["errors"]))
    try:
        return FulfillmentCreated.model_validate(data)
    except ValidationError as error:
        raise PayloadError(_describe_validation_error(error)) from None


def _decode(body: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(body, dict):
        return body
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        # ValueError covers invalid JSON and UTF-8, and integers of more than
        # 4,300 digits; RecursionError, arrays or objects nested too deep.
        raise PayloadError(f"webhook body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise PayloadError("webhook body must be a JSON object")
    return data


def _describe_graphql_errors(errors: Any) -> str:
    messages = []
    paths = []
    for error in errors if isinstance(errors, list) else [errors]:
        if isinstance(error, dict):
            messages.append(str(error.get("message", error)))
            paths.append(".".join(str(part) for part in error.get("path") or []))
        else:
            messages.append(str(error))
    where = ", ".join(path for path in paths if path) or "unknown fields"
    return (
        f"Saleor could not resolve {where} for the webhook: {'; '.join(messages)}. "
        f"{_permission_hint(paths)}"
    )


def _describe_validation_error(error: ValidationError) -> str:
    missing = []
    invalid = []
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"])
        if item["type"] == "missing" or item["input"] is None:
            missing.append(path)
        else:
            invalid.append(f"{path}: {item['msg']}")
    parts = []
    if missing:
        parts.append(
            f"webhook body lacks required fields: {', '.join(missing)}. "
            "Check that the webhook's subscription query selects them; "
            f"{_permission_hint(missing)}"
        )
    if invalid:
        parts.append(f"webhook body has invalid fields: {'; '.join(invalid)}")
    return " ".join(parts)


def _permission_hint(paths: list[str]) -> str:
    needed = sorted(
        {
            permission
            for path in paths
            for field, permission in _PERMISSION_HINTS.items()
            if field in path.split(".")
        }
    )
    if not needed:
        needed = ["MANAGE_ORDERS"]
    return (
        f"the app probably lacks the {' and '.join(needed)} permission; "
        "grant it to the app and reinstall it."
    )
