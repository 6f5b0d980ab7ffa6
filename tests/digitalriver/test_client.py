"""DigitalRiverClient over httpx.MockTransport: headers, paging, retries, reconcile."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx
import pytest

from plugin.digitalriver import (
    REQUEST_KEY_FIELD,
    ConnectError,
    DigitalRiverClient,
    InvalidResponseError,
    NotFoundError,
    OrderFulfilledError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
)
from plugin.digitalriver.client import RATE_HEADROOM
from plugin.errors import SettingsError
from plugin.settings import DigitalRiverSettings
from tests.digitalriver.conftest import (
    API_KEY,
    ORDER_ID,
    REQUEST_KEY,
    ClientFactory,
    make_request,
)
from tests.digitalriver.fakes import (
    SERVER_ERROR,
    UNAVAILABLE,
    ErrorReply,
    FakeClock,
    FakeDigitalRiver,
    rate_limited,
)


@dataclass
class RecordingObserver:
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    retries: list[tuple[str, float]] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)

    def request_finished(
        self, method: str, path: str, outcome: str, seconds: float
    ) -> None:
        self.requests.append((method, path, outcome))

    def retry_scheduled(self, reason: str, delay: float) -> None:
        self.retries.append((reason, delay))

    def rate_limit_waited(self, seconds: float) -> None:
        self.waits.append(seconds)


# Construction and headers


async def test_sends_auth_version_and_json_headers(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    await client.create_fulfillment(make_request())

    headers = fake_dr.posts()[0].headers
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["Content-Type"] == "application/json"
    assert headers["DigitalRiver-Version"] == "2021-12-13"
    assert headers["User-Agent"].startswith("dr-distributor-plugin/")


async def test_omits_version_header_when_not_configured(
    make_client: ClientFactory,
    settings: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
) -> None:
    client = make_client(settings=settings.model_copy(update={"api_version": None}))

    await client.get_order(ORDER_ID)

    assert "DigitalRiver-Version" not in fake_dr.gets()[0].headers


async def test_api_key_argument_overrides_settings(
    make_client: ClientFactory, fake_dr: FakeDigitalRiver
) -> None:
    client = make_client(api_key="sk_test_override")

    await client.get_order(ORDER_ID)

    assert fake_dr.gets()[0].headers["Authorization"] == "Bearer sk_test_override"


async def test_base_url_argument_overrides_settings(make_client: ClientFactory) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"id": ORDER_ID})

    client = make_client(
        base_url="http://127.0.0.1:9/dr/", transport=httpx.MockTransport(handler)
    )
    await client.get_order(ORDER_ID)

    assert seen == [f"http://127.0.0.1:9/dr/orders/{ORDER_ID}"]


def test_missing_api_key_names_both_settings(settings: DigitalRiverSettings) -> None:
    without_key = settings.model_copy(update={"api_key": None})

    with pytest.raises(SettingsError) as caught:
        DigitalRiverClient(without_key)

    assert "DIGITALRIVER_API_KEY" in str(caught.value)
    assert "digitalriver.api_key" in str(caught.value)


def test_blank_api_key_is_missing(settings: DigitalRiverSettings) -> None:
    with pytest.raises(SettingsError, match="no Digital River API key"):
        DigitalRiverClient(settings, api_key="  ")


@pytest.mark.parametrize("url", ["ftp://example.com", "not a url", "http://"])
def test_invalid_base_url_is_settings_error(
    settings: DigitalRiverSettings, url: str
) -> None:
    with pytest.raises(SettingsError, match="invalid Digital River base URL"):
        DigitalRiverClient(settings, base_url=url)


async def test_context_manager_closes_client(settings: DigitalRiverSettings) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    async with DigitalRiverClient(settings, transport=transport) as client:
        assert isinstance(client, DigitalRiverClient)

    assert client._http.is_closed


# Reading


async def test_get_order_quotes_the_id(make_client: ClientFactory) -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"id": "a/b?c"})

    client = make_client(transport=httpx.MockTransport(handler))
    order = await client.get_order("a/b?c")

    assert order.id == "a/b?c"
    assert paths == ["/orders/a%2Fb%3Fc"]


async def test_get_order_not_found(client: DigitalRiverClient) -> None:
    with pytest.raises(NotFoundError):
        await client.get_order("ord_missing")


async def test_get_order_retries_server_error(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next("GET", UNAVAILABLE, "timeout")

    order = await client.get_order(ORDER_ID)

    assert order.id == ORDER_ID
    assert len(fake_dr.gets()) == 3


async def test_list_follows_pages(
    make_client: ClientFactory, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.page_size = 2
    ids = [fake_dr.add_fulfillment(ORDER_ID) for _ in range(5)]
    fake_dr.add_fulfillment("ord_other")
    client = make_client()

    fulfillments = await client.list_fulfillments(ORDER_ID)

    assert [f.id for f in fulfillments] == ids
    gets = fake_dr.gets()
    assert len(gets) == 3
    assert gets[0].params == {"orderId": ORDER_ID, "limit": "100"}
    assert gets[1].params["startingAfter"] == ids[1]
    assert gets[2].params["startingAfter"] == ids[3]


async def test_list_stops_when_has_more_gives_no_cursor(
    make_client: ClientFactory, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next(
        "GET", lambda request: httpx.Response(200, json={"hasMore": True, "data": []})
    )
    client = make_client()

    with pytest.raises(
        InvalidResponseError, match="hasMore=true but no new fulfillment id"
    ):
        await client.list_fulfillments(ORDER_ID)


async def test_find_fulfillment_by_request_key(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.add_fulfillment(ORDER_ID, "other-key")
    ours = fake_dr.add_fulfillment(ORDER_ID, REQUEST_KEY)

    found = await client.find_fulfillment(ORDER_ID, REQUEST_KEY)
    missing = await client.find_fulfillment(ORDER_ID, "no-such-key")

    assert found is not None
    assert found.id == ours
    assert missing is None


@pytest.mark.parametrize("order_id", ["", "   "])
async def test_empty_order_id_is_rejected(
    client: DigitalRiverClient, order_id: str
) -> None:
    with pytest.raises(ValueError, match="order_id is empty"):
        await client.get_order(order_id)
    with pytest.raises(ValueError, match="order_id is empty"):
        await client.list_fulfillments(order_id)


# Creating


async def test_create_sends_exact_body(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    result = await client.create_fulfillment(make_request())

    assert result.created is True
    assert result.fulfillment.id == fake_dr.fulfillments[0]["id"]
    posts = fake_dr.posts()
    assert len(posts) == 1
    assert posts[0].body == make_request().to_payload()


async def test_create_without_request_key_raises(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    with pytest.raises(ValueError, match=REQUEST_KEY_FIELD):
        await client.create_fulfillment(make_request(request_key=None))

    assert fake_dr.requests == []


async def test_bad_request_is_not_retried(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver, clock: FakeClock
) -> None:
    fake_dr.fail_next(
        "POST", ErrorReply(400, code="invalid_parameter", parameter="currency")
    )

    with pytest.raises(ValidationError):
        await client.create_fulfillment(make_request())

    assert len(fake_dr.requests) == 1
    assert clock.sleeps == []


async def test_server_error_reconciles_then_retries(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next("POST", SERVER_ERROR)

    result = await client.create_fulfillment(make_request())

    assert result.created is True
    assert [r.method for r in fake_dr.requests] == ["POST", "GET", "POST"]
    assert len(fake_dr.fulfillments) == 1


@pytest.mark.parametrize("fault", ["timeout_after_commit", "drop_after_commit"])
async def test_lost_response_found_by_reconcile(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver, fault: str
) -> None:
    fake_dr.fail_next("POST", fault)

    result = await client.create_fulfillment(make_request())

    assert result.created is False
    assert result.fulfillment.request_key == REQUEST_KEY
    assert len(fake_dr.posts()) == 1
    assert len(fake_dr.fulfillments) == 1


async def test_timeout_before_commit_is_retried(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next("POST", "timeout")

    result = await client.create_fulfillment(make_request())

    assert result.created is True
    assert [r.method for r in fake_dr.requests] == ["POST", "GET", "POST"]


async def test_connect_error_is_retried_without_reconcile(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next("POST", "connect_error", "connect_error")

    result = await client.create_fulfillment(make_request())

    assert result.created is True
    assert [r.method for r in fake_dr.requests] == ["POST", "POST", "POST"]


async def test_order_fulfilled_with_our_key_is_success(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    earlier = fake_dr.add_fulfillment(ORDER_ID, REQUEST_KEY, {"item_1": 2, "item_2": 1})

    result = await client.create_fulfillment(make_request())

    assert result.created is False
    assert result.fulfillment.id == earlier
    assert [r.method for r in fake_dr.requests] == ["POST", "GET"]


async def test_order_fulfilled_by_others_raises(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.add_fulfillment(ORDER_ID, "someone-else", {"item_1": 2, "item_2": 1})

    with pytest.raises(OrderFulfilledError) as caught:
        await client.create_fulfillment(make_request())

    assert caught.value.transient is False
    assert "order_fulfilled" in str(caught.value)
    assert len(fake_dr.posts()) == 1


async def test_reconcile_first_skips_post(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.add_fulfillment(ORDER_ID, REQUEST_KEY)

    result = await client.create_fulfillment(make_request(), reconcile_first=True)

    assert result.created is False
    assert fake_dr.posts() == []


async def test_reconcile_first_posts_when_nothing_found(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    result = await client.create_fulfillment(make_request(), reconcile_first=True)

    assert result.created is True
    assert [r.method for r in fake_dr.requests] == ["GET", "POST"]


async def test_failed_reconcile_stops_without_second_post(
    make_client: ClientFactory,
    settings: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
) -> None:
    client = make_client(settings=settings.model_copy(update={"max_attempts": 2}))
    fake_dr.fail_next("POST", "drop_after_commit")
    fake_dr.fail_next("GET", SERVER_ERROR, SERVER_ERROR)

    with pytest.raises(ServerError) as caught:
        await client.create_fulfillment(make_request())

    assert isinstance(caught.value.__cause__, TransportError)
    assert len(fake_dr.posts()) == 1


async def test_attempt_cap(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver, clock: FakeClock
) -> None:
    fake_dr.fail_next(
        "POST", *[ErrorReply(429, "too_many_requests", "too_many_requests")] * 10
    )

    with pytest.raises(RateLimitError):
        await client.create_fulfillment(make_request())

    assert len(fake_dr.posts()) == 5
    assert len(clock.sleeps) == 4


async def test_total_time_cap(
    make_client: ClientFactory,
    settings: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
    clock: FakeClock,
) -> None:
    capped = settings.model_copy(update={"max_attempts": 20, "max_retry_seconds": 25.0})
    client = make_client(settings=capped)
    fake_dr.fail_next("POST", *[rate_limited("10")] * 20)

    with pytest.raises(RateLimitError):
        await client.create_fulfillment(make_request())

    assert clock.sleeps == [10.0, 10.0]
    assert len(fake_dr.posts()) == 3


async def test_retry_after_is_waited(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver, clock: FakeClock
) -> None:
    fake_dr.fail_next("POST", rate_limited("3"))

    result = await client.create_fulfillment(make_request())

    assert result.created is True
    assert clock.sleeps == [3.0]
    assert len(fake_dr.gets()) == 0


async def test_retry_after_above_cap_gives_up(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver, clock: FakeClock
) -> None:
    fake_dr.fail_next("POST", rate_limited("61"))

    with pytest.raises(RateLimitError) as caught:
        await client.create_fulfillment(make_request())

    assert caught.value.retry_after == 61.0
    assert caught.value.transient is True
    assert clock.sleeps == []


async def test_backoff_delays_grow_within_cap(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver, clock: FakeClock
) -> None:
    fake_dr.fail_next("GET", *["connect_error"] * 4)

    await client.get_order(ORDER_ID)

    ceilings = [0.5, 1.0, 2.0, 4.0]
    assert len(clock.sleeps) == 4
    for delay, ceiling in zip(clock.sleeps, ceilings, strict=True):
        assert 0 <= delay <= ceiling


async def test_connect_error_exhausts_attempts(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next("POST", *["connect_error"] * 5)

    with pytest.raises(ConnectError):
        await client.create_fulfillment(make_request())

    assert len(fake_dr.posts()) == 5
    assert fake_dr.gets() == []


async def test_observer_sees_requests_retries_and_waits(
    make_client: ClientFactory,
    settings: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
) -> None:
    observer = RecordingObserver()
    slow = settings.model_copy(update={"requests_per_second": 2.0})
    client = make_client(settings=slow, observer=observer)
    fake_dr.fail_next("POST", rate_limited("1"))

    await client.create_fulfillment(make_request())
    await client.get_order(ORDER_ID)

    assert observer.requests == [
        ("POST", "/fulfillments", "429"),
        ("POST", "/fulfillments", "201"),
        ("GET", "/orders/{id}", "200"),
    ]
    assert observer.retries == [("status_429", 1.0)]
    assert observer.waits == [pytest.approx(0.5 / RATE_HEADROOM)]


async def test_transport_outcome_reported_to_observer(
    make_client: ClientFactory, fake_dr: FakeDigitalRiver
) -> None:
    observer = RecordingObserver()
    client = make_client(observer=observer)
    fake_dr.fail_next("GET", "timeout", "connect_error")

    await client.get_order(ORDER_ID)

    outcomes = [outcome for _, _, outcome in observer.requests]
    assert outcomes == ["timeout", "connect_error", "200"]
    assert [reason for reason, _ in observer.retries] == ["timeout", "connect_error"]


async def test_concurrent_creates_share_the_client(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    for index in range(5):
        fake_dr.add_order(f"ord_{index}", {"item_1": 2, "item_2": 1})

    results = await asyncio.gather(
        *[
            client.create_fulfillment(make_request(f"key-{index}", f"ord_{index}"))
            for index in range(5)
        ]
    )

    assert all(result.created for result in results)
    assert len({result.fulfillment.id for result in results}) == 5
