"""Authentication of the dashboard API: installation, token, app id and permission."""

from __future__ import annotations

import re

import pytest

from plugin.dashboard import API_ENDPOINTS
from tests.dashboard.support import API, MANAGE_APPS, auth_headers, forged_token


def assert_rejected(response, status):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["message"]


async def test_valid_token_reads_settings(client, headers):
    response = await client.get(f"{API}/settings", headers=headers)
    assert response.status_code == 200
    assert "settings" in response.json()


async def test_responses_are_not_cached(client, headers):
    response = await client.get(f"{API}/settings", headers=headers)
    assert response.headers["cache-control"] == "no-store"


async def test_expired_token_is_401(client, installed):
    headers = auth_headers(installed, expires_in=-5)
    response = await client.get(f"{API}/settings", headers=headers)
    assert_rejected(response, 401)
    assert "expired" in response.json()["error"]["message"]


async def test_token_of_other_app_is_401(client, installed):
    headers = auth_headers(installed, app_id="QXBwOjk5")
    response = await client.get(f"{API}/settings", headers=headers)
    assert_rejected(response, 401)
    assert "QXBwOjk5" in response.json()["error"]["message"]


async def test_missing_manage_apps_is_403(client, installed):
    headers = auth_headers(installed, permissions=("MANAGE_ORDERS",))
    response = await client.get(f"{API}/settings", headers=headers)
    assert_rejected(response, 403)
    assert MANAGE_APPS in response.json()["error"]["message"]


async def test_missing_manage_apps_cannot_save(client, installed, store):
    headers = auth_headers(installed, permissions=("MANAGE_ORDERS", "MANAGE_PRODUCTS"))
    response = await client.put(f"{API}/settings", headers=headers, json={})
    assert_rejected(response, 403)
    assert store.get_installation(installed.api_url).settings is None


async def test_forged_token_with_saleor_kid_is_401(client, installed):
    headers = {
        "Authorization-Bearer": forged_token(installed),
        "Saleor-Api-Url": installed.api_url,
    }
    response = await client.get(f"{API}/settings", headers=headers)
    assert_rejected(response, 401)
    assert "signature" in response.json()["error"]["message"]


async def test_forged_token_with_unknown_kid_is_401(client, installed):
    headers = {
        "Authorization-Bearer": forged_token(installed, kid="made-up-kid"),
        "Saleor-Api-Url": installed.api_url,
    }
    response = await client.get(f"{API}/settings", headers=headers)
    assert_rejected(response, 401)
    assert installed.requests["/.well-known/jwks.json"] == 1


async def test_rotated_key_refetches_jwks_once(client, installed):
    installed.rotate_key()
    response = await client.get(f"{API}/settings", headers=auth_headers(installed))
    assert response.status_code == 200
    assert installed.requests["/.well-known/jwks.json"] == 1


async def test_unknown_installation_is_401(client, saleor):
    response = await client.get(f"{API}/settings", headers=auth_headers(saleor))
    assert_rejected(response, 401)
    assert "not installed" in response.json()["error"]["message"]


async def test_other_saleor_url_is_401(client, installed):
    headers = auth_headers(installed)
    headers["Saleor-Api-Url"] = "http://127.0.0.1:1/graphql/"
    response = await client.get(f"{API}/settings", headers=headers)
    assert_rejected(response, 401)


@pytest.mark.parametrize("missing", ["Authorization-Bearer", "Saleor-Api-Url"])
async def test_missing_header_is_401(client, headers, missing):
    del headers[missing]
    response = await client.get(f"{API}/settings", headers=headers)
    assert_rejected(response, 401)
    assert missing in response.json()["error"]["message"]


async def test_malformed_token_is_401(client, installed):
    headers = {"Authorization-Bearer": "not-a-jwt", "Saleor-Api-Url": installed.api_url}
    assert_rejected(await client.get(f"{API}/settings", headers=headers), 401)


@pytest.mark.parametrize(
    ("method", "path"), [(method, path) for method, path, _ in API_ENDPOINTS]
)
async def test_every_endpoint_needs_a_token(client, installed, method, path):
    url = API + re.sub(r"\{id:int\}", "1", path)
    response = await client.request(
        method, url, headers={"Saleor-Api-Url": installed.api_url}, json={}
    )
    assert_rejected(response, 401)


@pytest.mark.parametrize(
    ("method", "path"), [(method, path) for method, path, _ in API_ENDPOINTS]
)
async def test_every_endpoint_needs_manage_apps(client, installed, method, path):
    url = API + re.sub(r"\{id:int\}", "1", path)
    headers = auth_headers(installed, permissions=("MANAGE_ORDERS",))
    response = await client.request(method, url, headers=headers, json={})
    assert_rejected(response, 403)
