"""The app over real HTTP: install, signed webhook, job, Digital River, report."""

import json
import logging

import httpx
from graphql import parse, validate

from plugin.app.config import APP_ID
from plugin.sandbox.faults import FaultSettings
from tests.support.payloads import Line, fulfillment_created, sandbox_order
from tests.support.saleor_double import saleor_schema


def installed(app_server, saleor, sandbox, lines=None, **payload_options):
    """Register the app, and return a payload whose order exists in both doubles."""
    assert app_server.register(saleor).status_code == 200
    body = fulfillment_created(
        lines or [Line("TEE", 2, item_id="it-1")], **payload_options
    )
    saleor.add_from_payload(body)
    sandbox.add_order(sandbox_order(body))
    return body, json.dumps(body).encode()


def mutations(saleor, name):
    return [mutation for mutation in saleor.mutations if mutation.name == name]


def test_manifest_lists_webhook_and_urls(app_server):
    manifest = httpx.get(app_server.url + "/api/manifest").json()

    assert manifest["id"] == APP_ID
    assert "MANAGE_ORDERS" in manifest["permissions"]
    assert manifest["tokenTargetUrl"] == "http://127.0.0.1:1/api/register"
    (webhook,) = manifest["webhooks"]
    assert webhook["asyncEvents"] == ["FULFILLMENT_CREATED"]
    assert webhook["targetUrl"] == "http://127.0.0.1:1/api/webhooks/fulfillment-created"
    assert validate(saleor_schema(), parse(webhook["query"])) == []
    logo = manifest["brand"]["logo"]["default"].replace(
        "http://127.0.0.1:1", app_server.url
    )
    assert httpx.get(logo).content.startswith(b"\x89PNG")


def test_full_flow(app_server, saleor, sandbox):
    _body, raw = installed(app_server, saleor, sandbox)

    response = app_server.deliver(saleor, raw)

    assert response.status_code == 200
    (_job,) = app_server.wait_for_jobs({"succeeded"})
    (fulfillment,) = sandbox.state.fulfillments
    assert fulfillment.request.items[0].subfulfiller_id == "dist-a"
    (note,) = mutations(saleor, "orderNoteAdd")
    assert fulfillment.id in note.variables["message"]
    (metadata,) = mutations(saleor, "updatePrivateMetadata")
    values = {item["key"]: item["value"] for item in metadata.variables["input"]}
    assert values["digitalriver.status"] == "succeeded"
    assert values["digitalriver.fulfillmentIds"] == fulfillment.id
    assert [row.dr_fulfillment_id for row in app_server.state.store.iter_ledger()] == [
        fulfillment.id
    ]


def test_duplicate_delivery_makes_one_job(app_server, saleor, sandbox):
    _, raw = installed(app_server, saleor, sandbox)

    first = app_server.deliver(saleor, raw)
    second = app_server.deliver(saleor, raw)

    assert first.json()["duplicate"] is False
    assert second.status_code == 200
    assert second.json() == {"job": first.json()["job"], "duplicate": True}
    app_server.wait_for_jobs({"succeeded"})
    assert len(app_server.state.store.list_jobs()) == 1
    assert len(sandbox.state.fulfillments) == 1


def test_changed_byte_rejected(app_server, saleor, sandbox):
    _, raw = installed(app_server, saleor, sandbox)
    headers = saleor.webhook_headers(raw)
    tampered = raw.replace(b'"quantity": 2', b'"quantity": 3', 1)

    response = httpx.post(
        app_server.url + "/api/webhooks/fulfillment-created",
        content=tampered,
        headers=headers,
    )

    assert response.status_code == 401
    assert app_server.state.store.list_jobs() == []


def test_missing_signature_rejected(app_server, saleor, sandbox):
    _, raw = installed(app_server, saleor, sandbox)

    response = app_server.deliver(
        saleor, raw, **{"Saleor-Signature": "", "X-Saleor-Signature": ""}
    )

    assert response.status_code == 401
    assert app_server.state.store.list_jobs() == []


def test_unknown_installation_rejected(app_server, saleor):
    raw = json.dumps(fulfillment_created([Line("TEE", item_id="i")])).encode()

    response = app_server.deliver(saleor, raw)

    assert response.status_code == 401
    assert "install the app" in response.json()["error"]["message"]


def test_wrong_event_rejected(app_server, saleor, sandbox):
    _, raw = installed(app_server, saleor, sandbox)

    response = app_server.deliver(saleor, raw, **{"Saleor-Event": "order_created"})

    assert response.status_code == 400
    assert app_server.state.store.list_jobs() == []


def test_malformed_body_rejected_with_reason(app_server, saleor, sandbox):
    installed(app_server, saleor, sandbox)
    raw = json.dumps({"fulfillment": {"id": "F"}, "order": {"id": "O"}}).encode()

    response = app_server.deliver(saleor, raw)

    assert response.status_code == 400
    assert "fulfillment.lines" in response.json()["error"]["message"]
    assert app_server.state.store.list_jobs() == []


def test_body_with_graphql_errors_rejected(app_server, saleor, sandbox):
    installed(app_server, saleor, sandbox)
    body = fulfillment_created([Line("TEE", item_id="i")])
    body["errors"] = [
        {
            "message": "You need one of: MANAGE_ORDERS",
            "path": ["order", "privateMetadata"],
        }
    ]

    response = app_server.deliver(saleor, json.dumps(body).encode())

    assert response.status_code == 400
    assert "MANAGE_ORDERS" in response.json()["error"]["message"]


def test_oversized_body_rejected(app_server, saleor, sandbox):
    installed(app_server, saleor, sandbox)
    raw = b'{"pad": "' + b"x" * (3 * 1024 * 1024) + b'"}'

    response = app_server.deliver(saleor, raw)

    assert response.status_code == 413
    assert app_server.state.store.list_jobs() == []


def test_dr_outage_then_recovery(app_server, saleor, sandbox):
    _, raw = installed(app_server, saleor, sandbox)
    sandbox.state.faults.configure(FaultSettings(script=("server_error",) * 7))

    app_server.deliver(saleor, raw)

    (job,) = app_server.wait_for_jobs({"succeeded"})
    assert job.attempts >= 2
    assert len(sandbox.state.fulfillments) == 1
    assert len(mutations(saleor, "orderNoteAdd")) == 1


def test_dr_bad_request_fails_job_with_note(app_server, saleor, sandbox):
    _, raw = installed(app_server, saleor, sandbox)
    # The order has 2 units; a second fulfillment of 2 more is over the limit.
    app_server.deliver(saleor, raw)
    app_server.wait_for_jobs({"succeeded"})
    other = fulfillment_created(
        [Line("TEE", 2, item_id="it-1")], order_id="240000000001"
    )
    saleor.add_from_payload(other)

    app_server.deliver(saleor, json.dumps(other).encode())

    jobs = app_server.wait_for_jobs({"failed"})
    failed = next(job for job in jobs if job.status.value == "failed")
    assert failed.attempts == 1
    assert len(sandbox.state.fulfillments) == 1
    note = mutations(saleor, "orderNoteAdd")[-1].variables["message"]
    assert "FAILED" in note
    metadata = mutations(saleor, "updatePrivateMetadata")[-1].variables["input"]
    assert {"key": "digitalriver.status", "value": "failed"} in metadata


def test_saleor_unreachable_retries_report_only(app_server, saleor, sandbox):
    _, raw = installed(app_server, saleor, sandbox)
    saleor.fail_next(2, status=502)

    app_server.deliver(saleor, raw)

    (job,) = app_server.wait_for_jobs({"succeeded"})
    assert job.attempts >= 2
    assert len(sandbox.state.fulfillments) == 1
    assert len(mutations(saleor, "updatePrivateMetadata")) == 1


def test_logs_hold_no_secrets(app_server, saleor, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    token = saleor.issue_app_token()
    assert app_server.register(saleor, token).status_code == 200
    body = fulfillment_created([Line("TEE", 2, item_id="it-1")])
    saleor.add_from_payload(body)
    sandbox.add_order(sandbox_order(body))
    raw = json.dumps(body).encode()
    signature = saleor.sign(raw)

    app_server.deliver(saleor, raw)
    app_server.wait_for_jobs({"succeeded"})

    assert token not in caplog.text
    assert sandbox.api_key not in caplog.text
    assert signature.split("..")[1] not in caplog.text
    assert "shopper@example.com" not in caplog.text
