"""Pydantic models of the Digital River requests and responses the client uses.

Python names are snake_case and the wire names are DR's camelCase. Money is
``Decimal`` end to end: request bodies are written by simplejson from the
Decimal itself, so ``Decimal("12.30")`` goes out as the JSON number ``12.30``,
and response bodies are decoded with floats read as Decimal. Response models
accept fields they do not declare, so a new field in DR's response does not
break parsing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import simplejson
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from plugin.money import currency_exponent

__all__ = [
    "METADATA_MAX_KEYS",
    "METADATA_MAX_KEY_LENGTH",
    "METADATA_MAX_VALUE_LENGTH",
    "REQUEST_KEY_FIELD",
    "Fulfillment",
    "FulfillmentItem",
    "FulfillmentList",
    "FulfillmentRequest",
    "FulfillmentRequestItem",
    "FulfillmentResult",
    "Order",
    "OrderItem",
]

REQUEST_KEY_FIELD = "requestKey"
"""Metadata key that carries the caller's deterministic request key."""

METADATA_MAX_KEYS = 20
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500

MetadataValue = str | bool | int
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]


class _Request(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="forbid",
        frozen=True,
    )


class _Response(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="allow",
    )


class FulfillmentRequestItem(_Request):
    """One shipped line item of a fulfillment request."""

    item_id: Text
    quantity: int = Field(ge=1)
    subfulfiller_id: Text
    distributor_cost: Amount | None = None
    shipping_cost: Amount | None = None


class FulfillmentRequest(_Request):
    """Body of ``POST /fulfillments``."""

    order_id: Text
    items: list[FulfillmentRequestItem] = Field(min_length=1)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    tracking_number: Text | None = None
    tracking_company: Text | None = None
    tracking_url: Text | None = None

    @model_validator(mode="after")
    def _check_currency_and_costs(self) -> FulfillmentRequest:
        costs = _costs(self.items)
        if costs and self.currency is None:
            raise ValueError(
                "currency is missing: Digital River requires it when an item has "
                "distributorCost or shippingCost"
            )
        if self.currency is not None:
            _check_decimal_places(costs, self.currency)
        return self

    @model_validator(mode="after")
    def _check_metadata(self) -> FulfillmentRequest:
        problems = _metadata_problems(self.metadata)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def request_key(self) -> str | None:
        """The caller's request key from ``metadata``, if it is set."""
        value = self.metadata.get(REQUEST_KEY_FIELD)
        return value if isinstance(value, str) else None

    def to_payload(self) -> dict[str, Any]:
        """Return the body as a dict with DR's names, omitting unset fields."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def to_json(self) -> str:
        """Return the exact JSON body, with amounts written from their Decimal."""
        return simplejson.dumps(
            self.to_payload(), use_decimal=True, separators=(",", ":")
        )


def _costs(items: list[FulfillmentRequestItem]) -> list[tuple[str, Decimal]]:
    costs = []
    for index, item in enumerate(items):
        if item.distributor_cost is not None:
            costs.append((f"items.{index}.distributorCost", item.distributor_cost))
        if item.shipping_cost is not None:
            costs.append((f"items.{index}.shippingCost", item.shipping_cost))
    return costs


def _check_decimal_places(costs: list[tuple[str, Decimal]], currency: str) -> None:
    exponent = currency_exponent(currency)
    for name, amount in costs:
        places = -amount.as_tuple().exponent  # type: ignore[operator]
        if places > exponent:
            raise ValueError(
                f"{name} {amount} has {places} decimal places but {currency} allows "
                f"{exponent}; quantize it with plugin.money.quantize"
            )


def _metadata_problems(metadata: dict[str, MetadataValue]) -> list[str]:
    problems = []
    if len(metadata) > METADATA_MAX_KEYS:
        problems.append(
            f"metadata has {len(metadata)} keys but Digital River allows "
            f"{METADATA_MAX_KEYS}; drop some"
        )
    for key, value in metadata.items():
        if not key or len(key) > METADATA_MAX_KEY_LENGTH:
            problems.append(
                f"metadata key {key!r} must be 1 to {METADATA_MAX_KEY_LENGTH} characters"
            )
        if isinstance(value, str) and len(value) > METADATA_MAX_VALUE_LENGTH:
            problems.append(
                f"metadata value of {key!r} is {len(value)} characters long; "
                f"Digital River allows {METADATA_MAX_VALUE_LENGTH}"
            )
    return problems


class FulfillmentItem(_Response):
    """A line item as Digital River echoes it in a fulfillment."""

    item_id: str
    sku_id: str | None = None
    quantity: int | None = None
    cancel_quantity: int | None = None
    subfulfiller_id: str | None = None
    distributor_cost: Decimal | None = None
    shipping_cost: Decimal | None = None


class Fulfillment(_Response):
    """A fulfillment as Digital River returns it."""

    id: str
    created_time: dt.datetime | None = None
    order_id: str
    items: list[FulfillmentItem] = Field(default_factory=list)
    currency: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    live_mode: bool = False
    tracking_number: str | None = None
    tracking_company: str | None = None
    tracking_url: str | None = None

    @property
    def request_key(self) -> str | None:
        """The request key stored in ``metadata`` by the client, if any."""
        value = self.metadata.get(REQUEST_KEY_FIELD)
        return value if isinstance(value, str) else None


class FulfillmentList(_Response):
    """One page of ``GET /fulfillments``."""

    has_more: bool = False
    data: list[Fulfillment] = Field(default_factory=list)


class OrderItem(_Response):
    """A line item of a Digital River order."""

    id: str
    sku_id: str | None = None
    quantity: int | None = None
    state: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class Order(_Response):
    """A Digital River order, reduced to the fields the plugin reads."""

    id: str
    state: str | None = None
    currency: str | None = None
    items: list[OrderItem] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    live_mode: bool = False


@dataclass(frozen=True)
class FulfillmentResult:
    """Outcome of ``create_fulfillment``.

    ``created`` is false when the fulfillment was not made by this call but
    found by its request key, because an earlier attempt or run had made it.
    """

    fulfillment: Fulfillment
    created: bool
