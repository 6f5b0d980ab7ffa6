"""Column types that behave the same on SQLite and PostgreSQL.

- ``UTCDateTime``: ``timestamp with time zone`` on PostgreSQL. SQLite has no
  date type, so there the value is UTC text of fixed width
  (``YYYY-MM-DD HH:MM:SS.ffffff``), which sorts and compares like the time.
- ``Money``: unconstrained ``NUMERIC`` on PostgreSQL and the decimal's text on
  SQLite, so amounts come back as the exact ``Decimal`` that went in, scale
  included (``0.10`` stays ``0.10``), and never pass through ``float``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from plugin.store.values import require_aware

__all__ = ["Money", "UTCDateTime"]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime, stored in UTC and returned in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        utc = require_aware(value, "time")
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


class Money(TypeDecorator[Decimal]):
    """An exact decimal amount. Floats and non-finite values are rejected."""

    impl = Numeric(asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(64))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(
                f"amount {value!r} is a {type(value).__name__}: pass a Decimal"
            )
        if not value.is_finite():
            raise ValueError(f"amount {value} is not a finite number")
        if dialect.name == "sqlite":
            return str(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value)
