"""Encryption of stored secrets (installation tokens and settings) with Fernet.

A key string contains one or more Fernet keys separated by commas. The first
key encrypts, and every key is tried when decrypting, so a key can be rotated by
putting the new key first and keeping the old one after it until every row
has been written again.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from plugin.store.errors import CipherError

__all__ = ["SecretCipher"]


class SecretCipher:
    """Encrypt and decrypt text with Fernet (AES-128-CBC with an HMAC-SHA256)."""

    def __init__(self, key: str) -> None:
        fernets = _parse_keys(key)
        self._fernet = MultiFernet(fernets)
        self._key_count = len(fernets)

    def __repr__(self) -> str:
        return f"SecretCipher(keys={self._key_count})"

    @staticmethod
    def generate_key() -> str:
        """Return a new random Fernet key as URL-safe base64 text."""
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, plaintext: str) -> str:
        """Encrypt UTF-8 text with the first key and return the Fernet token."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """Decrypt a Fernet token with any of the keys, or raise CipherError when none fits."""
        try:
            plaintext = self._fernet.decrypt(ciphertext.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise CipherError(
                "cannot decrypt a stored secret: it was encrypted with a different "
                "key or is corrupt. Supply the key it was stored with"
            ) from None
        return plaintext.decode("utf-8")


def _parse_keys(key: str) -> list[Fernet]:
    parts = [part.strip() for part in key.split(",")]
    if not any(parts):
        raise CipherError(
            "the encryption key is empty: supply a Fernet key as made by "
            "`dr-distributor secret-key`"
        )

    fernets = []
    for position, part in enumerate(parts, start=1):
        try:
            fernets.append(Fernet(part))
        except ValueError:
            raise CipherError(
                f"encryption key {position} of {len(parts)} is malformed: a Fernet "
                "key is 32 bytes in URL-safe base64 (44 characters), as made by "
                "`dr-distributor secret-key`"
            ) from None
    return fernets
