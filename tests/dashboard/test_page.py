"""The page at /dashboard: its HTML, security headers and static files."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from pydantic import ValidationError

from plugin.dashboard.page import (
    _script_json,
    content_security_policy,
    normalize_origins,
)
from plugin.dashboard.problems import FieldProblem, problems_from_validation
from plugin.settings import Settings
from tests.dashboard.support import build_app, make_state

ORIGIN = "https://shop.saleor.cloud"


def page_config(html):
    match = re.search(
        r'<script type="application/json" id="dashboard-config">(.*?)</script>', html
    )
    assert match is not None
    return json.loads(match[1])


async def get(state, path):
    transport = httpx.ASGITransport(app=build_app(state))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://app.test"
    ) as client:
        return await client.get(path)


async def test_page_renders_config(store):
    response = await get(make_state(store, origins=(ORIGIN + "/",)), "/dashboard")
    assert response.status_code == 200
    assert page_config(response.text) == {
        "apiBase": "/api/dashboard",
        "dashboardOrigins": [ORIGIN],
    }
    assert 'src="/dashboard/static/main.js"' in response.text


async def test_page_needs_no_token(state):
    response = await get(state, "/dashboard?id=QXBwOjE=&theme=dark")
    assert response.status_code == 200
    assert '<main id="app" hidden>' in response.text


async def test_page_security_headers(store):
    response = await get(make_state(store, origins=(ORIGIN,)), "/dashboard")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert f"frame-ancestors {ORIGIN}" in policy
    assert response.headers["cache-control"] == "no-store"


async def test_page_without_origins_allows_any_frame(state):
    response = await get(state, "/dashboard")
    assert "frame-ancestors" not in response.headers["content-security-policy"]


@pytest.mark.parametrize("name", ["main.js", "form.js", "bridge.js", "dashboard.css"])
async def test_static_files_are_served(state, name):
    response = await get(state, f"/dashboard/static/{name}")
    assert response.status_code == 200


def test_origins_are_normalized():
    assert normalize_origins(
        ["HTTPS://Shop.Saleor.Cloud/", "http://127.0.0.1:9000"]
    ) == (
        "https://shop.saleor.cloud",
        "http://127.0.0.1:9000",
    )


@pytest.mark.parametrize(
    "origin",
    [
        "shop.saleor.cloud",
        "https://shop.saleor.cloud/dashboard",
        "https://a.b; script-src *",
    ],
)
def test_invalid_origin_is_rejected(origin):
    with pytest.raises(ValueError, match="invalid dashboard origin"):
        normalize_origins([origin])


def test_policy_lists_every_origin():
    policy = content_security_policy(("https://a.example", "https://b.example"))
    assert policy.endswith("frame-ancestors https://a.example https://b.example")


def test_config_cannot_close_script_block():
    assert "</script>" not in _script_json({"x": "</script><script>alert(1)</script>"})


def test_model_problems_are_split_by_path():
    data = {
        "distributors": [
            {
                "id": "a",
                "name": "A",
                "currency": "USD",
                "address": {"lines": ["x"], "city": "c", "country": "US"},
            },
            {
                "id": "a",
                "name": "B",
                "currency": "USD",
                "address": {"lines": ["x"], "city": "c", "country": "US"},
            },
        ],
        "routing": {"default_distributor": "zz"},
    }
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate(data)
    problems = problems_from_validation(caught.value)
    assert [problem.path for problem in problems] == [
        "distributors",
        "routing.default_distributor",
    ]
    assert problems[1] == FieldProblem(
        "routing.default_distributor",
        "unknown distributor 'zz'; add it under distributors or use one of their ids",
    )
