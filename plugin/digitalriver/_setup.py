"""Connection settings of the client: API key, base URL and default headers."""

from __future__ import annotations

import functools
import importlib.metadata

import httpx

from plugin.errors import SettingsError
from plugin.settings import API_KEY_ENV, DigitalRiverSettings

__all__ = ["default_headers", "resolve_api_key", "resolve_base_url"]

PACKAGE_NAME = "dr-distributor-plugin"


def resolve_api_key(api_key: str | None, settings: DigitalRiverSettings) -> str:
    """Return the API key to send; raise ``SettingsError`` when there is none."""
    if api_key is None and settings.api_key is not None:
        api_key = settings.api_key.get_secret_value()
    api_key = (api_key or "").strip()
    if not api_key:
        raise SettingsError(
            "no Digital River API key is configured: set the "
            f"{API_KEY_ENV} environment variable or digitalriver.api_key in the "
            "settings file"
        )
    return api_key


def resolve_base_url(base_url: str | None, settings: DigitalRiverSettings) -> str:
    """Return the base URL to use; raise ``SettingsError`` unless it is http(s)."""
    url = base_url if base_url is not None else str(settings.base_url)
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise SettingsError(
            f"invalid Digital River base URL {url!r}: use an http or https URL "
            "such as https://api.digitalriver.com"
        )
    return url


def default_headers(api_key: str, api_version: str | None) -> dict[str, str]:
    """Return the headers sent with every request."""
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": _user_agent(),
    }
    if api_version:
        headers["DigitalRiver-Version"] = api_version
    return headers


@functools.cache
def _user_agent() -> str:
    try:
        version = importlib.metadata.version(PACKAGE_NAME)
    except importlib.metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"{PACKAGE_NAME}/{version} httpx/{httpx.__version__}"
