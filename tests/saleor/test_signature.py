"""Webhook signature verification against real Saleor deliveries and the double."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from jwt import api_jws

from plugin.saleor.errors import SignatureError, SignatureFailure
from plugin.saleor.signature import find_public_key, verify_signature
from tests.support.saleor_double import SaleorDouble, SigningKey


def raw_body(delivery: dict[str, Any]) -> bytes:
    return base64.b64decode(delivery["raw_body_b64"])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws_with_header(header: dict[str, Any], signature: bytes = b"sig") -> str:
    encoded = b64url(json.dumps(header, separators=(",", ":")).encode())
    return f"{encoded}..{b64url(signature)}"


def rejection(body: bytes, signature: str, jwks: dict[str, Any]) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verify_signature(body, signature, jwks)
    return caught.value


def test_captured_delivery_verifies(delivery: dict[str, Any]) -> None:
    body = raw_body(delivery)
    headers = delivery["request"]["headers"]

    verify_signature(body, headers["Saleor-Signature"], delivery["jwks"])


def test_captured_body_matches_raw_body_text(delivery: dict[str, Any]) -> None:
    assert raw_body(delivery) == delivery["raw_body"].encode("utf-8")
    assert len(raw_body(delivery)) == delivery["raw_body_length"]


def test_deprecated_header_carries_same_signature(delivery: dict[str, Any]) -> None:
    headers = delivery["request"]["headers"]

    assert headers["X-Saleor-Signature"] == headers["Saleor-Signature"]


@pytest.mark.parametrize("position", [0, 100, -2])
def test_changed_byte_fails(delivery: dict[str, Any], position: int) -> None:
    body = bytearray(raw_body(delivery))
    body[position] ^= 0x01
    signature = delivery["request"]["headers"]["Saleor-Signature"]

    error = rejection(bytes(body), signature, delivery["jwks"])

    assert error.reason is SignatureFailure.INVALID_SIGNATURE


def test_reserialized_body_fails(delivery: dict[str, Any]) -> None:
    compact = json.dumps(delivery["json"], separators=(",", ":")).encode()
    signature = delivery["request"]["headers"]["Saleor-Signature"]

    error = rejection(compact, signature, delivery["jwks"])

    assert error.reason is SignatureFailure.INVALID_SIGNATURE


def test_trailing_newline_fails(delivery: dict[str, Any]) -> None:
    signature = delivery["request"]["headers"]["Saleor-Signature"]

    error = rejection(raw_body(delivery) + b"\n", signature, delivery["jwks"])

    assert error.reason is SignatureFailure.INVALID_SIGNATURE


def test_kid_missing_from_jwks_fails(delivery: dict[str, Any]) -> None:
    jwks = {"keys": [dict(delivery["jwks"]["keys"][0], kid="another-kid")]}
    signature = delivery["request"]["headers"]["Saleor-Signature"]

    error = rejection(raw_body(delivery), signature, jwks)

    assert error.reason is SignatureFailure.UNKNOWN_KEY


def test_changed_kid_in_header_fails(delivery: dict[str, Any]) -> None:
    header_segment, _, signature_segment = delivery["request"]["headers"][
        "Saleor-Signature"
    ].split(".")
    header = json.loads(base64.urlsafe_b64decode(header_segment + "=="))
    header["kid"] = "made-up"
    signature = f"{b64url(json.dumps(header).encode())}..{signature_segment}"

    error = rejection(raw_body(delivery), signature, delivery["jwks"])

    assert error.reason is SignatureFailure.UNKNOWN_KEY


def test_other_key_under_same_kid_fails(delivery: dict[str, Any]) -> None:
    impostor = SigningKey.generate()
    kid = delivery["signature"]["jws_protected_header"]["kid"]
    jwks = {"keys": [dict(impostor.jwk, kid=kid)]}
    signature = delivery["request"]["headers"]["Saleor-Signature"]

    error = rejection(raw_body(delivery), signature, jwks)

    assert error.reason is SignatureFailure.INVALID_SIGNATURE


def test_attached_payload_fails(delivery: dict[str, Any]) -> None:
    body = raw_body(delivery)
    header_segment, _, signature_segment = delivery["request"]["headers"][
        "Saleor-Signature"
    ].split(".")
    signature = f"{header_segment}.{b64url(body)}.{signature_segment}"

    error = rejection(body, signature, delivery["jwks"])

    assert error.reason is SignatureFailure.ATTACHED_PAYLOAD


def test_alg_none_rejected(delivery: dict[str, Any]) -> None:
    kid = delivery["signature"]["jws_protected_header"]["kid"]
    header = {"alg": "none", "b64": False, "crit": ["b64"], "kid": kid, "typ": "JWT"}
    signature = jws_with_header(header, signature=b"")

    error = rejection(raw_body(delivery), signature, delivery["jwks"])

    assert error.reason is SignatureFailure.UNSUPPORTED_ALGORITHM


def test_hs256_with_public_key_rejected(delivery: dict[str, Any]) -> None:
    body = raw_body(delivery)
    jwk = delivery["jwks"]["keys"][0]
    key = find_public_key(delivery["jwks"], jwk["kid"])
    assert key is not None
    public_pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "b64": False, "crit": ["b64"], "kid": jwk["kid"]}
    header_segment = b64url(json.dumps(header, separators=(",", ":")).encode())
    mac = hmac.new(public_pem, header_segment.encode() + b"." + body, hashlib.sha256)
    signature = f"{header_segment}..{b64url(mac.digest())}"

    error = rejection(body, signature, delivery["jwks"])

    assert error.reason is SignatureFailure.UNSUPPORTED_ALGORITHM


@pytest.mark.parametrize(
    "signature",
    [
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!..c2ln",
        f"{b64url(b'not json')}..c2ln",
        f"{b64url(b'[1, 2]')}..c2ln",
    ],
)
def test_malformed_signature_rejected(signature: str) -> None:
    error = rejection(b"{}", signature, {"keys": []})

    assert error.reason is SignatureFailure.MALFORMED


def test_empty_signature_is_missing() -> None:
    error = rejection(b"{}", "", {"keys": []})

    assert error.reason is SignatureFailure.MISSING


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RS256", "kid": "k"},
        {"alg": "RS256", "b64": True, "crit": ["b64"], "kid": "k"},
        {"alg": "RS256", "b64": False, "kid": "k"},
        {"alg": "RS256", "b64": False, "crit": ["b64", "exp"], "kid": "k"},
        {"alg": "RS256", "b64": False, "crit": ["b64"]},
        {"alg": "RS256", "b64": False, "crit": ["b64"], "kid": ""},
    ],
)
def test_header_without_detached_form_rejected(header: dict[str, Any]) -> None:
    error = rejection(b"{}", jws_with_header(header), {"keys": []})

    assert error.reason is SignatureFailure.MALFORMED


def test_bad_signature_segment_is_malformed(delivery: dict[str, Any]) -> None:
    header_segment = delivery["request"]["headers"]["Saleor-Signature"].split(".")[0]

    error = rejection(raw_body(delivery), f"{header_segment}..", delivery["jwks"])

    assert error.reason is SignatureFailure.MALFORMED


def test_error_message_hides_signature_and_body(delivery: dict[str, Any]) -> None:
    body = bytearray(raw_body(delivery))
    body[10] ^= 0x01
    signature = delivery["request"]["headers"]["Saleor-Signature"]

    message = str(rejection(bytes(body), signature, delivery["jwks"]))

    for segment in signature.split("."):
        if segment:
            assert segment not in message
    assert bytes(body).decode("utf-8", "replace")[:40] not in message


def test_double_signature_verifies(saleor: SaleorDouble) -> None:
    body = b'{"fulfillment": {"id": "RnVsZmlsbG1lbnQ6MQ=="}}'

    verify_signature(body, saleor.sign(body), saleor.jwks)


def test_double_signature_of_other_body_fails(saleor: SaleorDouble) -> None:
    signature = saleor.sign(b'{"a": 1}')

    error = rejection(b'{"a": 2}', signature, saleor.jwks)

    assert error.reason is SignatureFailure.INVALID_SIGNATURE


def test_pyjwt_agrees_with_verification(delivery: dict[str, Any]) -> None:
    # A second implementation of RFC 7797 accepts what ours accepts.
    body = raw_body(delivery)
    signature = delivery["request"]["headers"]["Saleor-Signature"]
    key = find_public_key(delivery["jwks"], delivery["jwks"]["keys"][0]["kid"])
    assert key is not None

    decoded = api_jws.decode_complete(
        signature, key, algorithms=["RS256"], detached_payload=body
    )

    assert decoded["payload"] == body


def test_find_public_key_skips_non_signing_entries(delivery: dict[str, Any]) -> None:
    entry = delivery["jwks"]["keys"][0]
    kid = entry["kid"]

    assert find_public_key({"keys": [dict(entry, use="enc")]}, kid) is None
    assert find_public_key({"keys": [dict(entry, alg="RS512")]}, kid) is None
    assert find_public_key({"keys": [dict(entry, key_ops=["encrypt"])]}, kid) is None
    assert find_public_key({"keys": [dict(entry, kty="EC")]}, kid) is None
    assert find_public_key({"keys": "nope"}, kid) is None
    assert find_public_key({"keys": [entry]}, kid) is not None
