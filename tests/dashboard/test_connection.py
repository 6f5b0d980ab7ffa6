"""Test connection: a harmless Digital River call with the form's key and base URL."""

from __future__ import annotations

import socket

import pytest

from plugin.sandbox.server import SandboxServer
from plugin.sandbox.state import SandboxState
from tests.dashboard.support import API, auth_headers, install, sample_settings

GOOD_KEY = "sk_test_connection_good_1"


@pytest.fixture
def sandbox():
    with SandboxServer(SandboxState(api_keys={GOOD_KEY}), api_key=GOOD_KEY) as server:
        yield server


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def check(client, headers, **section):
    response = await client.post(
        f"{API}/test-connection", headers=headers, json={"digitalriver": section}
    )
    return response


async def test_accepted_key_is_ok(client, headers, sandbox):
    response = await check(client, headers, base_url=sandbox.url, api_key=GOOD_KEY)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["status"] == 404
    assert body["target"] == "digitalriver"
    assert GOOD_KEY not in response.text


async def test_rejected_key_fails(client, headers, sandbox):
    body = (
        await check(client, headers, base_url=sandbox.url, api_key="sk_test_wrong_key")
    ).json()
    assert body["ok"] is False
    assert body["status"] == 401
    assert "rejected the API key" in body["message"]


async def test_stored_key_is_used(client, store, saleor, sandbox):
    data = sample_settings()
    data["digitalriver"].update(base_url=sandbox.url, api_key=GOOD_KEY)
    install(store, saleor, data)
    response = await client.post(
        f"{API}/test-connection", headers=auth_headers(saleor), json={}
    )
    assert response.json()["ok"] is True


async def test_stored_key_not_sent_elsewhere(client, store, saleor, sandbox):
    data = sample_settings()
    data["digitalriver"].update(base_url=sandbox.url, api_key=GOOD_KEY)
    install(store, saleor, data)
    response = await check(client, auth_headers(saleor), base_url=closed_port_url())
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "digitalriver.api_key"


async def test_without_key_uses_bundled_sandbox(client, headers):
    body = (await check(client, headers)).json()
    assert body["ok"] is True
    assert body["target"] == "sandbox"
    assert body["base_url"].startswith("http://127.0.0.1:")


async def test_unreachable_base_url_fails(client, headers):
    body = (
        await check(client, headers, base_url=closed_port_url(), api_key=GOOD_KEY)
    ).json()
    assert body["ok"] is False
    assert body["status"] is None
    assert "cannot reach" in body["message"]


async def test_not_digital_river_fails(client, headers, saleor):
    # The Saleor double responds with 404 for /orders/..., but not in Digital River's error format.
    body = (
        await check(client, headers, base_url=saleor.origin, api_key=GOOD_KEY)
    ).json()
    assert body["ok"] is False
    assert body["status"] == 404


async def test_invalid_section_is_422(client, headers):
    response = await check(client, headers, base_url="not a url", read_timeout=-1)
    assert response.status_code == 422
    paths = sorted(field["path"] for field in response.json()["error"]["fields"])
    assert paths == ["digitalriver.base_url", "digitalriver.read_timeout"]
