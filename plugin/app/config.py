"""Configuration of the Saleor app process (not of an installation)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import ipaddress
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["AppConfig", "is_loopback_url"]

APP_ID = "dr-distributor"
APP_NAME = "Digital River Distributors"
WEBHOOK_PATH = "/api/webhooks/fulfillment-created"
MANIFEST_PATH = "/api/manifest"
REGISTER_PATH = "/api/register"
DASHBOARD_PATH = "/dashboard"


@dataclass(frozen=True)
class AppConfig:
    """How the app is reached, whom it trusts, and how its worker runs.

    ``allowed_saleor_urls`` contains shell-style patterns of Saleor API URLs
    that may install the app, such as ``https://*.saleor.cloud/graphql/``.
    Nothing is allowed by default; ``allow_loopback`` (the ``serve --dev``
    flag) also allows Saleor instances on 127.0.0.1, ::1 and localhost.
    """

    public_url: str = "http://127.0.0.1:8000"
    database_url: str = "sqlite:///dr-distributor.sqlite3"
    settings_path: Path | None = None
    allowed_saleor_urls: tuple[str, ...] = ()
    allow_loopback: bool = False
    dashboard_origins: tuple[str, ...] = ()
    max_body_bytes: int = 2 * 1024 * 1024
    run_worker: bool = True
    worker_concurrency: int = 4
    lease_seconds: float = 120.0
    poll_seconds: float = 1.0
    max_job_age: dt.timedelta = field(default=dt.timedelta(hours=72))
    retry_base_seconds: float = 10.0
    retry_max_seconds: float = 1800.0
    support_url: str | None = None
    homepage_url: str | None = None
    author: str = "Digital River distributor plugin contributors"

    def url(self, path: str) -> str:
        """Return the public URL of one of the app's paths."""
        return self.public_url.rstrip("/") + path

    def is_allowed_saleor(self, api_url: str) -> bool:
        """Return whether a Saleor at ``api_url`` may install the app."""
        if self.allow_loopback and is_loopback_url(api_url):
            return True
        return any(
            fnmatch.fnmatchcase(api_url, pattern)
            for pattern in self.allowed_saleor_urls
        )


def is_loopback_url(url: str) -> bool:
    """Return whether ``url`` is an http(s) URL on the loopback interface."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname is None:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False
