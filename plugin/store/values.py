"""Checks of argument values shared by the store modules."""

from __future__ import annotations

import datetime as dt
import json

__all__ = ["check_json", "require_aware"]


def require_aware(value: dt.datetime, name: str) -> dt.datetime:
    """Return ``value`` converted to UTC, or raise ValueError for a naive datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} {value.isoformat()} has no time zone: pass an aware datetime, "
            "for example datetime.now(timezone.utc)"
        )
    return value.astimezone(dt.UTC)


def check_json(value: str | None, name: str) -> str | None:
    """Return ``value`` unchanged, or raise ValueError unless it is None or JSON text."""
    if value is None:
        return None
    try:
        json.loads(value)
    except ValueError:
        raise ValueError(f"{name} is not valid JSON text") from None
    return value
