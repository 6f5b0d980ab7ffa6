"""Classification of Digital River error responses and transport failures."""

from __future__ import annotations

import httpx
import pytest

from plugin.digitalriver import (
    AuthenticationError,
    ConflictError,
    ConnectError,
    DigitalRiverClient,
    DigitalRiverError,
    InvalidResponseError,
    NotFoundError,
    OrderFulfilledError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StatusError,
    TransportError,
    ValidationError,
)
from plugin.errors import PluginError
from plugin.settings import DigitalRiverSettings
from tests.digitalriver.conftest import ORDER_ID, ClientFactory, make_request
from tests.digitalriver.fakes import REQUEST_ID, ErrorReply, FakeDigitalRiver

STATUS_CASES = [
    (ErrorReply(400, "bad_request", "missing_parameter", "orderId"), ValidationError),
    (ErrorReply(401, "unauthorized", "unauthorized"), AuthenticationError),
    (ErrorReply(403, "forbidden", "forbidden"), AuthenticationError),
    (ErrorReply(404, "not_found", "resource_not_found", "id"), NotFoundError),
    (ErrorReply(409, "conflict", "order_fulfilled"), OrderFulfilledError),
    (ErrorReply(409, "conflict", "payment_authorization_failed"), ConflictError),
    (
        ErrorReply(
            429, "too_many_requests", "too_many_requests", headers={"Retry-After": "2"}
        ),
        RateLimitError,
    ),
    (ErrorReply(500, "internal_server_error", "internal_error"), ServerError),
    (ErrorReply(503, "service_unavailable", "service_unavailable"), ServerError),
]


@pytest.fixture
def single_attempt(settings: DigitalRiverSettings) -> DigitalRiverSettings:
    return settings.model_copy(update={"max_attempts": 1})


async def post_once(
    make_client: ClientFactory, settings: DigitalRiverSettings
) -> DigitalRiverError:
    client = make_client(settings=settings)
    with pytest.raises(DigitalRiverError) as caught:
        await client.create_fulfillment(make_request())
    return caught.value


@pytest.mark.parametrize(
    ("reply", "expected"),
    STATUS_CASES,
    ids=[f"{r.status}-{r.code}" for r, _ in STATUS_CASES],
)
async def test_status_classified(
    make_client: ClientFactory,
    single_attempt: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
    reply: ErrorReply,
    expected: type[StatusError],
) -> None:
    fake_dr.fail_next("POST", reply)

    error = await post_once(make_client, single_attempt)

    assert type(error) is expected
    assert isinstance(error, StatusError)
    assert error.status == reply.status
    assert error.error_type == reply.type
    assert error.codes == (reply.code,)
    assert error.errors[0].message == reply.message
    assert error.errors[0].parameter == reply.parameter
    assert error.request_id == REQUEST_ID
    assert reply.code in str(error)
    assert reply.message in str(error)
    assert REQUEST_ID in str(error)


async def test_status_message_names_request_and_next_step(
    make_client: ClientFactory,
    single_attempt: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
) -> None:
    fake_dr.fail_next("POST", STATUS_CASES[0][0])

    error = await post_once(make_client, single_attempt)

    assert "POST /fulfillments" in str(error)
    assert "status 400 bad_request" in str(error)
    assert "missing_parameter on orderId" in str(error)
    assert "Next step: fix the values" in str(error)


async def test_rate_limit_carries_retry_after(
    make_client: ClientFactory,
    single_attempt: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
) -> None:
    fake_dr.fail_next("POST", STATUS_CASES[6][0])

    error = await post_once(make_client, single_attempt)

    assert isinstance(error, RateLimitError)
    assert error.retry_after == 2.0
    assert error.transient is True


async def test_error_body_that_is_not_json_is_tolerated(
    make_client: ClientFactory,
    single_attempt: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
) -> None:
    fake_dr.fail_next(
        "POST", lambda request: httpx.Response(502, text="<html>Bad gateway</html>")
    )

    error = await post_once(make_client, single_attempt)

    assert isinstance(error, ServerError)
    assert error.status == 502
    assert error.errors == ()
    assert error.request_id is None


async def test_unexpected_status_is_plain_status_error(
    make_client: ClientFactory,
    single_attempt: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
) -> None:
    fake_dr.fail_next("POST", ErrorReply(408, "request_timeout", "request_timeout"))

    error = await post_once(make_client, single_attempt)

    assert type(error) is StatusError
    assert error.transient is True


@pytest.mark.parametrize(
    ("exception", "expected", "sent"),
    [
        (httpx.ConnectError("refused"), ConnectError, False),
        (httpx.ConnectTimeout("timed out"), RequestTimeoutError, False),
        (httpx.PoolTimeout("timed out"), RequestTimeoutError, False),
        (httpx.WriteTimeout("timed out"), RequestTimeoutError, True),
        (httpx.ReadTimeout("timed out"), RequestTimeoutError, True),
        (httpx.ReadError("reset by peer"), TransportError, True),
        (httpx.WriteError("broken pipe"), TransportError, True),
        (httpx.RemoteProtocolError("disconnected"), TransportError, True),
        (httpx.ProxyError("proxy refused"), TransportError, True),
    ],
)
async def test_httpx_exception_converted(
    make_client: ClientFactory,
    settings: DigitalRiverSettings,
    fake_dr: FakeDigitalRiver,
    exception: httpx.HTTPError,
    expected: type[TransportError],
    sent: bool,
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exception

    fake_dr.fail_next("GET", fail)
    client = make_client(settings=settings.model_copy(update={"max_attempts": 1}))

    with pytest.raises(TransportError) as caught:
        await client.get_order(ORDER_ID)

    assert type(caught.value) is expected
    assert caught.value.request_sent is sent
    assert caught.value.transient is True
    assert f"GET /orders/{ORDER_ID}" in str(caught.value)
    assert caught.value.__cause__ is exception


async def test_invalid_json_success_body(
    make_client: ClientFactory, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next("GET", lambda request: httpx.Response(200, text="not json"))
    client = make_client()

    with pytest.raises(InvalidResponseError, match="not valid JSON"):
        await client.get_order(ORDER_ID)


async def test_success_body_of_wrong_shape(
    make_client: ClientFactory, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next("GET", lambda request: httpx.Response(200, json={"items": []}))
    client = make_client()

    with pytest.raises(
        InvalidResponseError, match=r"not a valid Order: id: Field required"
    ):
        await client.get_order(ORDER_ID)


async def test_redirect_is_invalid_response(
    make_client: ClientFactory, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next(
        "GET", lambda request: httpx.Response(302, headers={"Location": "/login"})
    )
    client = make_client()

    with pytest.raises(InvalidResponseError, match="unexpected status 302"):
        await client.get_order(ORDER_ID)


def test_tree_roots_in_plugin_error() -> None:
    assert issubclass(DigitalRiverError, PluginError)
    assert issubclass(ConnectError, TransportError)
    assert issubclass(RequestTimeoutError, TransportError)
    assert issubclass(OrderFulfilledError, ConflictError)
    assert issubclass(ServerError, StatusError)
    assert issubclass(InvalidResponseError, DigitalRiverError)


def test_client_is_exported_from_package() -> None:
    assert DigitalRiverClient.__module__ == "plugin.digitalriver.client"
