"""Dashboard user tokens: Saleor's app-scoped JWTs checked for the settings page."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from plugin.saleor.errors import TokenError, TokenFailure
from plugin.saleor.tokens import DashboardUser, verify_dashboard_token
from tests.support.saleor_double import SaleorDouble, SigningKey

REQUIRED = {"MANAGE_ORDERS"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unverified_claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def verify(saleor: SaleorDouble, token: str, **overrides: Any) -> DashboardUser:
    arguments: dict[str, Any] = {
        "app_id": saleor.app_id,
        "required_permissions": REQUIRED,
    }
    arguments.update(overrides)
    return verify_dashboard_token(token, saleor.jwks, **arguments)


def rejection(saleor: SaleorDouble, token: str, **overrides: Any) -> TokenError:
    with pytest.raises(TokenError) as caught:
        verify(saleor, token, **overrides)
    return caught.value


def resigned(saleor: SaleorDouble, token: str, **changes: Any) -> str:
    """Return the token's claims with ``changes``, signed by the double's key."""
    claims = {**unverified_claims(token), **changes}
    return jwt.encode(
        claims, saleor.private_key, algorithm="RS256", headers={"kid": saleor.kid}
    )


def test_valid_token_returns_user(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token(
        permissions=["MANAGE_ORDERS", "MANAGE_APPS"], email="ops@example.com"
    )

    user = verify(saleor, token)

    assert user.email == "ops@example.com"
    assert user.app_id == saleor.app_id
    assert user.user_id == "VXNlcjox"
    assert user.is_staff is True
    assert user.user_permissions == frozenset({"MANAGE_ORDERS", "MANAGE_APPS"})
    assert user.app_permissions == frozenset({"MANAGE_ORDERS"})
    assert user.expires_at > dt.datetime.now(tz=dt.UTC)


def test_issuer_checked_when_given(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token()

    assert verify(saleor, token, issuer=saleor.api_url).app_id == saleor.app_id
    error = rejection(saleor, token, issuer="https://other.example.com/graphql/")
    assert error.reason is TokenFailure.WRONG_ISSUER


def test_expired_token_rejected(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token(expires_in=-1)

    error = rejection(saleor, token)

    assert error.reason is TokenFailure.EXPIRED
    assert error.forbidden is False


def test_expiry_uses_given_now(saleor: SaleorDouble) -> None:
    issued = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    token = saleor.issue_dashboard_token(expires_in=300, issued_at=issued)

    user = verify(saleor, token, now=issued + dt.timedelta(seconds=299))
    error = rejection(saleor, token, now=issued + dt.timedelta(seconds=300))

    assert user.expires_at == issued + dt.timedelta(seconds=300)
    assert error.reason is TokenFailure.EXPIRED


def test_wrong_app_rejected(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token(app_id="QXBwOjI=")

    error = rejection(saleor, token)

    assert error.reason is TokenFailure.WRONG_APP
    assert error.forbidden is False


def test_missing_permission_is_forbidden(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token(permissions=["MANAGE_PRODUCTS"])

    error = rejection(saleor, token)

    assert error.reason is TokenFailure.MISSING_PERMISSION
    assert error.forbidden is True
    assert "MANAGE_ORDERS" in str(error)


def test_no_required_permissions_accepts_any_user(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token(permissions=[])

    user = verify(saleor, token, required_permissions=set())

    assert user.user_permissions == frozenset()


def test_forged_token_rejected(saleor: SaleorDouble) -> None:
    claims = unverified_claims(saleor.issue_dashboard_token())
    other_key = SigningKey.generate()
    forged = jwt.encode(
        claims, other_key.private_key, algorithm="RS256", headers={"kid": saleor.kid}
    )

    error = rejection(saleor, forged)

    assert error.reason is TokenFailure.INVALID_SIGNATURE
    assert error.forbidden is False


def test_unknown_kid_rejected(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token()
    saleor.rotate_key()

    stale_jwks_error = rejection(saleor, token)

    assert stale_jwks_error.reason is TokenFailure.UNKNOWN_KEY


def test_alg_none_rejected(saleor: SaleorDouble) -> None:
    claims = unverified_claims(saleor.issue_dashboard_token())
    header = {"alg": "none", "typ": "JWT", "kid": saleor.kid}
    token = ".".join(
        [b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()), ""]
    )

    error = rejection(saleor, token)

    assert error.reason is TokenFailure.UNSUPPORTED_ALGORITHM


def test_hs256_with_public_key_rejected(saleor: SaleorDouble) -> None:
    claims = unverified_claims(saleor.issue_dashboard_token())
    public_pem = saleor.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": saleor.kid}
    signing_input = ".".join(
        [b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode())]
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(mac)}"

    error = rejection(saleor, token)

    assert error.reason is TokenFailure.UNSUPPORTED_ALGORITHM


def test_user_access_token_rejected(saleor: SaleorDouble) -> None:
    token = resigned(saleor, saleor.issue_dashboard_token(), type="access")

    error = rejection(saleor, token)

    assert error.reason is TokenFailure.WRONG_TYPE


@pytest.mark.parametrize("claim", ["exp", "app", "user_permissions", "type", "email"])
def test_missing_claim_rejected(saleor: SaleorDouble, claim: str) -> None:
    claims = unverified_claims(saleor.issue_dashboard_token())
    del claims[claim]
    token = jwt.encode(
        claims, saleor.private_key, algorithm="RS256", headers={"kid": saleor.kid}
    )

    error = rejection(saleor, token)

    assert error.reason is TokenFailure.MALFORMED


def test_permissions_not_a_list_rejected(saleor: SaleorDouble) -> None:
    token = resigned(
        saleor, saleor.issue_dashboard_token(), user_permissions="MANAGE_ORDERS"
    )

    error = rejection(saleor, token)

    assert error.reason is TokenFailure.MALFORMED


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_garbage_rejected(saleor: SaleorDouble, token: str) -> None:
    error = rejection(saleor, token)

    assert error.reason is TokenFailure.MALFORMED
    assert error.forbidden is False


def test_error_message_hides_token(saleor: SaleorDouble) -> None:
    token = saleor.issue_dashboard_token(expires_in=-1)

    message = str(rejection(saleor, token))

    for segment in token.split("."):
        assert segment not in message
