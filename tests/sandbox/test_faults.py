"""Fault injection: latency, 5xx share, rate limit, dropped connections, script."""

from __future__ import annotations

import time

import httpx
import pytest

from plugin.sandbox import FaultSettings, SandboxServer, SandboxState
from tests.support.sandbox import SEED_ORDERS, auth_headers

ORDER = "240012340337"
CREATE = {"orderId": ORDER, "items": [{"itemId": "170012340340", "quantity": 1}]}


def set_faults(server, **settings):
    response = httpx.put(f"{server.url}/_sandbox/faults", json=settings)
    assert response.status_code == 200, response.text
    return response.json()


def started(**faults):
    return SandboxServer(
        SandboxState(faults=FaultSettings(**faults)), orders=SEED_ORDERS
    )


def test_latency_delays_answers(sandbox, sandbox_http):
    set_faults(sandbox, latency=0.3)

    started_at = time.monotonic()
    response = sandbox_http.get(f"/orders/{ORDER}")
    elapsed = time.monotonic() - started_at

    assert response.status_code == 200
    assert elapsed >= 0.3


def test_latency_triggers_client_timeout(sandbox):
    set_faults(sandbox, latency=0.5)

    with pytest.raises(httpx.ReadTimeout):
        httpx.get(
            f"{sandbox.url}/orders/{ORDER}", headers=auth_headers(sandbox), timeout=0.1
        )


def test_latency_skips_control_paths(sandbox):
    set_faults(sandbox, latency=1.0)

    started_at = time.monotonic()
    httpx.get(f"{sandbox.url}/_sandbox/faults")

    assert time.monotonic() - started_at < 0.5


def statuses(server, count):
    with httpx.Client(base_url=server.url, headers=auth_headers(server)) as client:
        return [client.get(f"/orders/{ORDER}").status_code for _ in range(count)]


def test_error_rate_repeats_with_seed():
    with started(error_rate=0.5, seed=7) as first:
        first_run = statuses(first, 40)
    with started(error_rate=0.5, seed=7) as second:
        second_run = statuses(second, 40)

    assert first_run == second_run
    assert 5 <= first_run.count(500) <= 35
    assert set(first_run) == {200, 500}


def test_error_rate_extremes():
    with started(error_rate=1.0) as always:
        assert set(statuses(always, 5)) == {500}
    with started(error_rate=0.0) as never:
        assert set(statuses(never, 5)) == {200}


def test_server_error_body(sandbox, sandbox_http):
    set_faults(sandbox, error_rate=1)

    response = sandbox_http.post("/fulfillments", json=CREATE)

    assert response.status_code == 500
    assert response.json()["type"] == "internal_server_error"
    assert sandbox.state.fulfillments == []


def test_rate_limit_answers_429_with_retry_after():
    with (
        started(rate_limit=3) as server,
        httpx.Client(base_url=server.url, headers=auth_headers(server)) as client,
    ):
        responses = [client.get(f"/orders/{ORDER}") for _ in range(5)]

    assert [response.status_code for response in responses[:3]] == [200, 200, 200]
    limited = responses[3]
    assert limited.status_code == 429
    assert limited.json()["type"] == "too_many_requests"
    assert limited.headers["retry-after"] == "1"


def test_rate_limit_recovers_after_retry_after():
    with (
        started(rate_limit=2) as server,
        httpx.Client(base_url=server.url, headers=auth_headers(server)) as client,
    ):
        first = [client.get(f"/orders/{ORDER}").status_code for _ in range(3)]
        time.sleep(int(client.get(f"/orders/{ORDER}").headers["retry-after"]))
        after_wait = client.get(f"/orders/{ORDER}").status_code

    assert first == [200, 200, 429]
    assert after_wait == 200


def test_drop_after_commit_is_transport_error(sandbox):
    set_faults(sandbox, script=["drop_after_commit"])

    with httpx.Client(base_url=sandbox.url, headers=auth_headers(sandbox)) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/fulfillments", json=CREATE)
        listed = client.get("/fulfillments", params={"orderId": ORDER})

    (stored,) = sandbox.state.fulfillments
    assert stored.order_id == ORDER
    assert [entry["id"] for entry in listed.json()["data"]] == [stored.id]
    assert sandbox.state.order(ORDER).items[0].fulfilled_quantity == 1


def test_drop_after_commit_recorded(sandbox):
    set_faults(sandbox, script=["drop_after_commit"])

    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(
            f"{sandbox.url}/fulfillments", json=CREATE, headers=auth_headers(sandbox)
        )

    (record,) = sandbox.state.requests
    assert record.status == 201
    assert record.fault == "drop_after_commit"
    assert record.dropped is True


def test_drop_before_commit_stores_nothing(sandbox):
    set_faults(sandbox, script=["drop_before_commit"])

    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(
            f"{sandbox.url}/fulfillments", json=CREATE, headers=auth_headers(sandbox)
        )

    assert sandbox.state.fulfillments == []
    assert sandbox.state.requests[0].dropped is True


def test_drop_rate_drops_only_successful_creates():
    with (
        started(drop_rate=1.0) as server,
        httpx.Client(base_url=server.url, headers=auth_headers(server)) as client,
    ):
        read = client.get(f"/orders/{ORDER}")
        rejected = client.post("/fulfillments", json={**CREATE, "orderId": "missing"})
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/fulfillments", json=CREATE)
        stored = server.state.fulfillments

    assert read.status_code == 200
    assert rejected.status_code == 404
    assert len(stored) == 1


def test_drop_rate_repeats_with_seed():
    def outcomes(server):
        results = []
        with httpx.Client(base_url=server.url, headers=auth_headers(server)) as client:
            for _ in range(3):
                try:
                    results.append(
                        client.post(
                            "/fulfillments",
                            json={
                                **CREATE,
                                "orderId": "240012340338",
                                "items": [{"itemId": "170012340350", "quantity": 1}],
                            },
                        ).status_code
                    )
                except httpx.RemoteProtocolError:
                    results.append("dropped")
        return results

    with started(drop_rate=0.5, seed=3) as first:
        first_run = outcomes(first)
        first_count = len(first.state.fulfillments)
    with started(drop_rate=0.5, seed=3) as second:
        second_run = outcomes(second)

    assert first_run == second_run
    assert first_count == 3


def test_script_applies_in_order(sandbox, sandbox_http):
    set_faults(
        sandbox, script=["server_error", "ok", "rate_limited", "service_unavailable"]
    )

    codes = [sandbox_http.get(f"/orders/{ORDER}").status_code for _ in range(5)]

    assert codes == [500, 200, 429, 503, 200]


@pytest.mark.parametrize(
    ("name", "status", "error_type"),
    [
        ("server_error", 500, "internal_server_error"),
        ("bad_gateway", 502, "bad_gateway"),
        ("service_unavailable", 503, "service_unavailable"),
        ("gateway_timeout", 504, "gateway_timeout"),
        ("rate_limited", 429, "too_many_requests"),
        ("payment_authorization_failed", 409, "conflict"),
    ],
)
def test_answered_faults(sandbox, sandbox_http, name, status, error_type):
    set_faults(sandbox, script=[name])

    response = sandbox_http.post("/fulfillments", json=CREATE)

    assert response.status_code == status
    assert response.json()["type"] == error_type
    assert sandbox.state.fulfillments == []


def test_payment_authorization_failed_code(sandbox, sandbox_http):
    set_faults(sandbox, script=["payment_authorization_failed"])

    response = sandbox_http.post("/fulfillments", json=CREATE)

    assert response.json()["errors"][0]["code"] == "payment_authorization_failed"


def test_script_overrides_error_rate(sandbox, sandbox_http):
    set_faults(sandbox, error_rate=1, script=["ok"])

    assert sandbox_http.get(f"/orders/{ORDER}").status_code == 200
    assert sandbox_http.get(f"/orders/{ORDER}").status_code == 500


def test_unauthorized_request_keeps_script(sandbox, sandbox_http):
    set_faults(sandbox, script=["server_error"])

    unauthenticated = httpx.get(f"{sandbox.url}/orders/{ORDER}")
    authenticated = sandbox_http.get(f"/orders/{ORDER}")

    assert unauthenticated.status_code == 401
    assert authenticated.status_code == 500


def test_faults_read_back(sandbox):
    written = set_faults(
        sandbox,
        latency=0.01,
        error_rate=0.25,
        rate_limit=25,
        drop_rate=0.1,
        seed=9,
        script=["ok", "server_error"],
    )

    read = httpx.get(f"{sandbox.url}/_sandbox/faults").json()

    expected = {
        "latency": 0.01,
        "error_rate": 0.25,
        "rate_limit": 25,
        "drop_rate": 0.1,
        "seed": 9,
        "script": ["ok", "server_error"],
    }
    assert written == expected
    assert read == expected


def test_script_shrinks_as_used(sandbox, sandbox_http):
    set_faults(sandbox, script=["ok", "server_error"])

    sandbox_http.get(f"/orders/{ORDER}")

    assert httpx.get(f"{sandbox.url}/_sandbox/faults").json()["script"] == [
        "server_error"
    ]


def test_put_replaces_all_settings(sandbox):
    set_faults(sandbox, error_rate=1, seed=4)

    replaced = set_faults(sandbox, latency=0)

    assert replaced == FaultSettings().to_json()


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"error_rate": 1.5}, "error_rate must be a share from 0 to 1"),
        ({"drop_rate": -0.1}, "drop_rate must be a share from 0 to 1"),
        ({"latency": -1}, "latency must be 0 seconds or more"),
        ({"rate_limit": 0}, "rate_limit must be 1 or more"),
        ({"rate_limit": 2.5}, "rate_limit must be an integer"),
        ({"seed": "x"}, "seed must be an integer"),
        ({"latency": "1"}, "latency must be a number"),
        ({"script": ["explode"]}, "unknown fault name(s) in script: explode"),
        ({"script": "server_error"}, "script must be an array"),
        ({"errorRate": 1}, "unknown fault setting(s): errorRate"),
        ([], "must be a JSON object"),
    ],
)
def test_invalid_fault_settings(sandbox, settings, expected):
    response = httpx.put(f"{sandbox.url}/_sandbox/faults", json=settings)

    assert response.status_code == 400
    assert expected in response.json()["errors"][0]["message"]
    assert (
        httpx.get(f"{sandbox.url}/_sandbox/faults").json() == FaultSettings().to_json()
    )


def test_constructor_rejects_bad_settings():
    with pytest.raises(ValueError, match="error_rate"):
        FaultSettings(error_rate=2)
