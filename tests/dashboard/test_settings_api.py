"""Settings endpoints: read without the key, validate fully, save all or nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import httpx
import pytest

from plugin.settings import parse_settings
from plugin.store import SecretCipher, Store
from tests.dashboard.support import (
    API,
    STORED_KEY,
    auth_headers,
    build_app,
    install,
    make_state,
    sample_settings,
    stored_settings,
)
from tests.store.raw import raw_rows


def with_key(data, key=STORED_KEY):
    data = copy.deepcopy(data)
    data["digitalriver"]["api_key"] = key
    return data


def paths(response):
    return [field["path"] for field in response.json()["error"]["fields"]]


async def test_get_defaults_without_settings(client, headers):
    body = (await client.get(f"{API}/settings", headers=headers)).json()
    assert body["source"] == "defaults"
    assert body["settings"]["distributors"] == []
    assert body["settings"]["digitalriver"]["api_key"] == {
        "set": False,
        "last4": None,
        "overridden_by_environment": False,
    }


async def test_get_never_returns_api_key(client, store, saleor):
    install(store, saleor, with_key(sample_settings()))
    response = await client.get(f"{API}/settings", headers=auth_headers(saleor))
    assert STORED_KEY not in response.text
    assert STORED_KEY[:-4] not in response.text
    info = response.json()["settings"]["digitalriver"]["api_key"]
    assert info == {"set": True, "last4": "abcd", "overridden_by_environment": False}


async def test_get_short_key_shows_no_characters(client, store, saleor):
    install(store, saleor, with_key(sample_settings(), "sk_test_1"))
    response = await client.get(f"{API}/settings", headers=auth_headers(saleor))
    assert response.json()["settings"]["digitalriver"]["api_key"]["last4"] is None
    assert "sk_test_1" not in response.text


async def test_get_returns_saved_values(client, store, saleor):
    install(store, saleor, sample_settings())
    body = (await client.get(f"{API}/settings", headers=auth_headers(saleor))).json()
    assert body["source"] == "installation"
    assert body["fields"] == []
    assert body["settings"]["distributors"][0]["shipping_cost"] == "9.99"
    assert body["settings"]["costs"]["table"][0]["cost"] == "8.40"


async def test_get_invalid_saved_settings_lists_problems(client, store, saleor):
    data = sample_settings()
    data["distributors"][0]["currency"] = "usd"
    install(store, saleor, data)
    body = (await client.get(f"{API}/settings", headers=auth_headers(saleor))).json()
    assert body["settings"]["distributors"][0]["currency"] == "usd"
    assert [field["path"] for field in body["fields"]] == ["distributors.0.currency"]


async def test_put_saves_settings(client, headers, store, installed):
    response = await client.put(
        f"{API}/settings",
        headers=headers,
        json=with_key(sample_settings(), "sk_test_new_key_9876"),
    )
    assert response.status_code == 200
    saved = stored_settings(store, installed)
    assert saved["digitalriver"]["api_key"] == "sk_test_new_key_9876"
    assert [item["id"] for item in saved["distributors"]] == [
        "dist-reno",
        "dist-rotterdam",
    ]
    assert "sk_test_new_key_9876" not in response.text
    assert response.json()["settings"]["digitalriver"]["api_key"]["last4"] == "9876"


async def test_put_saved_settings_parse(client, headers, store, installed):
    await client.put(f"{API}/settings", headers=headers, json=sample_settings())
    settings = parse_settings(stored_settings(store, installed), environ={})
    assert settings.distributor("dist-reno").shipping_cost is not None
    assert str(settings.distributor("dist-reno").shipping_cost) == "9.99"


async def test_put_applies_to_next_job(client, headers, state, store, installed):
    await client.put(f"{API}/settings", headers=headers, json=sample_settings())
    installation = store.get_installation(installed.api_url)
    assert state.settings_for(installation).routing.default_distributor == "dist-reno"


async def test_put_invalid_currency_saves_nothing(client, headers, store, installed):
    data = sample_settings()
    data["distributors"][1]["currency"] = "EURO"
    response = await client.put(f"{API}/settings", headers=headers, json=data)
    assert response.status_code == 422
    assert paths(response) == ["distributors.1.currency"]
    assert "ISO 4217" in response.json()["error"]["fields"][0]["message"]
    assert stored_settings(store, installed) is None


async def test_put_unknown_currency_code_names_it(client, headers, installed):
    data = sample_settings()
    data["distributors"][0]["currency"] = "XYZ"
    response = await client.put(f"{API}/settings", headers=headers, json=data)
    fields = response.json()["error"]["fields"]
    assert fields == [
        {
            "path": "distributors.0.currency",
            "message": "invalid currency 'XYZ': use an ISO 4217 code such as USD or EUR",
        }
    ]


async def test_put_invalid_keeps_previous_settings(client, store, saleor):
    install(store, saleor, sample_settings())
    data = sample_settings(distributors=[])
    response = await client.put(
        f"{API}/settings", headers=auth_headers(saleor), json=data
    )
    assert response.status_code == 422
    assert len(stored_settings(store, saleor)["distributors"]) == 2


async def test_put_reference_problems_have_paths(client, headers, installed):
    data = sample_settings()
    data["routing"]["default_distributor"] = "dist-nowhere"
    data["routing"]["by_sku"][0]["distributor"] = "dist-gone"
    response = await client.put(f"{API}/settings", headers=headers, json=data)
    assert sorted(paths(response)) == [
        "routing.by_sku.0.distributor",
        "routing.default_distributor",
    ]
    messages = [field["message"] for field in response.json()["error"]["fields"]]
    assert all("unknown distributor" in message for message in messages)


async def test_put_unknown_field_is_named(client, headers, installed):
    data = sample_settings()
    data["distributors"][0]["colour"] = "red"
    response = await client.put(f"{API}/settings", headers=headers, json=data)
    assert paths(response) == ["distributors.0.colour"]


async def test_put_lists_every_problem(client, headers, installed):
    data = sample_settings()
    data["distributors"][0]["address"]["country"] = "XX"
    data["distributors"][1]["name"] = ""
    data["digitalriver"]["read_timeout"] = 0
    response = await client.put(f"{API}/settings", headers=headers, json=data)
    assert sorted(paths(response)) == [
        "digitalriver.read_timeout",
        "distributors.0.address.country",
        "distributors.1.name",
    ]
    assert response.json()["error"]["message"].startswith("3 values are invalid")


@pytest.mark.parametrize(
    "blank", ["", "   ", None, "missing", {"set": True, "last4": "abcd"}]
)
async def test_put_blank_key_keeps_stored_key(client, store, saleor, blank):
    install(store, saleor, with_key(sample_settings()))
    data = sample_settings()
    if blank != "missing":
        data["digitalriver"]["api_key"] = blank
    response = await client.put(
        f"{API}/settings", headers=auth_headers(saleor), json=data
    )
    assert response.status_code == 200
    assert stored_settings(store, saleor)["digitalriver"]["api_key"] == STORED_KEY


async def test_put_without_connection_section_keeps_key(client, store, saleor):
    install(store, saleor, with_key(sample_settings()))
    data = sample_settings()
    del data["digitalriver"]
    await client.put(f"{API}/settings", headers=auth_headers(saleor), json=data)
    assert stored_settings(store, saleor)["digitalriver"]["api_key"] == STORED_KEY


async def test_put_clear_removes_key(client, store, saleor):
    install(store, saleor, with_key(sample_settings()))
    data = with_key(sample_settings(), {"clear": True})
    response = await client.put(
        f"{API}/settings", headers=auth_headers(saleor), json=data
    )
    assert response.status_code == 200
    assert stored_settings(store, saleor)["digitalriver"]["api_key"] is None


async def test_put_new_key_replaces_stored_key(client, store, saleor):
    install(store, saleor, with_key(sample_settings()))
    data = with_key(sample_settings(), "  sk_test_replacement_5555 ")
    await client.put(f"{API}/settings", headers=auth_headers(saleor), json=data)
    assert (
        stored_settings(store, saleor)["digitalriver"]["api_key"]
        == "sk_test_replacement_5555"
    )


async def test_put_new_base_url_needs_key_again(client, store, saleor):
    install(store, saleor, with_key(sample_settings()))
    data = sample_settings()
    data["digitalriver"]["base_url"] = "https://collector.example.net"
    response = await client.put(
        f"{API}/settings", headers=auth_headers(saleor), json=data
    )
    assert response.status_code == 422
    assert paths(response) == ["digitalriver.api_key"]
    assert stored_settings(store, saleor) == with_key(sample_settings())


async def test_put_new_base_url_with_new_key(client, store, saleor):
    install(store, saleor, with_key(sample_settings()))
    data = with_key(sample_settings(), "sk_test_for_new_url_1111")
    data["digitalriver"]["base_url"] = "https://sandbox.example.net"
    response = await client.put(
        f"{API}/settings", headers=auth_headers(saleor), json=data
    )
    assert response.status_code == 200
    assert (
        stored_settings(store, saleor)["digitalriver"]["base_url"]
        == "https://sandbox.example.net/"
    )


async def test_put_same_base_url_spelled_differently(client, store, saleor):
    install(store, saleor, with_key(sample_settings()))
    data = sample_settings()
    data["digitalriver"]["base_url"] = "https://api.digitalriver.com"
    response = await client.put(
        f"{API}/settings", headers=auth_headers(saleor), json=data
    )
    assert response.status_code == 200


async def test_put_rejects_non_json(client, headers, installed):
    response = await client.put(
        f"{API}/settings", headers=headers, content=b"{not json"
    )
    assert response.status_code == 400


async def test_put_rejects_json_array(client, headers, installed):
    response = await client.put(f"{API}/settings", headers=headers, json=[1, 2])
    assert response.status_code == 400


async def test_put_rejects_large_body(client, headers, installed):
    response = await client.put(
        f"{API}/settings", headers=headers, content=b" " * 70_000
    )
    assert response.status_code == 413


async def test_validate_reports_without_saving(client, headers, store, installed):
    data = sample_settings()
    data["distributors"][0]["shipping_cost"] = "-1"
    response = await client.post(f"{API}/settings/validate", headers=headers, json=data)
    assert response.status_code == 200
    assert response.json()["valid"] is False
    assert [field["path"] for field in response.json()["fields"]] == [
        "distributors.0.shipping_cost"
    ]
    assert stored_settings(store, installed) is None


async def test_validate_accepts_valid_settings(client, headers, store, installed):
    response = await client.post(
        f"{API}/settings/validate", headers=headers, json=sample_settings()
    )
    assert response.json() == {"valid": True, "fields": []}
    assert stored_settings(store, installed) is None


async def test_schema_is_settings_schema(client, headers):
    committed = json.loads(
        (Path(__file__).parents[2] / "settings_schema.json").read_text()
    )
    response = await client.get(f"{API}/schema", headers=headers)
    assert response.json() == committed


async def test_environment_key_is_reported(client, headers, monkeypatch):
    monkeypatch.setenv("DIGITALRIVER_API_KEY", "sk_test_from_environment_2222")
    response = await client.get(f"{API}/settings", headers=headers)
    info = response.json()["settings"]["digitalriver"]["api_key"]
    assert info["overridden_by_environment"] is True
    assert "sk_test_from_environment_2222" not in response.text


async def test_environment_key_is_not_stored(store, saleor, monkeypatch):
    monkeypatch.setenv("DIGITALRIVER_API_KEY", "sk_test_from_environment_2222")
    state = make_state(store)
    install(store, saleor)
    transport = httpx.ASGITransport(app=build_app(state))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://app.test"
    ) as client:
        response = await client.put(
            f"{API}/settings", headers=auth_headers(saleor), json=sample_settings()
        )
    await state.jwks.aclose()
    assert response.status_code == 200
    assert stored_settings(store, saleor)["digitalriver"]["api_key"] is None


async def test_encrypted_store_keeps_key_secret(tmp_path, saleor):
    cipher = SecretCipher(SecretCipher.generate_key())
    url = f"sqlite:///{tmp_path / 'encrypted.sqlite3'}"
    with Store.open(url, cipher=cipher) as store:
        state = make_state(store)
        install(store, saleor)
        transport = httpx.ASGITransport(app=build_app(state))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://app.test"
        ) as client:
            data = with_key(sample_settings(), "sk_test_encrypted_7777")
            response = await client.put(
                f"{API}/settings", headers=auth_headers(saleor), json=data
            )
        await state.jwks.aclose()
        assert response.status_code == 200
        assert (
            stored_settings(store, saleor)["digitalriver"]["api_key"]
            == "sk_test_encrypted_7777"
        )
    (row,) = raw_rows(url, "SELECT settings FROM installations")
    raw = row["settings"]
    assert "sk_test_encrypted_7777" not in raw
    assert "dist-reno" not in raw
