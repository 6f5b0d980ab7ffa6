"""Verification of the ``Saleor-Signature`` header of a webhook.

Saleor signs each webhook body with a JWS in compact form with a detached,
unencoded payload (RFC 7797): the header is
``{"alg": "RS256", "b64": false, "crit": ["b64"], "kid": ..., "typ": "JWT"}``,
the payload segment is empty, and the signing input is the base64url header,
a dot, and the raw body bytes. The key is the JWKS entry whose ``kid`` matches.

Only RS256 is accepted, so ``none`` and HMAC tokens made with the public key
cannot pass. The RSA verification of ``cryptography`` decides the outcome, and
no comparison of secret bytes happens in Python.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from plugin.saleor.errors import SignatureError, SignatureFailure

__all__ = ["find_public_key", "verify_signature"]

ALGORITHM = "RS256"

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_RS256 = RSAAlgorithm(RSAAlgorithm.SHA256)


def verify_signature(body: bytes, signature: str, jwks: Mapping[str, Any]) -> None:
    """Raise ``SignatureError`` unless ``signature`` is Saleor's JWS over ``body``.

    ``body`` must be the request body exactly as received, because a
    re-serialized JSON document has different bytes. ``jwks`` is the key set
    from ``<saleor origin>/.well-known/jwks.json``. The error's ``reason`` is
    ``UNKNOWN_KEY`` when no key has the header's ``kid``, which is the one
    case where fetching the key set again can help.
    """
    if not signature:
        raise SignatureError(
            SignatureFailure.MISSING, "the Saleor-Signature header is empty"
        )

    header_segment, payload_segment, signature_segment = _split(signature)
    header = _decode_header(header_segment)
    _check_header(header)
    if payload_segment:
        raise SignatureError(
            SignatureFailure.ATTACHED_PAYLOAD,
            "the payload segment must be empty because Saleor detaches the body",
        )

    kid = str(header["kid"])
    key = find_public_key(jwks, kid)
    if key is None:
        raise SignatureError(
            SignatureFailure.UNKNOWN_KEY, f"no key with kid {kid!r} in the Saleor JWKS"
        )

    signing_input = header_segment.encode("ascii") + b"." + body
    if not _RS256.verify(signing_input, key, _decode_segment(signature_segment)):
        raise SignatureError(
            SignatureFailure.INVALID_SIGNATURE,
            f"the signature does not match the body for key {kid!r}",
        )


def find_public_key(jwks: Mapping[str, Any], kid: str) -> RSAPublicKey | None:
    """Return the RSA public key with ``kid`` from a JWKS, or None if there is none.

    Entries that are not RSA signing keys, or that name another algorithm,
    are skipped, so a JWKS that also publishes other keys still works.
    """
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        return None

    for entry in keys:
        if (
            isinstance(entry, Mapping)
            and entry.get("kid") == kid
            and _is_rs256_key(entry)
        ):
            return _load_key(entry)
    return None


def _split(signature: str) -> tuple[str, str, str]:
    parts = signature.split(".")
    if len(parts) != 3:
        raise SignatureError(
            SignatureFailure.MALFORMED,
            f"expected a compact JWS with 3 segments, got {len(parts)}",
        )
    header_segment, payload_segment, signature_segment = parts
    return header_segment, payload_segment, signature_segment


def _decode_segment(segment: str) -> bytes:
    if not segment or _BASE64URL.fullmatch(segment) is None:
        raise SignatureError(
            SignatureFailure.MALFORMED, "a JWS segment is not base64url"
        )
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as error:
        raise SignatureError(
            SignatureFailure.MALFORMED, "a JWS segment is not base64url"
        ) from error


def _decode_header(segment: str) -> dict[str, Any]:
    raw = _decode_segment(segment)
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise SignatureError(
            SignatureFailure.MALFORMED, "the JWS header is not JSON"
        ) from error
    if not isinstance(header, dict):
        raise SignatureError(
            SignatureFailure.MALFORMED, "the JWS header is not a JSON object"
        )
    return header


def _check_header(header: Mapping[str, Any]) -> None:
    algorithm = header.get("alg")
    if algorithm != ALGORITHM:
        raise SignatureError(
            SignatureFailure.UNSUPPORTED_ALGORITHM,
            f"algorithm {algorithm!r} is not accepted, only {ALGORITHM}",
        )

    # RFC 7797: a detached unencoded payload needs "b64": false, and "b64"
    # must be listed in "crit". RFC 7515 requires rejecting any other critical
    # extension that this code does not implement.
    if header.get("b64") is not False:
        raise SignatureError(
            SignatureFailure.MALFORMED, 'the JWS header lacks "b64": false'
        )
    if header.get("crit") != ["b64"]:
        raise SignatureError(
            SignatureFailure.MALFORMED, 'the JWS header "crit" must be exactly ["b64"]'
        )

    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise SignatureError(SignatureFailure.MALFORMED, 'the JWS header has no "kid"')


def _is_rs256_key(entry: Mapping[str, Any]) -> bool:
    if entry.get("kty") != "RSA":
        return False
    if entry.get("alg", ALGORITHM) != ALGORITHM:
        return False
    if entry.get("use", "sig") != "sig":
        return False
    key_ops = entry.get("key_ops")
    return key_ops is None or (isinstance(key_ops, list) and "verify" in key_ops)


def _load_key(entry: Mapping[str, Any]) -> RSAPublicKey | None:
    try:
        key = RSAAlgorithm.from_jwk(dict(entry))
    except (InvalidKeyError, ValueError, TypeError):
        return None
    return key if isinstance(key, RSAPublicKey) else None
