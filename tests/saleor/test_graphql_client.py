"""SaleorClient against the double over HTTP, and replays of captured Saleor responses."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import graphql
import httpx
import pytest

from plugin.saleor.errors import (
    GraphQLError,
    MutationError,
    SaleorError,
    SaleorTransportError,
)
from plugin.saleor.graphql import DOCUMENT_NAMES, SaleorClient, load_document
from tests.support.saleor_double import SaleorDouble, to_global_id

UNKNOWN_ORDER = "T3JkZXI6MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAw"


@pytest.fixture
async def client(saleor: SaleorDouble) -> Any:
    async with SaleorClient(saleor.api_url, saleor.issue_app_token()) as client:
        yield client


# Against the double


async def test_app_id(saleor: SaleorDouble, client: SaleorClient) -> None:
    assert await client.app_id() == saleor.app_id


async def test_order_note_added_and_recorded(
    saleor: SaleorDouble, client: SaleorClient
) -> None:
    order = saleor.add_order(number="21")

    await client.add_order_note(order.id, "Digital River: fulfillment sent")

    assert order.notes == ["Digital River: fulfillment sent"]
    assert [mutation.name for mutation in saleor.mutations] == ["orderNoteAdd"]
    assert saleor.mutations[0].operation_name == "OrderNoteAdd"
    assert saleor.mutations[0].variables == {
        "order": order.id,
        "message": "Digital River: fulfillment sent",
    }
    assert saleor.mutations[0].authorized is True


async def test_private_metadata_updated(
    saleor: SaleorDouble, client: SaleorClient
) -> None:
    order = saleor.add_order()
    fulfillment = saleor.add_fulfillment(order.id)
    fulfillment.private_metadata["kept"] = "yes"

    await client.update_private_metadata(
        fulfillment.id,
        {"digitalriver.fulfillmentId": "ful_1", "digitalriver.status": "sent"},
    )

    assert fulfillment.private_metadata == {
        "kept": "yes",
        "digitalriver.fulfillmentId": "ful_1",
        "digitalriver.status": "sent",
    }
    assert saleor.mutations[0].variables["input"] == [
        {"key": "digitalriver.fulfillmentId", "value": "ful_1"},
        {"key": "digitalriver.status", "value": "sent"},
    ]


async def test_empty_metadata_sends_nothing(
    saleor: SaleorDouble, client: SaleorClient
) -> None:
    await client.update_private_metadata(to_global_id("Fulfillment", 1), {})

    assert saleor.mutations == []
    assert saleor.requests["/graphql/"] == 0


async def test_execute_returns_data(saleor: SaleorDouble, client: SaleorClient) -> None:
    data = await client.execute("app_id", {})

    assert data == {"app": {"id": saleor.app_id}}


async def test_execute_raw_runs_introspection(client: SaleorClient) -> None:
    # Saleor 3.24 has input types whose fields are all deprecated, such as
    # PreorderSettingsInput, so the query must include deprecated input fields
    # or the client schema is invalid.
    query = graphql.get_introspection_query(
        descriptions=False, input_value_deprecation=True
    )

    data = await client.execute_raw(query)

    schema = graphql.build_client_schema(data)  # type: ignore[arg-type]
    for name in DOCUMENT_NAMES:
        assert graphql.validate(schema, graphql.parse(load_document(name))) == []


async def test_execute_raw_raises_graphql_error(saleor: SaleorDouble) -> None:
    async with SaleorClient(saleor.api_url, "not-a-token") as client:
        with pytest.raises(GraphQLError) as caught:
            await client.execute_raw("{ app { id } }")

    assert caught.value.operation_name == "anonymous operation"
    assert caught.value.permission_denied is True


async def test_bad_token_raises_graphql_error(saleor: SaleorDouble) -> None:
    async with SaleorClient(saleor.api_url, "not-a-token") as client:
        with pytest.raises(GraphQLError) as caught:
            await client.app_id()

    assert not isinstance(caught.value, MutationError)
    assert caught.value.permission_denied is True
    assert caught.value.transient is False
    assert caught.value.operation_name == "AppId"


async def test_revoked_token_raises_graphql_error(saleor: SaleorDouble) -> None:
    token = saleor.issue_app_token()
    saleor.revoke_app_token(token)

    async with SaleorClient(saleor.api_url, token) as client:
        with pytest.raises(GraphQLError) as caught:
            await client.app_id()

    assert caught.value.permission_denied is True


async def test_missing_permission_blocks_mutation(saleor: SaleorDouble) -> None:
    order = saleor.add_order()
    token = saleor.issue_app_token(permissions=["MANAGE_PRODUCTS"])

    async with SaleorClient(saleor.api_url, token) as client:
        with pytest.raises(GraphQLError) as caught:
            await client.add_order_note(order.id, "note")

    assert caught.value.permission_denied is True
    assert order.notes == []


@pytest.mark.parametrize(
    ("message", "order_id", "field", "code"),
    [
        ("", None, "message", "REQUIRED"),
        ("   ", None, "message", "REQUIRED"),
        ("note", "not-a-valid-id", "id", "GRAPHQL_ERROR"),
        ("note", UNKNOWN_ORDER, "id", None),
    ],
)
async def test_note_errors_raise_mutation_error(
    saleor: SaleorDouble,
    client: SaleorClient,
    message: str,
    order_id: str | None,
    field: str,
    code: str | None,
) -> None:
    order = saleor.add_order()

    with pytest.raises(MutationError) as caught:
        await client.add_order_note(order_id or order.id, message)

    assert caught.value.details[0].field == field
    assert caught.value.details[0].code == code
    assert caught.value.transient is False
    assert order.notes == []


async def test_unknown_order_keeps_top_level_error(
    saleor: SaleorDouble, client: SaleorClient
) -> None:
    with pytest.raises(MutationError) as caught:
        await client.add_order_note(UNKNOWN_ORDER, "note")

    assert caught.value.errors[0]["path"] == ["orderNoteAdd", "errors", 0, "code"]


@pytest.mark.parametrize(
    ("object_id", "items", "field", "code"),
    [
        ("not-a-valid-id", {"k": "v"}, None, "INVALID"),
        (to_global_id("Fulfillment", 999999), {"k": "v"}, "id", "NOT_FOUND"),
        (None, {"": "v"}, "input", "REQUIRED"),
    ],
)
async def test_metadata_errors_raise_mutation_error(
    saleor: SaleorDouble,
    client: SaleorClient,
    object_id: str | None,
    items: dict[str, str],
    field: str | None,
    code: str,
) -> None:
    fulfillment = saleor.add_fulfillment(saleor.add_order().id)

    with pytest.raises(MutationError) as caught:
        await client.update_private_metadata(object_id or fulfillment.id, items)

    assert caught.value.details[0].field == field
    assert caught.value.details[0].code == code
    assert fulfillment.private_metadata == {}


async def test_server_error_is_transient(
    saleor: SaleorDouble, client: SaleorClient
) -> None:
    saleor.fail_next(status=500)

    with pytest.raises(SaleorTransportError) as caught:
        await client.app_id()

    assert caught.value.transient is True


async def test_fault_clears_after_count(
    saleor: SaleorDouble, client: SaleorClient
) -> None:
    saleor.fail_next(2, status=502)

    for _ in range(2):
        with pytest.raises(SaleorTransportError):
            await client.app_id()

    assert await client.app_id() == saleor.app_id


async def test_dropped_connection_is_transient(
    saleor: SaleorDouble, client: SaleorClient
) -> None:
    saleor.fail_next(drop=True)

    with pytest.raises(SaleorTransportError) as caught:
        await client.app_id()

    assert caught.value.transient is True


async def test_lost_response_after_mutation_applied(
    saleor: SaleorDouble, client: SaleorClient
) -> None:
    order = saleor.add_order()
    saleor.fail_next(drop=True, execute=True)

    with pytest.raises(SaleorTransportError):
        await client.add_order_note(order.id, "note")

    assert order.notes == ["note"]


async def test_timeout_is_transient(saleor: SaleorDouble) -> None:
    saleor.delay_next(1.0)

    async with SaleorClient(
        saleor.api_url, saleor.issue_app_token(), timeout=0.3
    ) as client:
        with pytest.raises(SaleorTransportError, match="timed out") as caught:
            await client.app_id()

    assert caught.value.transient is True


async def test_unreachable_saleor_is_transient(saleor: SaleorDouble) -> None:
    api_url = saleor.api_url
    saleor.stop()

    async with SaleorClient(api_url, "token", timeout=2) as client:
        with pytest.raises(SaleorTransportError):
            await client.app_id()


async def test_repr_hides_token(saleor: SaleorDouble) -> None:
    token = saleor.issue_app_token()

    async with SaleorClient(saleor.api_url, token) as client:
        assert token not in repr(client)
        assert saleor.api_url in repr(client)


async def test_logs_hide_token(
    saleor: SaleorDouble, caplog: pytest.LogCaptureFixture
) -> None:
    token = saleor.issue_app_token()
    caplog.set_level(logging.DEBUG)

    async with SaleorClient(saleor.api_url, token) as client:
        await client.app_id()
    async with SaleorClient(saleor.api_url, "wrong-token-value") as client:
        with pytest.raises(GraphQLError) as caught:
            await client.app_id()

    assert "saleor.graphql.response" in caplog.text
    assert token not in caplog.text
    assert "wrong-token-value" not in caplog.text
    assert "wrong-token-value" not in str(caught.value)


# Replays of captured Saleor responses

Call = Callable[[SaleorClient], Awaitable[Any]]


def note(order_id: str = "T3JkZXI6MQ==", message: str = "x") -> Call:
    return lambda client: client.add_order_note(order_id, message)


def metadata(object_id: str = "RnVsZmlsbG1lbnQ6MTQ=") -> Call:
    return lambda client: client.update_private_metadata(object_id, {"k": "v"})


def app_id() -> Call:
    return lambda client: client.app_id()


# Pair name -> (call that sends the same operation, expected outcome). The
# outcome is either the return value or (exception class, mutation error code).
REPLAYS: dict[str, tuple[Call, Any]] = {
    "app_query": (app_id(), "QXBwOjE="),
    "order_note_add_success": (note(), None),
    "order_note_add_error_empty_message": (note(), (MutationError, "REQUIRED")),
    "order_note_add_error_whitespace_message": (note(), (MutationError, "REQUIRED")),
    "order_note_add_error_unknown_order": (note(), (MutationError, None)),
    "order_note_add_error_malformed_id": (note(), (MutationError, "GRAPHQL_ERROR")),
    "update_private_metadata_fulfillment_success": (metadata(), None),
    "update_private_metadata_error_malformed_id": (
        metadata(),
        (MutationError, "INVALID"),
    ),
    "update_private_metadata_error_unknown_fulfillment": (
        metadata(),
        (MutationError, "NOT_FOUND"),
    ),
    "update_private_metadata_error_empty_key": (
        metadata(),
        (MutationError, "REQUIRED"),
    ),
    "app_query_invalid_token": (app_id(), (GraphQLError, None)),
    "app_query_no_token": (app_id(), (GraphQLError, None)),
}

# Queries the app does not send; their pairs are not replayed.
NOT_REPLAYED = {"shop_version"}


def replay_transport(pair: dict[str, Any]) -> httpx.MockTransport:
    response = pair["response"]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            response["status"],
            content=response["body"].encode("utf-8"),
            headers={"content-type": response["headers"]["content-type"]},
        )

    return httpx.MockTransport(handler)


def test_every_captured_pair_replayed(graphql_responses: dict[str, Any]) -> None:
    names = {pair["name"] for pair in graphql_responses["pairs"]}

    assert names - NOT_REPLAYED == set(REPLAYS)


@pytest.mark.parametrize("name", sorted(REPLAYS))
async def test_captured_response_classified(
    graphql_responses: dict[str, Any], name: str
) -> None:
    pair = next(pair for pair in graphql_responses["pairs"] if pair["name"] == name)
    call, expected = REPLAYS[name]

    async with SaleorClient(
        "http://saleor.test/graphql/", "token", transport=replay_transport(pair)
    ) as client:
        if not isinstance(expected, tuple):
            assert await call(client) == expected
            return
        error_class, code = expected
        with pytest.raises(error_class) as caught:
            await call(client)

    assert caught.type is error_class
    assert caught.value.transient is False
    if error_class is MutationError:
        assert caught.value.details[0].code == code
    else:
        assert caught.value.permission_denied is True


async def test_request_shape() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"data": {"orderNoteAdd": {"errors": []}}})

    async with SaleorClient(
        "http://saleor.test/graphql/",
        "app-token",
        transport=httpx.MockTransport(handler),
    ) as client:
        await client.add_order_note("T3JkZXI6MQ==", "hello")

    body = json.loads(sent[0].content)
    assert sent[0].method == "POST"
    assert str(sent[0].url) == "http://saleor.test/graphql/"
    assert sent[0].headers["authorization"] == "Bearer app-token"
    assert sent[0].headers["content-type"] == "application/json"
    assert body["operationName"] == "OrderNoteAdd"
    assert body["variables"] == {"order": "T3JkZXI6MQ==", "message": "hello"}
    assert body["query"].lstrip().startswith("mutation OrderNoteAdd")


# Responses the captures do not cover


def fixed(status: int, content: bytes, content_type: str = "application/json") -> Any:
    return httpx.MockTransport(
        lambda request: httpx.Response(
            status, content=content, headers={"content-type": content_type}
        )
    )


@pytest.mark.parametrize(
    ("status", "content", "error_class", "transient"),
    [
        (500, b'{"errors": [{"message": "Internal error"}]}', GraphQLError, True),
        (503, b"<html>Service Unavailable</html>", SaleorTransportError, True),
        (429, b"Too Many Requests", SaleorTransportError, True),
        (408, b"", SaleorTransportError, True),
        (400, b'{"errors": [{"message": "Cannot query field"}]}', GraphQLError, False),
        (404, b"<html>Not Found</html>", SaleorError, False),
        (200, b"<html>dashboard</html>", SaleorError, False),
        (200, b"[]", SaleorError, False),
        (200, b'{"data": null}', SaleorError, False),
    ],
)
async def test_status_classification(
    status: int, content: bytes, error_class: type[SaleorError], transient: bool
) -> None:
    async with SaleorClient(
        "http://saleor.test/graphql/", "token", transport=fixed(status, content)
    ) as client:
        with pytest.raises(SaleorError) as caught:
            await client.app_id()

    assert caught.type is error_class
    assert caught.value.transient is transient


async def test_mutation_without_payload_rejected() -> None:
    transport = fixed(200, b'{"data": {"orderNoteAdd": null}}')

    async with SaleorClient(
        "http://saleor.test/graphql/", "token", transport=transport
    ) as client:
        with pytest.raises(SaleorError, match="no orderNoteAdd payload"):
            await client.add_order_note("T3JkZXI6MQ==", "x")
