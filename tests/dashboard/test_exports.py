"""Distributor registry and cost table downloads, and the cost import preview."""

from __future__ import annotations

import csv
import io

from tests.dashboard.support import API, auth_headers, install, sample_settings


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


async def test_registry_csv_content(client, store, saleor):
    install(store, saleor, sample_settings())
    response = await client.get(f"{API}/registry.csv", headers=auth_headers(saleor))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        'filename="distributor-registry.csv"' in response.headers["content-disposition"]
    )
    rows = csv_rows(response.text)
    assert rows[0] == {
        "id": "dist-reno",
        "name": "Reno Apparel Supply",
        "address_line_1": "1450 Gateway Dr",
        "address_line_2": "",
        "address_line_3": "",
        "city": "Reno",
        "region": "NV",
        "postal_code": "89521",
        "country": "US",
        "currency": "USD",
        "remit_shipping": "true",
    }
    assert rows[1]["address_line_2"] == "Haven 2"
    assert rows[1]["remit_shipping"] == "false"
    assert rows[1]["region"] == ""


async def test_registry_json_content(client, store, saleor):
    install(store, saleor, sample_settings())
    response = await client.get(f"{API}/registry.json", headers=auth_headers(saleor))
    assert response.status_code == 200
    distributors = response.json()["distributors"]
    assert distributors[1] == {
        "id": "dist-rotterdam",
        "name": "Rotterdam Footwear B.V.",
        "address": {
            "lines": ["Waalhaven Zuidzijde 21", "Haven 2"],
            "city": "Rotterdam",
            "region": None,
            "postal_code": "3089 JH",
            "country": "NL",
        },
        "currency": "EUR",
        "remit_shipping": False,
    }
    assert [item["id"] for item in distributors] == ["dist-reno", "dist-rotterdam"]


async def test_registry_leaves_out_costs_and_key(client, store, saleor):
    data = sample_settings()
    data["digitalriver"]["api_key"] = "sk_test_registry_3333"
    install(store, saleor, data)
    response = await client.get(f"{API}/registry.json", headers=auth_headers(saleor))
    assert "sk_test_registry_3333" not in response.text
    assert "shipping_cost" not in response.text


async def test_registry_of_invalid_settings_is_409(client, store, saleor):
    data = sample_settings()
    data["distributors"][0]["currency"] = "usd"
    install(store, saleor, data)
    response = await client.get(f"{API}/registry.csv", headers=auth_headers(saleor))
    assert response.status_code == 409
    assert "distributors.0.currency" in response.json()["error"]["message"]


async def test_costs_csv_export(client, store, saleor):
    install(store, saleor, sample_settings())
    response = await client.get(f"{API}/costs.csv", headers=auth_headers(saleor))
    assert response.status_code == 200
    assert csv_rows(response.text) == [
        {
            "distributor": "dist-reno",
            "sku": "TEE-M",
            "currency": "USD",
            "cost": "8.40",
            "effective_from": "2026-01-01",
        },
        {
            "distributor": "dist-rotterdam",
            "sku": "PLIM-BLUE-42",
            "currency": "EUR",
            "cost": "31.20",
            "effective_from": "2026-06-01",
        },
    ]


async def test_costs_preview_lists_changes(client, store, saleor):
    install(store, saleor, sample_settings())
    text = (
        "distributor,sku,cost,effective_from\n"
        "dist-reno,TEE-M,8.75,2026-01-01\n"
        "dist-reno,CAP,4.10,2026-01-01\n"
    )
    response = await client.post(
        f"{API}/costs/preview", headers=auth_headers(saleor), json={"csv": text}
    )
    body = response.json()
    assert body["valid"] is True
    assert body["added"] == [
        {
            "distributor": "dist-reno",
            "sku": "CAP",
            "cost": "4.10",
            "effective_from": "2026-01-01",
        }
    ]
    assert body["changed"][0]["before"]["cost"] == "8.40"
    assert body["changed"][0]["after"]["cost"] == "8.75"
    assert [row["sku"] for row in body["removed"]] == ["PLIM-BLUE-42"]
    assert body["unchanged"] == 0
    assert len(body["rows"]) == 2


async def test_costs_preview_uses_form_rows(client, headers):
    text = "distributor,sku,cost,effective_from,currency\nd1,SKU-1,2.5,2026-03-01,GBP\n"
    body = {
        "csv": text,
        "table": [
            {
                "distributor": "d1",
                "sku": "SKU-1",
                "cost": "2.50",
                "effective_from": "2026-03-01",
            }
        ],
        "distributors": [{"id": "d1", "currency": "GBP"}],
    }
    response = await client.post(f"{API}/costs/preview", headers=headers, json=body)
    assert response.json()["unchanged"] == 1
    assert response.json()["changed"] == []


async def test_costs_preview_saves_nothing(client, store, saleor):
    install(store, saleor, sample_settings())
    text = "distributor,sku,cost,effective_from\n"
    await client.post(
        f"{API}/costs/preview", headers=auth_headers(saleor), json={"csv": text}
    )
    installation = store.get_installation(saleor.api_url)
    assert '"TEE-M"' in installation.settings


async def test_costs_preview_reports_bad_lines(client, store, saleor):
    install(store, saleor, sample_settings())
    text = "distributor,sku,cost,effective_from\ndist-reno,TEE-M,-1,2026-01-01\ndist-x,TEE-M,1,2026-01-01\n"
    response = await client.post(
        f"{API}/costs/preview", headers=auth_headers(saleor), json={"csv": text}
    )
    body = response.json()
    assert body["valid"] is False
    assert [(problem["line"], problem["column"]) for problem in body["problems"]] == [
        (2, "cost"),
        (3, "distributor"),
    ]


async def test_costs_preview_needs_csv_text(client, headers):
    response = await client.post(
        f"{API}/costs/preview", headers=headers, json={"table": []}
    )
    assert response.status_code == 400
