"""JWKS cache: fetch once, refetch on an unknown kid, rate-limit refetches."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from plugin.saleor.errors import (
    SaleorError,
    SaleorTransportError,
    SignatureError,
    SignatureFailure,
)
from plugin.saleor.jwks import JwksCache, jwks_url
from tests.support.saleor_double import JWKS_PATH, SaleorDouble

BODY = b'{"fulfillment": {"id": "RnVsZmlsbG1lbnQ6MQ=="}}'


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def signature_from_unknown_key() -> str:
    """Return a signature made by another Saleor, whose kid the double lacks."""
    return SaleorDouble().sign(BODY)


async def test_first_verify_fetches_once(saleor: SaleorDouble) -> None:
    async with JwksCache() as cache:
        await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))
        await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))

    assert saleor.requests[JWKS_PATH] == 1


async def test_rotated_key_refetched_once(saleor: SaleorDouble) -> None:
    async with JwksCache() as cache:
        await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))
        saleor.rotate_key()
        await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))
        await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))

    assert saleor.requests[JWKS_PATH] == 2


async def test_unknown_kid_flood_refetches_once(saleor: SaleorDouble) -> None:
    forged = signature_from_unknown_key()

    async with JwksCache(initial={saleor.api_url: saleor.jwks}) as cache:
        for _ in range(20):
            with pytest.raises(SignatureError) as caught:
                await cache.verify(saleor.api_url, BODY, forged)
            assert caught.value.reason is SignatureFailure.UNKNOWN_KEY

    assert saleor.requests[JWKS_PATH] == 1


async def test_refetch_allowed_after_interval(saleor: SaleorDouble) -> None:
    forged = signature_from_unknown_key()
    clock = FakeClock()

    async with JwksCache(
        initial={saleor.api_url: saleor.jwks}, refetch_interval=30, clock=clock
    ) as cache:
        for _ in range(3):
            with pytest.raises(SignatureError):
                await cache.verify(saleor.api_url, BODY, forged)
        clock.now += 31
        with pytest.raises(SignatureError):
            await cache.verify(saleor.api_url, BODY, forged)

    assert saleor.requests[JWKS_PATH] == 2


async def test_unknown_kid_right_after_first_fetch_not_refetched(
    saleor: SaleorDouble,
) -> None:
    forged = signature_from_unknown_key()

    async with JwksCache() as cache:
        with pytest.raises(SignatureError):
            await cache.verify(saleor.api_url, BODY, forged)

    assert saleor.requests[JWKS_PATH] == 1


async def test_bad_signature_never_refetches(saleor: SaleorDouble) -> None:
    signature = saleor.sign(b'{"other": "body"}')

    async with JwksCache(initial={saleor.api_url: saleor.jwks}) as cache:
        with pytest.raises(SignatureError) as caught:
            await cache.verify(saleor.api_url, BODY, signature)

    assert caught.value.reason is SignatureFailure.INVALID_SIGNATURE
    assert saleor.requests[JWKS_PATH] == 0


async def test_initial_set_avoids_fetch(saleor: SaleorDouble) -> None:
    async with JwksCache(initial={saleor.api_url: saleor.jwks}) as cache:
        await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))

    assert saleor.requests[JWKS_PATH] == 0


async def test_stale_initial_set_refreshed(saleor: SaleorDouble) -> None:
    stale = saleor.jwks
    saleor.rotate_key()

    async with JwksCache(initial={saleor.api_url: stale}) as cache:
        await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))
        assert cache.cached(saleor.api_url) == saleor.jwks

    assert saleor.requests[JWKS_PATH] == 1


async def test_on_fetched_called_for_new_set(saleor: SaleorDouble) -> None:
    saved: list[tuple[str, dict[str, Any]]] = []

    async def save(api_url: str, jwks: dict[str, Any]) -> None:
        saved.append((api_url, jwks))

    async with JwksCache(on_fetched=save) as cache:
        await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))

    assert saved == [(saleor.api_url, saleor.jwks)]


async def test_on_fetched_skipped_for_same_set(saleor: SaleorDouble) -> None:
    saved: list[str] = []
    forged = signature_from_unknown_key()

    async with JwksCache(
        initial={saleor.api_url: saleor.jwks},
        on_fetched=lambda api_url, jwks: saved.append(api_url),
    ) as cache:
        with pytest.raises(SignatureError):
            await cache.verify(saleor.api_url, BODY, forged)

    assert saleor.requests[JWKS_PATH] == 1
    assert saved == []


async def test_jwks_server_error_is_transient(saleor: SaleorDouble) -> None:
    saleor.fail_next(status=503, path=JWKS_PATH)

    async with JwksCache() as cache:
        with pytest.raises(SaleorTransportError) as caught:
            await cache.verify(saleor.api_url, BODY, saleor.sign(BODY))

    assert caught.value.transient is True


async def test_jwks_dropped_connection_is_transient(saleor: SaleorDouble) -> None:
    saleor.fail_next(drop=True, path=JWKS_PATH)

    async with JwksCache() as cache:
        with pytest.raises(SaleorTransportError):
            await cache.get(saleor.api_url)


async def test_jwks_not_found_is_permanent(saleor: SaleorDouble) -> None:
    saleor.fail_next(status=404, path=JWKS_PATH)

    async with JwksCache() as cache:
        with pytest.raises(SaleorError) as caught:
            await cache.get(saleor.api_url)

    assert not isinstance(caught.value, SaleorTransportError)
    assert caught.value.transient is False


async def test_unreachable_saleor_is_transient(saleor: SaleorDouble) -> None:
    api_url = saleor.api_url
    saleor.stop()

    async with JwksCache(timeout=2) as cache:
        with pytest.raises(SaleorTransportError):
            await cache.get(api_url)


@pytest.mark.parametrize(
    "content",
    [b"<html>not json</html>", b"[]", b'{"keys": {}}'],
)
async def test_invalid_jwks_document_rejected(content: bytes) -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=content)
    )

    async with JwksCache(transport=transport) as cache:
        with pytest.raises(SaleorError) as caught:
            await cache.get("https://shop.example.com/graphql/")

    assert caught.value.transient is False


async def test_fetch_uses_origin_of_api_url() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(200, json={"keys": []})

    async with JwksCache(transport=httpx.MockTransport(handler)) as cache:
        await cache.get("https://shop.example.com:8443/api/graphql/")

    assert requested == ["https://shop.example.com:8443/.well-known/jwks.json"]


def test_jwks_url_keeps_scheme_host_and_port() -> None:
    assert (
        jwks_url("http://127.0.0.1:8000/graphql/")
        == "http://127.0.0.1:8000/.well-known/jwks.json"
    )


@pytest.mark.parametrize(
    "api_url", ["", "/graphql/", "ftp://shop.example.com/graphql/"]
)
def test_jwks_url_rejects_relative_or_other_scheme(api_url: str) -> None:
    with pytest.raises(SaleorError):
        jwks_url(api_url)
