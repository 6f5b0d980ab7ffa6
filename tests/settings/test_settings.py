"""Loading and validating settings."""

import json
from decimal import Decimal

import pytest

from plugin.errors import SettingsError
from plugin.settings import (
    API_KEY_ENV,
    load_settings,
    parse_settings,
    settings_schema_text,
)
from tests.support.paths import EXAMPLES, ROOT


def distributor(id_="d1", **changes):
    data = {
        "id": id_,
        "name": "Distributor One",
        "currency": "USD",
        "address": {"lines": ["1 Main St"], "city": "Reno", "country": "US"},
    }
    data.update(changes)
    return data


def error_of(data):
    with pytest.raises(SettingsError) as caught:
        parse_settings(data, environ={})
    return str(caught.value)


def test_example_settings_load():
    settings = load_settings(EXAMPLES / "settings.toml", environ={})
    assert [item.id for item in settings.distributors] == [
        "dist-reno-apparel",
        "dist-rotterdam-footwear",
    ]


def test_toml_amounts_are_exact_decimals(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(
        '[[distributors]]\nid = "d1"\nname = "D"\ncurrency = "USD"\n'
        "remit_shipping = true\nshipping_cost = 0.1\n"
        'address = { lines = ["x"], city = "c", country = "US" }\n'
    )
    settings = load_settings(path, environ={})
    assert settings.distributors[0].shipping_cost == Decimal("0.1")


def test_json_settings_load(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"distributors": [distributor()]}))
    assert load_settings(path, environ={}).distributor("d1").name == "Distributor One"


def test_unknown_key_named_with_path():
    message = error_of({"distributors": [distributor(colour="red")]})
    assert "distributors.0.colour: unknown key" in message


def test_invalid_currency_named():
    message = error_of({"distributors": [distributor(currency="USX")]})
    assert "distributors.0.currency: invalid currency 'USX'" in message


def test_invalid_country_named():
    bad = distributor(address={"lines": ["x"], "city": "c", "country": "XX"})
    message = error_of({"distributors": [bad]})
    assert "distributors.0.address.country: invalid country 'XX'" in message


def test_duplicate_distributor_ids_rejected():
    message = error_of({"distributors": [distributor(), distributor()]})
    assert "id 'd1' is used 2 times" in message


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"routing": {"default_distributor": "nope"}}, "routing.default_distributor"),
        (
            {"routing": {"by_sku": [{"sku": "A", "distributor": "nope"}]}},
            "routing.by_sku.0.distributor",
        ),
        (
            {"routing": {"by_warehouse": [{"warehouse": "w", "distributor": "nope"}]}},
            "routing.by_warehouse.0.distributor",
        ),
        (
            {
                "costs": {
                    "table": [
                        {
                            "distributor": "nope",
                            "sku": "A",
                            "cost": "1",
                            "effective_from": "2026-01-01",
                        }
                    ]
                }
            },
            "costs.table.0.distributor",
        ),
    ],
)
def test_unknown_distributor_reference_named(section, path):
    message = error_of({"distributors": [distributor()], **section})
    assert f"{path}: unknown distributor 'nope'" in message


def test_negative_cost_rejected():
    cost = {
        "distributor": "d1",
        "sku": "A",
        "cost": "-1",
        "effective_from": "2026-01-01",
    }
    message = error_of({"distributors": [distributor()], "costs": {"table": [cost]}})
    assert "costs.table.0.cost" in message


def test_shipping_cost_needs_remit():
    message = error_of({"distributors": [distributor(shipping_cost="5.00")]})
    assert "set remit_shipping = true" in message


def test_shipping_cost_decimal_places_checked():
    bad = distributor(currency="JPY", remit_shipping=True, shipping_cost="5.5")
    message = error_of({"distributors": [bad]})
    assert "more decimal places than JPY allows" in message


def test_api_key_from_environment_wins():
    settings = parse_settings(
        {"digitalriver": {"api_key": "sk_test_file"}},
        environ={API_KEY_ENV: "sk_test_env"},
    )
    assert settings.digitalriver.api_key.get_secret_value() == "sk_test_env"


def test_api_key_never_printed():
    settings = parse_settings(
        {"digitalriver": {"api_key": "sk_test_secret"}}, environ={}
    )
    assert "sk_test_secret" not in repr(settings)
    assert "sk_test_secret" not in str(settings.model_dump())


def test_missing_file_named(tmp_path):
    with pytest.raises(SettingsError, match="cannot read settings file"):
        load_settings(tmp_path / "absent.toml", environ={})


def test_wrong_suffix_rejected(tmp_path):
    path = tmp_path / "settings.yaml"
    path.write_text("a: 1")
    with pytest.raises(SettingsError, match=r"must end in \.toml or \.json"):
        load_settings(path, environ={})


def test_api_key_write_only_in_schema():
    schema = json.loads(settings_schema_text())
    api_key = schema["$defs"]["DigitalRiverSettings"]["properties"]["api_key"]
    assert api_key["writeOnly"] is True


def test_committed_schema_is_current():
    committed = (ROOT / "settings_schema.json").read_text(encoding="utf-8")
    assert committed == settings_schema_text(), (
        "settings_schema.json is out of date: run "
        "`dr-distributor settings-schema > settings_schema.json`"
    )


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"read_timeout": float("inf")}, "digitalriver.read_timeout"),
        ({"connect_timeout": float("nan")}, "digitalriver.connect_timeout"),
        ({"max_retry_seconds": 10_000}, "digitalriver.max_retry_seconds"),
        ({"requests_per_second": 0}, "digitalriver.requests_per_second"),
        ({"api_version": "2021-12-13\r\nX-Injected: 1"}, "digitalriver.api_version"),
    ],
)
def test_unsafe_connection_values_rejected(section, path):
    assert path in error_of({"digitalriver": section})


def test_huge_cost_rejected():
    cost = {
        "distributor": "d1",
        "sku": "A",
        "cost": "1e20",
        "effective_from": "2026-01-01",
    }
    message = error_of({"distributors": [distributor()], "costs": {"table": [cost]}})
    assert "costs.table.0.cost" in message
