"""Every request the client sends matches Digital River's OpenAPI description."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plugin.digitalriver import DigitalRiverClient
from tests.digitalriver.conftest import ORDER_ID, REQUEST_KEY, make_request
from tests.digitalriver.fakes import SERVER_ERROR, FakeDigitalRiver
from tests.support.openapi import ContractError, spec, validate_request


def undeclared_fields(instance: dict[str, Any], component: str) -> set[str]:
    declared = spec()["components"]["schemas"][component]["properties"]
    return set(instance) - set(declared)


def query_parameters(path: str, method: str) -> dict[str, dict[str, Any]]:
    parameters = spec()["paths"][path][method]["parameters"]
    return {p["name"]: p for p in parameters if p["in"] == "query"}


async def test_create_bodies_match_fulfillment_request(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.fail_next("POST", SERVER_ERROR)

    await client.create_fulfillment(make_request())

    posts = fake_dr.posts()
    assert len(posts) == 2
    for post in posts:
        validate_request("POST", "/fulfillments", post.body_json)


async def test_create_body_uses_only_declared_fields(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    await client.create_fulfillment(make_request())

    body = fake_dr.posts()[0].body_json
    assert undeclared_fields(body, "FulfillmentRequest") == set()
    for item in body["items"]:
        assert undeclared_fields(item, "FulfillmentRequestItem") == set()


async def test_create_body_carries_request_key_in_metadata(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    await client.create_fulfillment(make_request())

    assert fake_dr.posts()[0].body_json["metadata"]["requestKey"] == REQUEST_KEY


def test_validation_rejects_string_quantity() -> None:
    body = make_request().to_payload()
    body["items"][0]["quantity"] = "2"

    with pytest.raises(ContractError, match=r"is not of type .integer."):
        validate_request(
            "POST", "/fulfillments", json.loads(json.dumps(body, default=float))
        )


async def test_list_query_matches_parameters(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    fake_dr.page_size = 1
    fake_dr.add_fulfillment(ORDER_ID)
    fake_dr.add_fulfillment(ORDER_ID)

    await client.list_fulfillments(ORDER_ID)

    declared = query_parameters("/fulfillments", "get")
    limit_schema = declared["limit"]["schema"]
    for request in fake_dr.gets():
        assert set(request.params) <= set(declared)
        limit = int(request.params["limit"])
        assert limit_schema["minimum"] <= limit <= limit_schema["maximum"]


async def test_order_path_exists_in_spec(
    client: DigitalRiverClient, fake_dr: FakeDigitalRiver
) -> None:
    await client.get_order(ORDER_ID)

    assert fake_dr.gets()[0].path == f"/orders/{ORDER_ID}"
    assert "get" in spec()["paths"]["/orders/{id}"]
