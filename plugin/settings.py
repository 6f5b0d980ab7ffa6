"""Settings: Digital River connection, distributors, routing, costs, metadata keys.

Settings load from a TOML or JSON file. The Digital River API key may instead
come from the ``DIGITALRIVER_API_KEY`` environment variable, which wins over
the file. Every problem is reported with the path of the bad value.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    model_validator,
)

from plugin.errors import SettingsError
from plugin.money import MAX_AMOUNT, currency_exponent, is_country

__all__ = [
    "API_KEY_ENV",
    "Address",
    "CostSettings",
    "DigitalRiverSettings",
    "Distributor",
    "MetadataKey",
    "MetadataSettings",
    "RoutingSettings",
    "Settings",
    "SkuRule",
    "UnitCost",
    "WarehouseRule",
    "format_validation_error",
    "load_settings",
    "parse_settings",
    "settings_json_schema",
    "settings_schema_text",
]

API_KEY_ENV = "DIGITALRIVER_API_KEY"


def _check_currency(code: str) -> str:
    currency_exponent(code)
    return code


def _check_country(code: str) -> str:
    if not is_country(code):
        raise ValueError(
            f"invalid country {code!r}: use an ISO 3166-1 alpha-2 code such as US or DE"
        )
    return code


# The patterns are for the JSON Schema only: the validators give the better
# message for a bad code ("invalid currency 'EURO': use an ISO 4217 code").
CurrencyCode = Annotated[
    str,
    Field(
        description="ISO 4217 currency code.",
        json_schema_extra={"pattern": "^[A-Z]{3}$"},
    ),
    AfterValidator(_check_currency),
]
CountryCode = Annotated[
    str,
    Field(
        description="ISO 3166-1 alpha-2 country code.",
        json_schema_extra={"pattern": "^[A-Z]{2}$"},
    ),
    AfterValidator(_check_country),
]
NonNegativeAmount = Annotated[
    Decimal,
    Field(
        ge=0,
        lt=MAX_AMOUNT,
        allow_inf_nan=False,
        description="Amount, never negative.",
    ),
]
Seconds = Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)]
Identifier = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DigitalRiverSettings(_Model):
    """Connection to the Digital River API."""

    api_key: SecretStr | None = Field(
        default=None,
        json_schema_extra={"writeOnly": True},
        description=(
            "Secret API key (sk_test_... or sk_live_...). Overridden by the "
            f"{API_KEY_ENV} environment variable. Without a key the bundled "
            "sandbox is used."
        ),
    )
    base_url: HttpUrl = Field(
        default=HttpUrl("https://api.digitalriver.com"),
        description="Base URL of the Digital River API.",
    )
    api_version: str | None = Field(
        default=None,
        pattern=r"^[0-9A-Za-z._-]{1,32}$",
        description="Sent as the DigitalRiver-Version header when set, such as 2021-12-13.",
    )
    connect_timeout: Seconds = Field(default=5.0, description="Seconds.")
    read_timeout: Seconds = Field(default=30.0, description="Seconds.")
    requests_per_second: float = Field(
        default=20.0,
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="Client-side rate limit; Digital River allows 25/s in test mode.",
    )
    max_attempts: int = Field(
        default=5, ge=1, le=20, description="Attempts per request, the first included."
    )
    max_retry_seconds: Seconds = Field(
        default=120.0, description="Time budget for one request's retries."
    )
    max_retry_after_seconds: Seconds = Field(
        default=60.0, description="Longest Retry-After that is honoured."
    )


class Address(_Model):
    """Postal address of a distributor, as registered with Digital River."""

    lines: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1, max_length=3)
    city: str = Field(min_length=1)
    postal_code: str | None = None
    region: str | None = Field(default=None, description="State, province or county.")
    country: CountryCode


class Distributor(_Model):
    """A distributor that ships the merchant's goods."""

    id: Identifier = Field(description="The subfulfillerId agreed with Digital River.")
    name: str = Field(min_length=1)
    address: Address
    currency: CurrencyCode = Field(description="Payout currency (ISO 4217).")
    remit_shipping: bool = Field(
        default=False, description="Whether shipping costs are remitted to it."
    )
    shipping_cost: NonNegativeAmount | None = Field(
        default=None,
        description="Shipping cost per shipment, in the payout currency.",
    )

    @model_validator(mode="after")
    def _shipping_cost_needs_remit(self) -> Distributor:
        if self.shipping_cost is not None and not self.remit_shipping:
            raise ValueError(
                "shipping_cost is set but remit_shipping is false: "
                "set remit_shipping = true or remove shipping_cost"
            )
        if self.shipping_cost is not None:
            exponent = currency_exponent(self.currency)
            if self.shipping_cost.as_tuple().exponent < -exponent:  # type: ignore[operator]
                raise ValueError(
                    f"shipping_cost {self.shipping_cost} has more decimal places "
                    f"than {self.currency} allows ({exponent})"
                )
        return self


class SkuRule(_Model):
    """Route every line with this SKU to a distributor."""

    sku: Identifier
    distributor: Identifier


class WarehouseRule(_Model):
    """Route every line shipped from this Saleor warehouse to a distributor."""

    warehouse: Identifier = Field(description="Saleor warehouse slug or global id.")
    distributor: Identifier


class RoutingSettings(_Model):
    """Rules tried in order: by SKU, by warehouse, then the default."""

    by_sku: list[SkuRule] = Field(default_factory=list)
    by_warehouse: list[WarehouseRule] = Field(default_factory=list)
    default_distributor: Identifier | None = None


class UnitCost(_Model):
    """A distributor's unit cost of a SKU from a date on."""

    distributor: Identifier
    sku: Identifier
    cost: NonNegativeAmount = Field(description="Per unit, in the payout currency.")
    effective_from: dt.date = Field(description="First day (UTC) the cost applies.")


class MetadataKey(_Model):
    """A Saleor metadata key, public or private."""

    key: str = Field(min_length=1, max_length=256)
    private: bool = True


class CostSettings(_Model):
    """Sources of unit costs: the table, then a metadata key."""

    table: list[UnitCost] = Field(default_factory=list)
    metadata: MetadataKey | None = Field(
        default=None,
        description=(
            "Metadata key on the order line, then on the variant, whose value "
            "is the unit cost in the distributor's payout currency."
        ),
    )


class MetadataSettings(_Model):
    """Saleor metadata keys written by the checkout integration."""

    order_id: MetadataKey = Field(
        default=MetadataKey(key="digitalriver.orderId"),
        description="Digital River order id on the Saleor order.",
    )
    item_id: MetadataKey = Field(
        default=MetadataKey(key="digitalriver.itemId"),
        description="Digital River line item id on each Saleor order line.",
    )
    shipping_cost: MetadataKey = Field(
        default=MetadataKey(key="digitalriver.shippingCost"),
        description=(
            "Shipping cost on the Saleor fulfillment; wins over a distributor's "
            "configured shipping_cost."
        ),
    )


class Settings(_Model):
    """All settings of one installation."""

    schema_: str | None = Field(default=None, alias="$schema", exclude=True)
    digitalriver: DigitalRiverSettings = Field(default_factory=DigitalRiverSettings)
    distributors: list[Distributor] = Field(default_factory=list)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    costs: CostSettings = Field(default_factory=CostSettings)
    metadata: MetadataSettings = Field(default_factory=MetadataSettings)

    @model_validator(mode="after")
    def _check_references(self) -> Settings:
        problems = _reference_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def distributor(self, distributor_id: str) -> Distributor:
        """Return the distributor with this id; ``KeyError`` when unknown."""
        return self._distributors_by_id()[distributor_id]

    def _distributors_by_id(self) -> dict[str, Distributor]:
        cached: dict[str, Distributor] | None = self.__dict__.get("_by_id")
        if cached is None:
            cached = {distributor.id: distributor for distributor in self.distributors}
            object.__setattr__(self, "_by_id", cached)
        return cached


def _reference_problems(settings: Settings) -> list[str]:
    problems = []
    counts = Counter(distributor.id for distributor in settings.distributors)
    for distributor_id, count in counts.items():
        if count > 1:
            problems.append(
                f"distributors: id {distributor_id!r} is used {count} times; "
                "each distributor needs its own id"
            )

    known = set(counts)
    references: list[tuple[str, str]] = []
    for index, sku_rule in enumerate(settings.routing.by_sku):
        references.append((f"routing.by_sku.{index}.distributor", sku_rule.distributor))
    for index, rule in enumerate(settings.routing.by_warehouse):
        references.append(
            (f"routing.by_warehouse.{index}.distributor", rule.distributor)
        )
    if settings.routing.default_distributor is not None:
        references.append(
            ("routing.default_distributor", settings.routing.default_distributor)
        )
    for index, cost in enumerate(settings.costs.table):
        references.append((f"costs.table.{index}.distributor", cost.distributor))
    for path, distributor_id in references:
        if distributor_id not in known:
            problems.append(
                f"{path}: unknown distributor {distributor_id!r}; "
                "add it under distributors or use one of their ids"
            )

    skus = Counter(rule.sku for rule in settings.routing.by_sku)
    problems.extend(
        f"routing.by_sku: SKU {sku!r} has {count} rules; keep one"
        for sku, count in skus.items()
        if count > 1
    )
    costs = Counter(
        (cost.distributor, cost.sku, cost.effective_from)
        for cost in settings.costs.table
    )
    problems.extend(
        f"costs.table: {count} costs for distributor {key[0]!r}, SKU {key[1]!r} "
        f"from {key[2]}; keep one"
        for key, count in costs.items()
        if count > 1
    )
    return problems


def format_validation_error(error: ValidationError, source: str) -> str:
    """Render a pydantic ``ValidationError`` as one line per bad value.

    Paths count list items from 0: ``distributors.1`` is the second
    distributor. The bad value is shown unless it may be a secret.
    """
    lines = [f"invalid settings in {source}:"]
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling"
        elif _shows_input(item["input"], path) and repr(item["input"]) not in message:
            message = f"{message} (got {item['input']!r})"
        if not path:
            # Cross-reference checks name their own paths, one per line.
            lines.extend(f"  {problem}" for problem in message.split("\n"))
        else:
            lines.append(f"  {path}: {message}")
    return "\n".join(lines)


def _shows_input(value: object, path: str) -> bool:
    scalar = isinstance(value, str | int | float | Decimal) and not isinstance(
        value, bool
    )
    return scalar and "api_key" not in path and len(repr(value)) <= 80


def parse_settings(
    data: dict[str, Any],
    source: str = "settings",
    environ: dict[str, str] | None = None,
) -> Settings:
    """Validate settings from a mapping, taking the API key from ``environ``."""
    environ = os.environ if environ is None else environ  # type: ignore[assignment]
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise SettingsError(format_validation_error(error, source)) from None

    api_key = environ.get(API_KEY_ENV) if environ else None
    if api_key:
        digitalriver = settings.digitalriver.model_copy(
            update={"api_key": SecretStr(api_key)}
        )
        settings = settings.model_copy(update={"digitalriver": digitalriver})
    return settings


def load_settings(path: Path | None, environ: dict[str, str] | None = None) -> Settings:
    """Load settings from a ``.toml`` or ``.json`` file; defaults without one."""
    if path is None:
        return parse_settings({}, "defaults", environ)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SettingsError(
            f"cannot read settings file {str(path)!r}: {error.strerror}"
        ) from None

    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text, parse_float=Decimal)
        elif path.suffix == ".json":
            data = json.loads(text, parse_float=Decimal)
        else:
            raise SettingsError(
                f"settings file {str(path)!r} must end in .toml or .json"
            )
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise SettingsError(
            f"settings file {str(path)!r} is not valid: {error}"
        ) from None
    if not isinstance(data, dict):
        raise SettingsError(f"settings file {str(path)!r} must contain an object")
    return parse_settings(data, str(path), environ)


def settings_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the settings file."""
    schema = Settings.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://dr-distributor-plugin.invalid/settings_schema.json"
    return schema


def settings_schema_text() -> str:
    """Return the settings JSON Schema as committed in ``settings_schema.json``."""
    return json.dumps(settings_json_schema(), indent=2, sort_keys=True) + "\n"
