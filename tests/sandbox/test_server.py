"""SandboxServer: start, stop, URL and context-manager use."""

from __future__ import annotations

import socket

import httpx
import pytest

from plugin.sandbox import SandboxError, SandboxServer, SandboxState


def test_url_is_loopback_with_free_port():
    with SandboxServer() as server:
        host, port = server.url.removeprefix("http://").split(":")

    assert host == "127.0.0.1"
    assert int(port) > 0


def test_start_returns_when_serving():
    server = SandboxServer().start()
    try:
        response = httpx.get(f"{server.url}/_sandbox/faults")
    finally:
        server.stop()

    assert response.status_code == 200


def test_stop_closes_port():
    server = SandboxServer().start()
    address = server.url.removeprefix("http://").split(":")
    server.stop()

    with (
        pytest.raises(OSError),
        socket.create_connection((address[0], int(address[1])), timeout=1),
    ):
        pass


def test_two_servers_get_distinct_ports():
    with SandboxServer() as first, SandboxServer() as second:
        assert first.url != second.url


def test_state_shared_with_tests():
    state = SandboxState()
    with SandboxServer(state) as server:
        server.add_order(
            {
                "id": "o",
                "currency": "USD",
                "items": [{"id": "i", "skuId": "s", "quantity": 1}],
            }
        )

        response = httpx.get(
            f"{server.url}/orders/o",
            headers={"Authorization": f"Bearer {server.api_key}"},
        )

    assert response.status_code == 200
    assert server.state is state


def test_default_api_key():
    assert SandboxServer().api_key == "sk_test_sandbox"


def test_start_twice_fails():
    with (
        SandboxServer() as server,
        pytest.raises(SandboxError, match="already started"),
    ):
        server.start()


def test_taken_port_fails_clearly():
    with SandboxServer() as server:
        port = int(server.url.rsplit(":", 1)[1])
        with pytest.raises(SandboxError, match=f"cannot listen on 127.0.0.1:{port}"):
            SandboxServer(port=port).start()
