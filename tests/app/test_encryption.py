"""With a secret key, webhook bodies are stored encrypted."""

import json
import sqlite3

from plugin.store import SecretCipher
from tests.support.app import AppServer, app_settings, make_state
from tests.support.payloads import Line, fulfillment_created, sandbox_order


def test_stored_payload_encrypted(tmp_path, saleor, sandbox):
    cipher = SecretCipher(SecretCipher.generate_key())
    state = make_state(tmp_path, app_settings(sandbox), cipher=cipher)
    server = AppServer(state).start()
    try:
        assert server.register(saleor).status_code == 200
        body = fulfillment_created([Line("TEE", 2, item_id="it-1")])
        saleor.add_from_payload(body)
        sandbox.add_order(sandbox_order(body))
        server.deliver(saleor, json.dumps(body).encode())
        server.wait_for_jobs({"succeeded"})
    finally:
        server.stop()

    with sqlite3.connect(tmp_path / "app.sqlite3") as database:
        (stored,) = database.execute("SELECT payload FROM jobs").fetchone()
    assert stored.startswith("fernet:")
    assert "shopper@example.com" not in stored
    assert len(sandbox.state.fulfillments) == 1
