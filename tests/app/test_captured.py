"""Real deliveries recorded from Saleor 3.24, replayed with their signatures."""

import base64
import json

import httpx
import pytest

from plugin.app.config import WEBHOOK_PATH
from tests.support.app import AppServer, app_settings, make_state
from tests.support.fixtures import captured_delivery

CREATED = ["fulfillment_created_single_line", "fulfillment_created_multi_line"]


@pytest.fixture
def replay_server(tmp_path, sandbox):
    state = make_state(tmp_path, app_settings(sandbox), run_worker=False)
    capture = captured_delivery(CREATED[0])
    state.store.save_installation(
        capture["request"]["headers"]["Saleor-Api-Url"],
        "QXBwOjE=",
        "token-unused",
        json.dumps(capture["jwks"]),
    )
    state = make_state(tmp_path, app_settings(sandbox), run_worker=False)
    server = AppServer(state).start()
    yield server
    server.stop()


def replay(server, capture, body=None):
    headers = {
        name: value
        for name, value in capture["request"]["headers"].items()
        if name.lower()
        in {
            "saleor-event",
            "saleor-api-url",
            "saleor-signature",
            "saleor-domain",
            "content-type",
        }
    }
    raw = body if body is not None else base64.b64decode(capture["raw_body_b64"])
    return httpx.post(server.url + WEBHOOK_PATH, content=raw, headers=headers)


@pytest.mark.parametrize("name", CREATED)
def test_captured_delivery_accepted(replay_server, name):
    response = replay(replay_server, captured_delivery(name))

    assert response.status_code == 200
    assert response.json()["duplicate"] is False


@pytest.mark.parametrize("name", CREATED)
def test_captured_delivery_with_changed_byte_rejected(replay_server, name):
    capture = captured_delivery(name)
    raw = bytearray(base64.b64decode(capture["raw_body_b64"]))
    raw[len(raw) // 2] ^= 0x01

    response = replay(replay_server, capture, bytes(raw))

    assert response.status_code == 401
    assert replay_server.state.store.list_jobs() == []
