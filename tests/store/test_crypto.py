"""SecretCipher: Fernet encryption of stored secrets, with key rotation."""

from __future__ import annotations

import pytest

from plugin.store import CipherError, SecretCipher, StoreError


def test_round_trip():
    cipher = SecretCipher(SecretCipher.generate_key())
    sealed = cipher.encrypt("tökén")
    assert sealed != "tökén"
    assert cipher.decrypt(sealed) == "tökén"


def test_encryption_is_randomized():
    cipher = SecretCipher(SecretCipher.generate_key())
    assert cipher.encrypt("same") != cipher.encrypt("same")


@pytest.mark.parametrize("key", ["", " , ", "not-a-key", "c2hvcnQ=", "x" * 44])
def test_malformed_key_rejected(key):
    with pytest.raises(CipherError, match="dr-distributor secret-key"):
        SecretCipher(key)


def test_malformed_key_is_store_error():
    with pytest.raises(StoreError):
        SecretCipher("not-a-key")


def test_malformed_second_key_named():
    with pytest.raises(CipherError, match="key 2 of 2 is malformed"):
        SecretCipher(f"{SecretCipher.generate_key()},broken")


def test_wrong_key_rejected():
    sealed = SecretCipher(SecretCipher.generate_key()).encrypt("secret")
    other = SecretCipher(SecretCipher.generate_key())
    with pytest.raises(CipherError, match="different key"):
        other.decrypt(sealed)


def test_garbage_ciphertext_rejected():
    cipher = SecretCipher(SecretCipher.generate_key())
    with pytest.raises(CipherError):
        cipher.decrypt("plain text, never encrypted")


def test_old_key_still_decrypts_after_rotation():
    old_key, new_key = SecretCipher.generate_key(), SecretCipher.generate_key()
    sealed = SecretCipher(old_key).encrypt("secret")
    rotated = SecretCipher(f"{new_key},{old_key}")
    assert rotated.decrypt(sealed) == "secret"


def test_rotation_encrypts_with_first_key():
    old_key, new_key = SecretCipher.generate_key(), SecretCipher.generate_key()
    sealed = SecretCipher(f"{new_key},{old_key}").encrypt("secret")
    assert SecretCipher(new_key).decrypt(sealed) == "secret"


def test_repr_hides_key():
    key = SecretCipher.generate_key()
    assert key not in repr(SecretCipher(key))
