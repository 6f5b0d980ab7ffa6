"""Helpers of the dashboard tests: an app with the dashboard routes, settings, tokens."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import jwt
import pluggy
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette

from plugin.app.config import AppConfig
from plugin.app.state import AppState
from plugin.dashboard import dashboard_routes
from plugin.saleor.jwks import JwksCache
from plugin.settings import parse_settings
from plugin.store import Store
from tests.support.saleor_double import SaleorDouble

API = "/api/dashboard"
MANAGE_APPS = "MANAGE_APPS"
STORED_KEY = "sk_test_stored_key_0000abcd"

RENO = {
    "id": "dist-reno",
    "name": "Reno Apparel Supply",
    "address": {
        "lines": ["1450 Gateway Dr"],
        "city": "Reno",
        "region": "NV",
        "postal_code": "89521",
        "country": "US",
    },
    "currency": "USD",
    "remit_shipping": True,
    "shipping_cost": "9.99",
}
ROTTERDAM = {
    "id": "dist-rotterdam",
    "name": "Rotterdam Footwear B.V.",
    "address": {
        "lines": ["Waalhaven Zuidzijde 21", "Haven 2"],
        "city": "Rotterdam",
        "postal_code": "3089 JH",
        "country": "NL",
    },
    "currency": "EUR",
}


def sample_settings(**changes: Any) -> dict[str, Any]:
    """Return valid settings data with two distributors, rules and costs."""
    data: dict[str, Any] = {
        "digitalriver": {"requests_per_second": 10},
        "distributors": [copy.deepcopy(RENO), copy.deepcopy(ROTTERDAM)],
        "routing": {
            "by_sku": [{"sku": "PLIM-BLUE-42", "distributor": "dist-rotterdam"}],
            "by_warehouse": [{"warehouse": "reno-dc", "distributor": "dist-reno"}],
            "default_distributor": "dist-reno",
        },
        "costs": {
            "table": [
                {
                    "distributor": "dist-reno",
                    "sku": "TEE-M",
                    "cost": "8.40",
                    "effective_from": "2026-01-01",
                },
                {
                    "distributor": "dist-rotterdam",
                    "sku": "PLIM-BLUE-42",
                    "cost": "31.20",
                    "effective_from": "2026-06-01",
                },
            ]
        },
    }
    data.update(changes)
    return data


def make_state(store: Store, *, origins: tuple[str, ...] = ()) -> AppState:
    """Return an app state over ``store`` with default settings and no worker."""
    return AppState(
        config=AppConfig(
            dashboard_origins=origins, run_worker=False, max_body_bytes=64 * 1024
        ),
        store=store,
        jwks=JwksCache(),
        plugin_manager=pluggy.PluginManager("dr_distributor"),
        default_settings=parse_settings({}, "defaults"),
    )


def build_app(state: AppState) -> Starlette:
    """Return a Starlette app serving only the dashboard routes."""
    return Starlette(routes=dashboard_routes(state))


def install(
    store: Store, saleor: SaleorDouble, settings: dict[str, Any] | None = None
) -> None:
    """Save the double's installation with its JWKS and, optionally, settings."""
    store.save_installation(
        saleor.api_url,
        saleor.app_id,
        "app-token",
        jwks=json.dumps(saleor.jwks),
        settings=None if settings is None else json.dumps(settings),
    )


def auth_headers(
    saleor: SaleorDouble,
    permissions: tuple[str, ...] = (MANAGE_APPS,),
    **token_options: Any,
) -> dict[str, str]:
    """Return the headers the page sends, with a token the double signed."""
    token = saleor.issue_dashboard_token(permissions=permissions, **token_options)
    return {"Authorization-Bearer": token, "Saleor-Api-Url": saleor.api_url}


def forged_token(saleor: SaleorDouble, *, kid: str | None = None) -> str:
    """Return a token with valid claims signed by a key that is not Saleor's."""
    genuine = saleor.issue_dashboard_token(permissions=(MANAGE_APPS,))
    claims = jwt.decode(genuine, options={"verify_signature": False})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(
        claims, key, algorithm="RS256", headers={"kid": kid or saleor.kid}
    )


def stored_settings(store: Store, saleor: SaleorDouble) -> dict[str, Any] | None:
    """Return the installation's saved settings, decoded, or None."""
    installation = store.get_installation(saleor.api_url)
    assert installation is not None
    return None if installation.settings is None else json.loads(installation.settings)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
