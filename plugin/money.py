"""Currencies, countries and Decimal amounts.

Amounts are ``decimal.Decimal`` quantized to the minor unit of their ISO 4217
currency (2 places for USD, 0 for JPY, 3 for KWD). Rounding is
``ROUND_HALF_UP``: half a minor unit rounds away from zero, which for the
non-negative amounts sent to Digital River means up.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import iso4217
import pycountry

__all__ = [
    "MAX_AMOUNT",
    "ROUNDING",
    "allocate",
    "currency_exponent",
    "is_country",
    "is_currency",
    "minor_unit",
    "quantize",
]

ROUNDING = ROUND_HALF_UP
MAX_AMOUNT = Decimal(10) ** 15
"""Amounts must stay below this, far above any cost, so that every product
and rounding fits the 28 digits of Decimal's default context."""


@functools.cache
def currency_exponent(code: str) -> int:
    """Return the number of decimal places of an ISO 4217 currency.

    Raises ``ValueError`` for a code that is not an active ISO 4217 currency
    or that has no minor unit (precious metals, fund codes such as XAU).
    """
    try:
        currency = iso4217.Currency(code)
    except ValueError:
        raise ValueError(
            f"invalid currency {code!r}: use an ISO 4217 code such as USD or EUR"
        ) from None
    exponent = currency.exponent
    if exponent is None:
        raise ValueError(
            f"currency {code!r} has no minor unit and cannot be used for payouts"
        )
    return int(exponent)


def is_currency(code: str) -> bool:
    """Return whether ``code`` is an ISO 4217 currency usable for amounts."""
    try:
        currency_exponent(code)
    except ValueError:
        return False
    return True


@functools.cache
def is_country(code: str) -> bool:
    """Return whether ``code`` is an ISO 3166-1 alpha-2 country code."""
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def minor_unit(currency: str) -> Decimal:
    """Return the smallest amount of ``currency``, such as ``0.01`` for USD."""
    return Decimal(1).scaleb(-currency_exponent(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to the minor unit of ``currency`` (half up).

    A zero comes back without a sign, so ``-0`` is never sent. Raises
    ``ValueError`` for an amount of ``MAX_AMOUNT`` or more.
    """
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(
            f"amount {amount} is too large: it must be below {MAX_AMOUNT:,}"
        )
    result = amount.quantize(minor_unit(currency), rounding=ROUNDING)
    return result if result else result.copy_abs()


def allocate(
    total: Decimal, weights: Sequence[Decimal], currency: str
) -> list[Decimal]:
    """Split ``total`` over ``weights`` so that the parts add up to ``total``.

    Each part is proportional to its weight, rounded down to the currency's
    minor unit. The minor units left over go one each to the parts with the
    largest remainders, and ties go to the earlier part. When every weight is
    zero the weights count as equal.
    """
    if not weights:
        raise ValueError("cannot allocate an amount over zero parts")
    if any(weight < 0 for weight in weights):
        raise ValueError("allocation weights must not be negative")
    total = quantize(total, currency)
    unit = minor_unit(currency)
    units_total = int(total / unit)

    if sum(weights) == 0:
        weights = [Decimal(1)] * len(weights)
    weight_sum = sum(weights)
    exact = [Decimal(units_total) * weight / weight_sum for weight in weights]
    floors = [int(share) for share in exact]

    left_over = units_total - sum(floors)
    by_remainder = sorted(
        range(len(weights)), key=lambda index: (-(exact[index] - floors[index]), index)
    )
    for index in by_remainder[:left_over]:
        floors[index] += 1
    return [quantize(units * unit, currency) for units in floors]
