"""Configuration of the Saleor app process (not of an installation)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
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

# One or more DNS labels, as a host pattern's "*" matches them.
_LABELS = r"[a-z0-9-]+(?:\.[a-z0-9-]+)*"
_HOST = re.compile(_LABELS)


@dataclass(frozen=True)
class AppConfig:
    """The app's public URL, the Saleor instances it trusts, and its worker's limits.

    ``allowed_saleor_urls`` contains patterns of Saleor API URLs that may
    install the app, such as ``https://*.saleor.cloud/graphql/`` (see
    ``url_matches``). Nothing is allowed by default. ``allow_loopback`` (the
    ``serve --dev`` flag) also allows Saleor instances on 127.0.0.1, ::1 and
    localhost.
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
            url_matches(api_url, pattern) for pattern in self.allowed_saleor_urls
        )


def url_matches(url: str, pattern: str) -> bool:
    """Return whether ``url`` matches an allow-list ``pattern``.

    Scheme, port and path must be equal. In the host, ``*`` stands for one or
    more whole labels, so ``*.saleor.cloud`` matches ``shop.saleor.cloud``. A
    URL with user info, a query or a fragment never matches.
    """
    target = urllib.parse.urlsplit(url)
    wanted = urllib.parse.urlsplit(pattern)
    if target.username or target.password or target.query or target.fragment:
        return False
    try:
        same_port = target.port == wanted.port
    except ValueError:
        return False
    return (
        target.scheme == wanted.scheme
        and same_port
        and target.path == wanted.path
        and _host_matches(target.hostname or "", wanted.hostname or "")
    )


def _host_matches(host: str, pattern: str) -> bool:
    if _HOST.fullmatch(host) is None:
        return False
    labels = [
        _LABELS if label == "*" else re.escape(label) for label in pattern.split(".")
    ]
    return re.fullmatch(r"\.".join(labels), host) is not None


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
