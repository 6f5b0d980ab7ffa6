"""Installing the app: allow-list, token check, idempotent re-install."""

import json

from tests.support.app import AppServer, app_settings, make_state


def test_register_stores_installation(app_server, saleor):
    response = app_server.register(saleor)

    assert response.status_code == 200
    installation = app_server.state.store.get_installation(saleor.api_url)
    assert installation.app_id == saleor.app_id
    assert json.loads(installation.jwks)["keys"][0]["kid"] == saleor.kid


def test_register_outside_allow_list_rejected(tmp_path, saleor, sandbox):
    state = make_state(
        tmp_path, app_settings(sandbox), allow_loopback=False, run_worker=False
    )
    server = AppServer(state).start()
    try:
        response = server.register(saleor)
    finally:
        server.stop()

    assert response.status_code == 403
    assert "not allowed" in response.json()["error"]["message"]
    assert state.store.list_installations() == []
    assert sum(saleor.requests.values()) == 0


def test_register_with_pattern_allowed(tmp_path, saleor, sandbox):
    pattern = f"http://127.0.0.1:{saleor.port}/graphql/"
    state = make_state(
        tmp_path,
        app_settings(sandbox),
        allow_loopback=False,
        allowed_saleor_urls=(pattern,),
        run_worker=False,
    )
    server = AppServer(state).start()
    try:
        response = server.register(saleor)
    finally:
        server.stop()

    assert response.status_code == 200


def test_register_with_bad_token_rejected(app_server, saleor):
    response = app_server.register(saleor, token="not-a-token")

    assert response.status_code == 400
    assert "error" in response.json()
    assert app_server.state.store.list_installations() == []


def test_register_without_api_url_rejected(app_server):
    import httpx

    response = httpx.post(app_server.url + "/api/register", json={"auth_token": "x"})

    assert response.status_code == 400


def test_repeated_install_replaces_token(app_server, saleor):
    first = saleor.issue_app_token()
    second = saleor.issue_app_token()

    app_server.register(saleor, first)
    app_server.register(saleor, second)

    (installation,) = app_server.state.store.list_installations()
    assert installation.token.get_secret_value() == second


def test_health_and_readiness(app_server):
    import httpx

    assert httpx.get(app_server.url + "/healthz").json() == {"status": "ok"}
    assert httpx.get(app_server.url + "/readyz").json() == {"status": "ok"}


def test_metrics_exposed(app_server, saleor):
    import httpx

    app_server.register(saleor)
    text = httpx.get(app_server.url + "/metrics").text

    assert "dr_distributor_jobs" in text
    assert "dr_distributor_oldest_due_job_age_seconds" in text
