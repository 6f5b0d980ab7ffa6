"""Sanity checks of the Saleor test double against what real Saleor sends."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import jwt
import pytest

from tests.support.fixtures import captured_delivery
from tests.support.saleor_double import (
    GRAPHQL_PATH,
    JWKS_PATH,
    SaleorDouble,
    from_global_id,
    rfc7638_thumbprint,
    to_global_id,
)

# Claims of saleor.core.jwt.create_access_token_for_app in Saleor 3.24 for an
# app without an audience.
SALEOR_APP_TOKEN_CLAIMS = {
    "iat",
    "owner",
    "iss",
    "exp",
    "token",
    "email",
    "type",
    "user_id",
    "is_staff",
    "app",
    "permissions",
    "user_permissions",
}


def protected_header(signature: str) -> bytes:
    segment = signature.split(".")[0]
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def post_graphql(
    saleor: SaleorDouble,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        saleor.api_url,
        json={"query": query, "variables": variables or {}},
        headers=headers,
    )


def captured_pair(name: str) -> dict[str, Any]:
    pairs = captured_delivery("graphql_responses")["pairs"]
    pair: dict[str, Any] = next(pair for pair in pairs if pair["name"] == name)
    return pair


def captured_request(name: str) -> tuple[str, dict[str, Any]]:
    request = json.loads(captured_pair(name)["request"]["body"])
    return request["query"], request["variables"]


def test_addresses(saleor: SaleorDouble) -> None:
    assert saleor.domain == f"127.0.0.1:{saleor.port}"
    assert saleor.api_url == f"http://127.0.0.1:{saleor.port}/graphql/"
    assert saleor.jwks_url == f"http://127.0.0.1:{saleor.port}/.well-known/jwks.json"


def test_jwks_served(saleor: SaleorDouble) -> None:
    response = httpx.get(saleor.jwks_url)

    assert response.status_code == 200
    assert response.json() == saleor.jwks
    assert saleor.requests[JWKS_PATH] == 1


def test_jwks_entry_shaped_like_saleor(saleor: SaleorDouble) -> None:
    captured = captured_delivery("fulfillment_created_single_line")["jwks"]["keys"][0]
    entry = saleor.jwks["keys"][0]

    assert list(entry) == list(captured)
    assert {key: entry[key] for key in ("kty", "key_ops", "e", "use", "alg")} == {
        key: captured[key] for key in ("kty", "key_ops", "e", "use", "alg")
    }


def test_kid_is_rfc7638_thumbprint(saleor: SaleorDouble) -> None:
    captured = captured_delivery("fulfillment_created_single_line")["jwks"]["keys"][0]

    assert rfc7638_thumbprint(captured) == captured["kid"]
    assert rfc7638_thumbprint(saleor.jwks["keys"][0]) == saleor.kid


def test_signature_header_bytes_match_saleor(saleor: SaleorDouble) -> None:
    delivery = captured_delivery("fulfillment_created_single_line")
    captured_kid = delivery["signature"]["jws_protected_header"]["kid"]
    captured_header = protected_header(
        delivery["request"]["headers"]["Saleor-Signature"]
    )

    ours = protected_header(saleor.sign(b"{}"))

    assert ours == captured_header.replace(captured_kid.encode(), saleor.kid.encode())


def test_signature_payload_segment_empty(saleor: SaleorDouble) -> None:
    assert saleor.sign(b'{"a": 1}').split(".")[1] == ""


def test_webhook_headers_match_saleor(saleor: SaleorDouble) -> None:
    delivery = captured_delivery("fulfillment_created_single_line")
    captured = delivery["request"]["headers"]
    body = b'{"a": 1}'

    headers = saleor.webhook_headers(body)

    saleor_names = {name for name in captured if "Saleor" in name} | {"Content-Type"}
    assert saleor_names <= set(headers)
    assert headers["Saleor-Event"] == "fulfillment_created"
    assert headers["X-Saleor-Event"] == "fulfillment_created"
    assert headers["Saleor-Domain"] == saleor.domain
    assert headers["Saleor-Api-Url"] == saleor.api_url
    assert headers["Saleor-Signature"] == headers["X-Saleor-Signature"]
    assert headers["Content-Type"] == captured["Content-Type"]


def test_webhook_headers_name_event(saleor: SaleorDouble) -> None:
    headers = saleor.webhook_headers(b"{}", event="fulfillment_approved")

    assert headers["Saleor-Event"] == "fulfillment_approved"


def test_rotate_key_replaces_jwks(saleor: SaleorDouble) -> None:
    old_kid = saleor.kid

    new_kid = saleor.rotate_key()

    assert new_kid != old_kid
    assert saleor.kid == new_kid
    assert [key["kid"] for key in saleor.jwks["keys"]] == [new_kid]


def test_rotate_key_can_keep_old(saleor: SaleorDouble) -> None:
    old_kid = saleor.kid

    new_kid = saleor.rotate_key(keep_old=True)

    assert [key["kid"] for key in saleor.jwks["keys"]] == [old_kid, new_kid]


def test_app_token_lifecycle(saleor: SaleorDouble) -> None:
    token = saleor.issue_app_token()

    assert len(token) == 30
    assert saleor.is_valid_app_token(token)
    saleor.revoke_app_token(token)
    assert not saleor.is_valid_app_token(token)


def test_bad_token_error_shaped_like_saleor(saleor: SaleorDouble) -> None:
    captured = captured_pair("app_query_invalid_token")["response"]["json"]
    query, variables = captured_request("app_query_invalid_token")

    response = post_graphql(saleor, query, variables, token="invalid-token-xyz")

    body = response.json()
    assert response.status_code == 200
    assert body["data"] == captured["data"]
    assert body["errors"][0]["message"] == captured["errors"][0]["message"]
    assert body["errors"][0]["path"] == captured["errors"][0]["path"]
    assert body["errors"][0]["extensions"] == captured["errors"][0]["extensions"]


def test_missing_token_same_as_bad(saleor: SaleorDouble) -> None:
    response = post_graphql(saleor, "query { app { id } }")

    assert response.json()["data"] == {"app": None}
    assert (
        response.json()["errors"][0]["extensions"]["exception"]["code"]
        == "PermissionDenied"
    )


def test_unknown_order_shaped_like_saleor(saleor: SaleorDouble) -> None:
    captured = captured_pair("order_note_add_error_unknown_order")["response"]["json"]
    query, variables = captured_request("order_note_add_error_unknown_order")

    response = post_graphql(saleor, query, variables, token=saleor.issue_app_token())

    body = response.json()
    assert body["data"] == captured["data"]
    assert body["errors"][0]["path"] == captured["errors"][0]["path"]


@pytest.mark.parametrize(
    "name",
    [
        "order_note_add_error_empty_message",
        "order_note_add_error_whitespace_message",
        "order_note_add_error_malformed_id",
        "update_private_metadata_error_malformed_id",
        "update_private_metadata_error_unknown_fulfillment",
    ],
)
def test_mutation_error_matches_capture(saleor: SaleorDouble, name: str) -> None:
    saleor.add_order("T3JkZXI6MzU3ZWYwM2UtMTliZi00ZjIzLTkwMzgtYTdkOWNhODI1NmVm")
    captured = captured_pair(name)["response"]["json"]
    query, variables = captured_request(name)

    response = post_graphql(saleor, query, variables, token=saleor.issue_app_token())

    assert response.json() == {"data": captured["data"]}


def test_captured_success_replayed(saleor: SaleorDouble) -> None:
    delivery = captured_delivery("fulfillment_created_single_line")
    fulfillment = saleor.add_from_payload(delivery["json"])
    query, variables = captured_request("update_private_metadata_fulfillment_success")
    captured = captured_pair("update_private_metadata_fulfillment_success")["response"]

    response = post_graphql(saleor, query, variables, token=saleor.issue_app_token())

    assert fulfillment.private_metadata == {
        "digitalriver.fulfillmentId": "FUL-240012340336-1"
    }
    assert response.json() == {"data": captured["json"]["data"]}


def test_add_from_payload_registers_ids(saleor: SaleorDouble) -> None:
    body = captured_delivery("fulfillment_created_multi_line")["json"]

    fulfillment = saleor.add_from_payload(body)

    assert fulfillment.id == body["fulfillment"]["id"]
    assert fulfillment.order_id == body["order"]["id"]
    assert saleor.orders[body["order"]["id"]].number == body["order"]["number"]
    assert saleor.orders[body["order"]["id"]].private_metadata == {
        item["key"]: item["value"] for item in body["order"]["privateMetadata"]
    }


def test_order_query_resolves_registered_order(saleor: SaleorDouble) -> None:
    order = saleor.add_order(
        number="42", private_metadata={"digitalriver.orderId": "240"}
    )

    response = post_graphql(
        saleor,
        "query($id: ID!) { order(id: $id) { id number privateMetadata { key value } } }",
        {"id": order.id},
        token=saleor.issue_app_token(),
    )

    assert response.json()["data"]["order"] == {
        "id": order.id,
        "number": "42",
        "privateMetadata": [{"key": "digitalriver.orderId", "value": "240"}],
    }


def test_invalid_document_returns_400(saleor: SaleorDouble) -> None:
    response = post_graphql(saleor, "query { noSuchField }")

    assert response.status_code == 400
    assert "noSuchField" in response.json()["errors"][0]["message"]


def test_syntax_error_returns_400(saleor: SaleorDouble) -> None:
    response = post_graphql(saleor, "query {")

    assert response.status_code == 400


def test_non_json_body_returns_400(saleor: SaleorDouble) -> None:
    response = httpx.post(saleor.api_url, content=b"not json")

    assert response.status_code == 400


def test_mutations_recorded_even_when_unauthorized(saleor: SaleorDouble) -> None:
    query, variables = captured_request("order_note_add_success")

    post_graphql(saleor, query, variables, token="bogus")

    assert len(saleor.mutations) == 1
    assert saleor.mutations[0].name == "orderNoteAdd"
    assert saleor.mutations[0].authorized is False
    assert saleor.mutations[0].variables == variables


def test_queries_not_recorded_as_mutations(saleor: SaleorDouble) -> None:
    post_graphql(saleor, "query { app { id } }", token=saleor.issue_app_token())

    assert saleor.mutations == []


def test_requests_counted_per_path(saleor: SaleorDouble) -> None:
    post_graphql(saleor, "query { app { id } }")
    post_graphql(saleor, "query { app { id } }")
    httpx.get(saleor.jwks_url)

    assert saleor.requests[GRAPHQL_PATH] == 2
    assert saleor.requests[JWKS_PATH] == 1


def test_fault_queue_applies_in_order(saleor: SaleorDouble) -> None:
    saleor.fail_next(status=500)
    saleor.fail_next(status=503)

    statuses = [
        post_graphql(saleor, "query { app { id } }").status_code for _ in range(3)
    ]

    assert statuses == [500, 503, 200]


def test_fault_only_hits_its_path(saleor: SaleorDouble) -> None:
    saleor.fail_next(status=500, path=JWKS_PATH)

    assert post_graphql(saleor, "query { app { id } }").status_code == 200
    assert httpx.get(saleor.jwks_url).status_code == 500


def test_drop_closes_connection(saleor: SaleorDouble) -> None:
    saleor.fail_next(drop=True)

    with pytest.raises(httpx.TransportError):
        post_graphql(saleor, "query { app { id } }")


def test_dashboard_token_has_saleor_claims(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token(permissions=["MANAGE_ORDERS", "MANAGE_STAFF"])

    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)

    assert set(claims) == SALEOR_APP_TOKEN_CLAIMS
    assert claims["type"] == "thirdparty"
    assert claims["owner"] == "saleor"
    assert claims["iss"] == saleor.api_url
    assert claims["app"] == saleor.app_id
    assert claims["user_permissions"] == ["MANAGE_ORDERS", "MANAGE_STAFF"]
    assert claims["permissions"] == ["MANAGE_ORDERS"]
    assert header == {"alg": "RS256", "kid": saleor.kid, "typ": "JWT"}


def test_global_id_round_trip() -> None:
    global_id = to_global_id("Fulfillment", 14)

    assert global_id == "RnVsZmlsbG1lbnQ6MTQ="
    assert from_global_id(global_id) == ("Fulfillment", "14")
    assert from_global_id("not-a-valid-id") is None
    assert from_global_id(base64.b64encode(b"no-colon").decode()) is None


def test_stop_releases_port() -> None:
    double = SaleorDouble().start()
    api_url = double.api_url

    double.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.post(api_url, json={"query": "{ app { id } }"})
