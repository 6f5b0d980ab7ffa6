"""``dr-distributor process`` through the installed console script."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import EXAMPLES, ROOT

SCRIPT = Path(sys.executable).parent / "dr-distributor"


def run(*arguments, stdin=None, env=None):
    environment = {
        key: value for key, value in os.environ.items() if key != "DIGITALRIVER_API_KEY"
    }
    environment.update(env or {})
    return subprocess.run(
        [str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        input=stdin,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_example_splits_by_currency():
    result = run(
        "process",
        "examples/fulfillment_created.json",
        "--settings",
        "examples/settings.toml",
    )

    assert result.returncode == 0, result.stderr
    assert "started the bundled sandbox at http://127.0.0.1:" in result.stderr
    assert "EUR: Digital River fulfillment ful_" in result.stdout
    assert "USD: Digital River fulfillment ful_" in result.stdout
    assert "dist-rotterdam-footwear" in result.stdout
    assert "9.99" in result.stdout
    assert "Sent 2 Digital River fulfillment(s)." in result.stdout


def test_payload_from_stdin():
    payload = (EXAMPLES / "fulfillment_created.json").read_text()

    result = run("process", "-", "--settings", "examples/settings.toml", stdin=payload)

    assert result.returncode == 0, result.stderr


def test_unroutable_line_exits_nonzero(tmp_path):
    settings = (
        (EXAMPLES / "settings.toml")
        .read_text()
        .replace('default_distributor = "dist-reno-apparel"', "")
        .replace('warehouse = "reno-dc"', 'warehouse = "elsewhere"')
    )
    path = tmp_path / "settings.toml"
    path.write_text(settings)

    result = run(
        "process", "examples/fulfillment_created.json", "--settings", str(path)
    )

    assert result.returncode == 1
    assert "SKU TEE-MONO-M" in result.stdout
    assert "no distributor" in result.stdout
    assert "ful_" not in result.stdout


def test_invalid_settings_exit_nonzero(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(
        '[[distributors]]\nid = "d"\nname = "D"\ncurrency = "EURO"\naddress = { lines = ["x"], city = "c", country = "US" }\n'
    )

    result = run(
        "process", "examples/fulfillment_created.json", "--settings", str(path)
    )

    assert result.returncode == 1
    assert "distributors.0.currency" in result.stderr


def test_malformed_payload_exit_nonzero(tmp_path):
    path = tmp_path / "payload.json"
    path.write_text(json.dumps({"fulfillment": {"id": "x"}}))

    result = run("process", str(path), "--settings", "examples/settings.toml")

    assert result.returncode == 1
    assert "webhook body lacks required fields" in result.stderr


def test_missing_payload_file_named():
    result = run("process", "absent.json", "--settings", "examples/settings.toml")

    assert result.returncode == 1
    assert "absent.json" in result.stderr


def test_settings_schema_command_prints_committed_schema():
    result = run("settings-schema")

    assert result.returncode == 0
    assert result.stdout == (ROOT / "settings_schema.json").read_text()


def test_api_key_not_printed_on_failure(tmp_path):
    settings = (
        (EXAMPLES / "settings.toml")
        .read_text()
        .replace(
            "requests_per_second = 20",
            'requests_per_second = 20\nbase_url = "http://127.0.0.1:9"\nmax_attempts = 1\nconnect_timeout = 0.5',
        )
    )
    path = tmp_path / "settings.toml"
    path.write_text(settings)

    result = run(
        "--log-level",
        "debug",
        "process",
        "examples/fulfillment_created.json",
        "--settings",
        str(path),
        env={"DIGITALRIVER_API_KEY": "sk_test_topsecret123"},
    )

    assert result.returncode == 1
    assert "sk_test_topsecret123" not in result.stdout + result.stderr


def test_database_costs_and_ledger(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    costs = tmp_path / "costs.csv"
    costs.write_text(
        "distributor,sku,currency,cost,effective_from\n"
        "dist-reno-apparel,TEE-MONO-M,USD,1.11,2026-01-01\n"
    )
    assert run("costs", "import", str(costs), "--database", url).returncode == 0

    result = run(
        "process",
        "examples/fulfillment_created.json",
        "--settings",
        "examples/settings.toml",
        "--database",
        url,
    )

    assert result.returncode == 0, result.stderr
    assert "2.22" in result.stdout
    ledger = run("ledger", "export", "--database", url, "--format", "json")
    items = json.loads(ledger.stdout)["items"]
    assert len(items) == 3
    assert {item["sku"] for item in items} == {
        "TEE-MONO-M",
        "PLIM-BLUE-42",
        "CAP-CANVAS",
    }
