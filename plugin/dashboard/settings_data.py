"""An installation's settings as JSON data, and the write-only Digital River API key.

The form never receives the API key: ``redact`` puts ``{"set", "last4",
"overridden_by_environment"}`` in its place. When a submitted form leaves the
key blank, ``merge_api_key`` puts the stored key back. A stored key is only
kept for the base URL it was saved with, so a user who can edit the settings
but does not know the key cannot make the app send it to a server of their
choosing.

NOTE: a key from ``DIGITALRIVER_API_KEY`` wins over the stored one and is not
tied to a base URL, so a user who changes the base URL while it is set makes
the worker send that key to the new URL.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from pydantic import HttpUrl, SecretStr, ValidationError

from plugin.app.state import AppState
from plugin.dashboard.problems import FieldProblem, problems_from_validation
from plugin.settings import DigitalRiverSettings, Settings, parse_settings
from plugin.store import Installation

__all__ = [
    "StoredSettings",
    "environment_api_key",
    "merge_api_key",
    "redact",
    "settings_data",
    "stored_settings",
    "validate_settings",
]

SHOWN_KEY_CHARACTERS = 4
MIN_KEY_LENGTH_TO_SHOW = 12
"""Shorter keys show none of their characters, which would give away too much."""

_DEFAULT_BASE_URL = str(DigitalRiverSettings().base_url)


@dataclass(frozen=True)
class StoredSettings:
    """Settings JSON data of an installation, with the real API key."""

    data: dict[str, Any]
    source: str
    """``installation`` for the installation's own settings, ``defaults`` otherwise."""


def stored_settings(state: AppState, installation: Installation) -> StoredSettings:
    """Return the installation's settings, or the app's defaults when it has none.

    A key in the defaults that came from the environment variable is left
    out, so saving the form does not copy it into the database.
    """
    if installation.settings:
        data = json.loads(installation.settings)
        return StoredSettings(data if isinstance(data, dict) else {}, "installation")

    data = settings_data(state.default_settings)
    environment_key = environment_api_key()
    if (
        environment_key is not None
        and api_key_of(data) == environment_key.get_secret_value()
    ):
        data["digitalriver"]["api_key"] = None
    return StoredSettings(data, "defaults")


def settings_data(settings: Settings) -> dict[str, Any]:
    """Return settings as JSON data, with the API key in clear text."""
    data = settings.model_dump(mode="json", by_alias=True)
    key = settings.digitalriver.api_key
    data["digitalriver"]["api_key"] = None if key is None else key.get_secret_value()
    return data


def validate_settings(
    data: dict[str, Any],
) -> tuple[Settings | None, list[FieldProblem]]:
    """Validate settings data, without the environment's API key.

    Returns the settings and no problems, or None and every problem found.
    """
    try:
        return Settings.model_validate(data), []
    except ValidationError as error:
        return None, problems_from_validation(error)


def environment_api_key() -> SecretStr | None:
    """Return the API key from ``DIGITALRIVER_API_KEY``, which wins over the settings."""
    return parse_settings({}, "the environment").digitalriver.api_key


def api_key_of(data: dict[str, Any]) -> str | None:
    """Return the API key in settings data, or None when there is none."""
    section = data.get("digitalriver")
    key = section.get("api_key") if isinstance(section, dict) else None
    return key if isinstance(key, str) and key.strip() else None


def redact(data: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of settings data with the API key replaced by a description."""
    key = api_key_of(data)
    shown = key is not None and len(key) >= MIN_KEY_LENGTH_TO_SHOW
    redacted = copy.deepcopy(data)
    section = redacted.get("digitalriver")
    if not isinstance(section, dict):
        section = redacted["digitalriver"] = {}
    section["api_key"] = {
        "set": key is not None,
        "last4": key[-SHOWN_KEY_CHARACTERS:] if shown and key else None,
        "overridden_by_environment": environment_api_key() is not None,
    }
    return redacted


def merge_api_key(
    submitted: dict[str, Any], stored: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Return submitted settings data with its API key resolved.

    ``digitalriver.api_key`` may be a new key, blank, null, missing or the
    description from ``redact`` (keep the stored key), or ``{"clear": true}``
    (remove it). Other values are left for validation to reject.
    """
    merged = copy.deepcopy(submitted)
    section = merged.setdefault("digitalriver", {})
    if not isinstance(section, dict):
        return merged, []

    value = section.get("api_key")
    if isinstance(value, dict) and value.get("clear") is True:
        section["api_key"] = None
        return merged, []
    if isinstance(value, str) and value.strip():
        section["api_key"] = value.strip()
        return merged, []
    if value is not None and not isinstance(value, str | dict):
        return merged, []

    stored_key = api_key_of(stored)
    section["api_key"] = stored_key
    new_url = _base_url(section)
    # An invalid new URL fails validation anyway, so it needs no second message.
    moved = new_url is not None and new_url != _base_url(stored.get("digitalriver"))
    if stored_key is not None and moved:
        return merged, [
            FieldProblem(
                "digitalriver.api_key",
                "enter the API key again: the base URL changed, and the stored key "
                "is only sent to the base URL it was saved with",
            )
        ]
    return merged, []


def _base_url(section: object) -> str | None:
    value = section.get("base_url") if isinstance(section, dict) else None
    if value is None:
        return _DEFAULT_BASE_URL
    try:
        return str(HttpUrl(str(value)))
    except ValueError:
        return None
