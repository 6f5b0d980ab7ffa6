"""Installations: upsert on reinstall, settings and JWKS updates, encryption at rest."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from plugin.store import CipherError, RecordNotFound, SecretCipher, Store, StoreError
from tests.store.raw import raw_rows

API_URL = "https://shop.example.com/graphql/"
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(hours=1)
JWKS = json.dumps({"keys": [{"kid": "k1", "kty": "RSA", "n": "abc", "e": "AQAB"}]})
SETTINGS = json.dumps({"digitalriver": {"api_key": "sk_test_123"}})


def test_save_then_get(store):
    store.save_installation(API_URL, "app-1", "token-1", JWKS, SETTINGS, now=T0)
    installation = store.get_installation(API_URL)
    assert installation is not None
    assert installation.app_id == "app-1"
    assert installation.token.get_secret_value() == "token-1"
    assert installation.jwks == JWKS
    assert installation.settings == SETTINGS
    assert installation.created_at == T0
    assert installation.updated_at == T0


def test_get_unknown_returns_none(store):
    assert store.get_installation(API_URL) is None


def test_reinstall_replaces_token(store):
    store.save_installation(API_URL, "app-1", "token-1", JWKS, SETTINGS, now=T0)
    store.save_installation(API_URL, "app-2", "token-2", now=T1)
    installation = store.get_installation(API_URL)
    assert installation.token.get_secret_value() == "token-2"
    assert installation.app_id == "app-2"
    assert installation.created_at == T0
    assert installation.updated_at == T1


def test_reinstall_keeps_jwks_and_settings(store):
    store.save_installation(API_URL, "app-1", "token-1", JWKS, SETTINGS, now=T0)
    store.save_installation(API_URL, "app-1", "token-2", now=T1)
    installation = store.get_installation(API_URL)
    assert installation.jwks == JWKS
    assert installation.settings == SETTINGS


def test_token_hidden_in_repr(store):
    installation = store.save_installation(API_URL, "app-1", "token-secret", now=T0)
    assert "token-secret" not in repr(installation)
    assert "token-secret" not in str(installation.token)


def test_list_ordered_by_url(store):
    store.save_installation("https://b.example.com/graphql/", "app", "t", now=T0)
    store.save_installation("https://a.example.com/graphql/", "app", "t", now=T0)
    urls = [installation.saleor_api_url for installation in store.list_installations()]
    assert urls == ["https://a.example.com/graphql/", "https://b.example.com/graphql/"]


def test_update_settings(store):
    store.save_installation(API_URL, "app-1", "token-1", now=T0)
    updated = store.update_installation_settings(API_URL, SETTINGS, now=T1)
    assert updated.settings == SETTINGS
    assert updated.updated_at == T1
    assert store.get_installation(API_URL).settings == SETTINGS


def test_update_settings_none_clears(store):
    store.save_installation(API_URL, "app-1", "token-1", settings=SETTINGS, now=T0)
    store.update_installation_settings(API_URL, None, now=T1)
    assert store.get_installation(API_URL).settings is None


def test_update_settings_unknown_raises(store):
    with pytest.raises(RecordNotFound, match="no installation"):
        store.update_installation_settings(API_URL, SETTINGS)


def test_update_jwks(store):
    store.save_installation(API_URL, "app-1", "token-1", now=T0)
    updated = store.update_jwks(API_URL, JWKS, now=T1)
    assert updated.jwks == JWKS
    assert updated.token.get_secret_value() == "token-1"


def test_update_jwks_unknown_raises(store):
    with pytest.raises(RecordNotFound):
        store.update_jwks(API_URL, JWKS)


def test_invalid_json_rejected(store):
    with pytest.raises(ValueError, match="settings is not valid JSON"):
        store.save_installation(API_URL, "app-1", "token-1", settings="{oops", now=T0)


def test_naive_time_rejected(store):
    with pytest.raises(ValueError, match="no time zone"):
        store.save_installation(API_URL, "app-1", "t", now=dt.datetime(2024, 5, 1))


def test_delete(store):
    store.save_installation(API_URL, "app-1", "token-1", now=T0)
    assert store.delete_installation(API_URL) is True
    assert store.get_installation(API_URL) is None
    assert store.delete_installation(API_URL) is False


def test_default_now_is_aware(store):
    installation = store.save_installation(API_URL, "app-1", "token-1")
    assert installation.created_at.tzinfo is not None


def test_encrypted_token_not_stored_in_plaintext(store_url):
    cipher = SecretCipher(SecretCipher.generate_key())
    with Store.open(store_url, cipher=cipher) as encrypted:
        encrypted.save_installation(
            API_URL, "app-1", "token-plain", JWKS, SETTINGS, now=T0
        )
    row = raw_rows(store_url, "SELECT token, settings FROM installations")[0]
    assert "token-plain" not in row["token"]
    assert "sk_test_123" not in row["settings"]


def test_encrypted_token_decrypts_back(store_url):
    key = SecretCipher.generate_key()
    with Store.open(store_url, cipher=SecretCipher(key)) as encrypted:
        encrypted.save_installation(
            API_URL, "app-1", "token-plain", JWKS, SETTINGS, now=T0
        )
    with Store.open(store_url, cipher=SecretCipher(key)) as reopened:
        installation = reopened.get_installation(API_URL)
    assert installation.token.get_secret_value() == "token-plain"
    assert installation.settings == SETTINGS


def test_wrong_key_gives_store_error(store_url):
    with Store.open(
        store_url, cipher=SecretCipher(SecretCipher.generate_key())
    ) as first:
        first.save_installation(API_URL, "app-1", "token-plain", now=T0)
    wrong = SecretCipher(SecretCipher.generate_key())
    with (
        Store.open(store_url, cipher=wrong) as second,
        pytest.raises(StoreError, match="different encryption key") as raised,
    ):
        second.get_installation(API_URL)
    assert isinstance(raised.value, CipherError)
    assert API_URL in str(raised.value)


def test_encrypted_row_without_cipher_rejected(store_url):
    with Store.open(
        store_url, cipher=SecretCipher(SecretCipher.generate_key())
    ) as first:
        first.save_installation(API_URL, "app-1", "token-plain", now=T0)
    with (
        Store.open(store_url) as plain,
        pytest.raises(CipherError, match="is encrypted"),
    ):
        plain.get_installation(API_URL)


def test_plain_row_encrypted_on_next_write(store, store_url):
    store.save_installation(API_URL, "app-1", "token-plain", settings=SETTINGS, now=T0)
    cipher = SecretCipher(SecretCipher.generate_key())
    with Store.open(store_url, cipher=cipher) as encrypted:
        assert encrypted.get_installation(API_URL).settings == SETTINGS
        encrypted.update_jwks(API_URL, JWKS, now=T1)
        installation = encrypted.get_installation(API_URL)

    row = raw_rows(store_url, "SELECT token, settings FROM installations")[0]
    assert "token-plain" not in row["token"]
    assert "sk_test_123" not in row["settings"]
    assert installation.token.get_secret_value() == "token-plain"
    assert installation.settings == SETTINGS
