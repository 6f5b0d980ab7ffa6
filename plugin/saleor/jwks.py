"""Cache of Saleor's JSON Web Key Sets, one per Saleor API URL.

Saleor publishes the keys that sign its webhooks and user tokens at
``<origin>/.well-known/jwks.json``, where the origin is the scheme, host and
port of its API URL. Saleor changes the set only when its RSA key changes, so
the cache keeps each set until a signature names a ``kid`` it does not
contain. It then fetches the set again, at most once per
``refetch_interval`` seconds per API URL, so a flood of webhooks with made-up
key ids costs Saleor one request per interval. A signature that fails right
after the first fetch of a set does not trigger a second one.

The cache fetches from whatever API URL it is given. Callers must pass only
the API URL of a Saleor that installed the app, never an unchecked
``Saleor-Api-Url`` header, or anyone could make the app fetch from any host.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from plugin.saleor.errors import (
    SaleorError,
    SaleorTransportError,
    SignatureError,
    SignatureFailure,
)
from plugin.saleor.signature import verify_signature

__all__ = ["Jwks", "JwksCache", "OnJwksFetched", "jwks_url"]

logger = logging.getLogger(__name__)

Jwks = dict[str, Any]
"""A JSON Web Key Set as parsed from JSON: ``{"keys": [...]}``."""

OnJwksFetched = Callable[[str, Jwks], Awaitable[None] | None]
"""Callback run with the API URL and the key set after a fetch that changed it."""

DEFAULT_REFETCH_INTERVAL = 30.0
DEFAULT_TIMEOUT = 10.0


def jwks_url(api_url: str) -> str:
    """Return the JWKS URL of the Saleor whose GraphQL API is at ``api_url``."""
    parts = urllib.parse.urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SaleorError(
            f"Saleor API URL {api_url!r} is not an absolute http(s) URL; "
            "pass the URL Saleor sent in Saleor-Api-Url at install time"
        )
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"


class JwksCache:
    """Cache of the key sets of several Saleor instances, fetched on first use.

    ``initial`` seeds the cache, for example with key sets saved by an
    earlier process, so a restart does not fetch before the first webhook.
    ``on_fetched`` is called (and awaited when it returns an awaitable) after
    every fetch that returned a set different from the cached one, so the
    caller can save it.
    """

    def __init__(
        self,
        *,
        initial: Mapping[str, Jwks] | None = None,
        on_fetched: OnJwksFetched | None = None,
        refetch_interval: float = DEFAULT_REFETCH_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sets: dict[str, Jwks] = dict(initial or {})
        self._refreshed_at: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._on_fetched = on_fetched
        self._refetch_interval = refetch_interval
        self._clock = clock
        self._http = httpx.AsyncClient(
            transport=transport, timeout=timeout, follow_redirects=False
        )

    async def aclose(self) -> None:
        """Close the HTTP connections of the cache."""
        await self._http.aclose()

    async def __aenter__(self) -> JwksCache:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cached(self, api_url: str) -> Jwks | None:
        """Return the cached key set of ``api_url`` without fetching."""
        return self._sets.get(api_url)

    async def get(self, api_url: str) -> Jwks:
        """Return the key set of ``api_url``, fetching it if none is cached."""
        jwks, _ = await self._get(api_url)
        return jwks

    async def verify(self, api_url: str, body: bytes, signature: str) -> None:
        """Verify a webhook signature with the key set of ``api_url``.

        When the signature names a key the cached set lacks, fetch the set
        again (rate-limited) and verify once more. Raises ``SignatureError``
        when the signature is invalid, ``SaleorTransportError`` when the set
        could not be fetched, and ``SaleorError`` when Saleor served something
        that is not a key set.
        """
        jwks, just_fetched = await self._get(api_url)
        try:
            verify_signature(body, signature, jwks)
            return
        except SignatureError as error:
            if error.reason is not SignatureFailure.UNKNOWN_KEY or just_fetched:
                raise

        refreshed = await self.refresh(api_url)
        verify_signature(body, signature, refreshed)

    async def refresh(self, api_url: str) -> Jwks:
        """Fetch the key set of ``api_url`` again unless that was done recently.

        Within ``refetch_interval`` seconds of the last refresh for this URL,
        return the cached set without a request. A key that Saleor starts
        using within that window is picked up by a later delivery, because
        Saleor retries failed webhooks after about 10, 20, 40, 80 and 160 s.
        """
        async with self._lock(api_url):
            last = self._refreshed_at.get(api_url)
            cached = self._sets.get(api_url)
            recent = last is not None and self._clock() - last < self._refetch_interval
            if cached is not None and recent:
                logger.info("saleor.jwks.refresh_skipped api_url=%s", api_url)
                return cached
            self._refreshed_at[api_url] = self._clock()
            return await self._fetch(api_url)

    async def _get(self, api_url: str) -> tuple[Jwks, bool]:
        async with self._lock(api_url):
            cached = self._sets.get(api_url)
            if cached is not None:
                return cached, False
            return await self._fetch(api_url), True

    def _lock(self, api_url: str) -> asyncio.Lock:
        return self._locks.setdefault(api_url, asyncio.Lock())

    async def _fetch(self, api_url: str) -> Jwks:
        url = jwks_url(api_url)
        jwks = _parse_jwks(url, await self._download(url))

        previous = self._sets.get(api_url)
        self._sets[api_url] = jwks
        logger.info(
            "saleor.jwks.fetched api_url=%s keys=%s changed=%s",
            api_url,
            len(jwks["keys"]),
            jwks != previous,
        )
        if jwks != previous and self._on_fetched is not None:
            result = self._on_fetched(api_url, jwks)
            if inspect.isawaitable(result):
                await result
        return jwks

    async def _download(self, url: str) -> httpx.Response:
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
        except httpx.TimeoutException as error:
            raise SaleorTransportError(
                f"fetching the Saleor JWKS from {url} timed out; Saleor may be overloaded"
            ) from error
        except httpx.HTTPError as error:
            raise SaleorTransportError(
                f"fetching the Saleor JWKS from {url} failed: {error!r}"
            ) from error

        if response.status_code >= 500:
            raise SaleorTransportError(
                f"Saleor returned HTTP {response.status_code} for its JWKS at {url}"
            )
        if response.status_code != 200:
            raise SaleorError(
                f"Saleor returned HTTP {response.status_code} for its JWKS at {url}; "
                "check that the stored Saleor API URL is right"
            )
        return response


def _parse_jwks(url: str, response: httpx.Response) -> Jwks:
    try:
        document = response.json()
    except ValueError as error:
        raise SaleorError(f"the Saleor JWKS at {url} is not JSON") from error

    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise SaleorError(f'the Saleor JWKS at {url} has no "keys" list')
    return document
