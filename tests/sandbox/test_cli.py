"""The ``sandbox`` click command, run as a real process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx
from click.testing import CliRunner

from plugin.cli.sandbox import sandbox
from tests.support.paths import ROOT
from tests.support.sandbox import SEED_ORDERS

SCRIPT = "from plugin.cli.sandbox import sandbox; sandbox()"


def test_help_lists_options():
    result = CliRunner().invoke(sandbox, ["--help"])

    assert result.exit_code == 0
    for option in [
        "--host",
        "--port",
        "--orders",
        "--subfulfiller",
        "--latency",
        "--error-rate",
        "--rate-limit",
        "--drop-rate",
        "--seed",
    ]:
        assert option in result.output


def test_invalid_share_rejected():
    result = CliRunner().invoke(sandbox, ["--error-rate", "2"])

    assert result.exit_code == 2
    assert "--error-rate" in result.output


def test_invalid_seed_file_rejected(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text("{}", encoding="utf-8")

    result = CliRunner().invoke(sandbox, ["--orders", str(path)])

    assert result.exit_code == 1
    assert "must be a JSON array" in result.output


def test_serves_seeded_orders(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(SEED_ORDERS), encoding="utf-8")
    command = [
        sys.executable,
        "-c",
        SCRIPT,
        "--port",
        "0",
        "--orders",
        str(path),
        "--subfulfiller",
        "dist-1",
        "--seed",
        "1",
    ]

    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = process.stdout.readline().strip().rsplit(" ", 1)[1]
        key = process.stdout.readline().strip().rsplit(" ", 1)[1]
        headers = {"Authorization": f"Bearer {key}"}
        order = httpx.get(f"{url}/orders/240012340337", headers=headers, timeout=10)
        missing_distributor = httpx.post(
            f"{url}/fulfillments",
            json={
                "orderId": "240012340337",
                "items": [{"itemId": "170012340340", "quantity": 1}],
            },
            headers=headers,
            timeout=10,
        )
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)

    assert url.startswith("http://127.0.0.1:")
    assert key == "sk_test_sandbox"
    assert order.status_code == 200
    assert missing_distributor.status_code == 400
    assert process.returncode == 0
