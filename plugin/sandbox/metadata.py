"""Digital River's limits on ``metadata``.

A metadata object has at most 20 keys. Each key is at most 40 characters
long, and each value is a string of at most 500 characters, a boolean or an
integer.
"""

from __future__ import annotations

from typing import Any

from plugin.sandbox.fields import Problems, describe

__all__ = ["MAX_KEYS", "MAX_KEY_LENGTH", "MAX_VALUE_LENGTH", "read_metadata"]

MAX_KEYS = 20
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500


def read_metadata(value: Any, parameter: str, problems: Problems) -> dict[str, Any]:
    """Check a metadata object against the limits and return a copy of it.

    Returns ``{}`` when ``value`` is absent or not an object. Problems are
    added to ``problems``, which rejects the whole request.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.invalid(
            parameter, f"{parameter} must be a JSON object, got {describe(value)}."
        )
        return {}

    if len(value) > MAX_KEYS:
        problems.invalid(
            parameter,
            f"{parameter} has {len(value)} keys; Digital River allows at most "
            f"{MAX_KEYS}.",
        )
    for key, entry in value.items():
        _check_entry(key, entry, parameter, problems)
    return dict(value)


def _check_entry(key: str, entry: Any, parameter: str, problems: Problems) -> None:
    if len(key) > MAX_KEY_LENGTH:
        problems.invalid(
            f"{parameter}.{key}",
            f"{parameter} key {key[:60]!r} has {len(key)} characters; the maximum "
            f"is {MAX_KEY_LENGTH}.",
        )
    if isinstance(entry, str) and len(entry) > MAX_VALUE_LENGTH:
        problems.invalid(
            f"{parameter}.{key}",
            f"{parameter}.{key} has {len(entry)} characters; the maximum is "
            f"{MAX_VALUE_LENGTH}.",
        )
    if not isinstance(entry, str | bool | int):
        problems.invalid(
            f"{parameter}.{key}",
            f"{parameter}.{key} must be a string, boolean or integer, got "
            f"{describe(entry)}.",
        )
