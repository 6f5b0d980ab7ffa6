"""Bearer authentication on Digital River paths."""

from __future__ import annotations

import httpx
import pytest

from plugin.sandbox import SandboxServer, SandboxState
from tests.support.openapi import validate_response

PATHS = ["/fulfillments", "/orders/240012340337", "/fulfillments/ful_x", "/nowhere"]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer sk_live_abc",
        "Bearer sk_test_",
        "Basic sk_test_abc",
        "sk_test_abc",
        "Bearer",
    ],
    ids=["missing", "live-key", "bare-prefix", "basic", "no-scheme", "no-key"],
)
def test_rejected_credentials(sandbox, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}

    response = httpx.get(f"{sandbox.url}/orders/240012340337", headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "unauthorized"
    assert body["errors"][0]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"
    assert "x-dr-requestid" in response.headers
    validate_response("GET", "/orders/240012340337", 401, body)


@pytest.mark.parametrize("path", PATHS)
def test_every_path_needs_a_key(sandbox, path):
    assert httpx.get(sandbox.url + path).status_code == 401


def test_post_without_key_changes_nothing(sandbox):
    body = {
        "orderId": "240012340337",
        "items": [{"itemId": "170012340340", "quantity": 1}],
    }

    response = httpx.post(f"{sandbox.url}/fulfillments", json=body)

    assert response.status_code == 401
    assert sandbox.state.fulfillments == []


def test_any_test_key_accepted_by_default(sandbox):
    headers = {"Authorization": "Bearer sk_test_something_else"}

    response = httpx.get(f"{sandbox.url}/orders/240012340337", headers=headers)

    assert response.status_code == 200


def test_scheme_is_case_insensitive(sandbox):
    headers = {"Authorization": f"bearer {sandbox.api_key}"}

    assert (
        httpx.get(f"{sandbox.url}/orders/240012340337", headers=headers).status_code
        == 200
    )


def test_configured_keys_only():
    state = SandboxState(api_keys={"sk_test_one"})
    with SandboxServer(state, api_key="sk_test_one") as server:
        accepted = httpx.get(
            f"{server.url}/fulfillments",
            headers={"Authorization": "Bearer sk_test_one"},
        )
        rejected = httpx.get(
            f"{server.url}/fulfillments",
            headers={"Authorization": "Bearer sk_test_two"},
        )

    assert accepted.status_code == 200
    assert rejected.status_code == 401


def test_server_key_must_be_accepted():
    with pytest.raises(ValueError, match="does not accept api_key"):
        SandboxServer(SandboxState(api_keys={"sk_test_one"}))


def test_control_paths_need_no_key(sandbox):
    assert httpx.get(f"{sandbox.url}/_sandbox/faults").status_code == 200


def test_authorization_header_not_recorded(sandbox, sandbox_http):
    sandbox_http.get("/orders/240012340337")

    (record,) = sandbox.state.requests
    assert "authorization" not in record.headers
    assert sandbox.api_key not in repr(record)
