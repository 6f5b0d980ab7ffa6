"""``GET /dashboard``: the settings page that the Saleor dashboard shows in an iframe.

The page is static HTML, CSS and JavaScript with no build step. The only
values rendered into it are the URL prefix of its files and API, and the
dashboard origins it accepts messages from, as a JSON data block.
"""

from __future__ import annotations

import functools
import json
import re
import string
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

__all__ = [
    "API_PREFIX",
    "STATIC_DIR",
    "STATIC_PATH",
    "content_security_policy",
    "normalize_origins",
    "page_endpoint",
]

API_PREFIX = "/api/dashboard"
STATIC_PATH = "/dashboard/static"
STATIC_DIR = Path(__file__).parent / "static"

_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")


def normalize_origins(origins: Iterable[str]) -> tuple[str, ...]:
    """Return origins as browsers write them (lower case, no trailing slash).

    Raises ``ValueError`` for a value that is not ``scheme://host[:port]``,
    because it would never match a message's origin.
    """
    normalized = []
    for origin in origins:
        parts = urllib.parse.urlsplit(origin.strip().rstrip("/"))
        value = f"{parts.scheme}://{parts.netloc}".lower()
        if parts.path or parts.query or not _ORIGIN.match(value):
            raise ValueError(
                f"invalid dashboard origin {origin!r}: use scheme://host[:port], "
                "such as https://example.saleor.cloud"
            )
        normalized.append(value)
    return tuple(normalized)


def content_security_policy(origins: tuple[str, ...]) -> str:
    """Return the page's CSP: its own files only, framed by the given origins."""
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if origins:
        directives.append("frame-ancestors " + " ".join(origins))
    return "; ".join(directives)


def page_endpoint(origins: tuple[str, ...]) -> Callable[[Request], Awaitable[Response]]:
    """Return the endpoint serving the page for the given dashboard origins."""
    policy = content_security_policy(origins)

    async def page(request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        config = {"apiBase": root + API_PREFIX, "dashboardOrigins": list(origins)}
        html = _template().substitute(
            static=root + STATIC_PATH, config=_script_json(config)
        )
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": policy,
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return page


@functools.cache
def _template() -> string.Template:
    return string.Template((STATIC_DIR / "index.html").read_text(encoding="utf-8"))


def _script_json(value: object) -> str:
    # Inside <script type="application/json">, "</script>" would end the
    # block, so the characters of markup are written as JSON escapes.
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
