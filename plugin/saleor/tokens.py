"""Verification of the user token the Saleor dashboard gives the app's pages.

When the dashboard opens an app page, it hands the page a JWT that Saleor
made with ``create_access_token_for_app`` (``saleor/core/jwt.py``). Saleor
3.24 signs it with RS256 and the same key as its webhooks, and sets these
claims: ``iat``, ``exp``, ``iss`` (the API URL), ``owner`` (``"saleor"``),
``token``, ``email``, ``type`` (``"thirdparty"``), ``user_id``, ``is_staff``,
``app`` (the app's global id), ``permissions`` (the user's permissions that
the app also has) and ``user_permissions`` (all of the user's permissions).

The checks follow Saleor's app SDK: the signature, ``exp``, ``app`` equal to
this app's id, and ``user_permissions`` containing every required permission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from plugin.saleor.errors import TokenError, TokenFailure
from plugin.saleor.signature import ALGORITHM, find_public_key

__all__ = ["DashboardUser", "verify_dashboard_token"]

THIRDPARTY_ACCESS_TYPE = "thirdparty"

# Saleor always sets these, and the checks below need every one of them.
_REQUIRED_CLAIMS = ["exp", "type", "app", "user_permissions", "email", "user_id"]


@dataclass(frozen=True)
class DashboardUser:
    """Saleor staff user on whose behalf the dashboard calls the app."""

    user_id: str
    email: str
    is_staff: bool
    app_id: str
    user_permissions: frozenset[str]
    app_permissions: frozenset[str]
    expires_at: dt.datetime


def verify_dashboard_token(
    token: str,
    jwks: Mapping[str, Any],
    *,
    app_id: str,
    required_permissions: Collection[str],
    now: dt.datetime | None = None,
    issuer: str | None = None,
) -> DashboardUser:
    """Return the user of a dashboard token, or raise ``TokenError``.

    ``jwks`` is the key set of the Saleor that installed the app, and
    ``app_id`` the app's global id there. ``issuer``, when given, must equal
    the ``iss`` claim, which Saleor sets to its public API URL. ``now``
    defaults to the current time. The error's ``forbidden`` is True only for
    a valid token whose user lacks a permission in ``required_permissions``.
    """
    key = _signing_key(token, jwks)
    claims = _decode(token, key)

    moment = now or dt.datetime.now(tz=dt.UTC)
    expires_at = _timestamp(claims, "exp")
    if expires_at <= moment:
        raise TokenError(
            TokenFailure.EXPIRED, f"the token expired at {expires_at.isoformat()}"
        )

    _check_identity(claims, app_id=app_id, issuer=issuer)
    user = _user(claims, expires_at)
    missing = sorted(set(required_permissions) - user.user_permissions)
    if missing:
        raise TokenError(
            TokenFailure.MISSING_PERMISSION,
            f"user {user.user_id} lacks {', '.join(missing)}; a Saleor admin can "
            "grant it through one of the user's permission groups",
        )
    return user


def _signing_key(token: str, jwks: Mapping[str, Any]) -> RSAPublicKey:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenError(TokenFailure.MALFORMED, "the token is not a JWT") from error

    algorithm = header.get("alg")
    if algorithm != ALGORITHM:
        raise TokenError(
            TokenFailure.UNSUPPORTED_ALGORITHM,
            f"algorithm {algorithm!r} is not accepted, only {ALGORITHM}",
        )

    kid = header.get("kid")
    key = find_public_key(jwks, kid) if isinstance(kid, str) else None
    if key is None:
        raise TokenError(
            TokenFailure.UNKNOWN_KEY, f"no key with kid {kid!r} in the Saleor JWKS"
        )
    return key


def _decode(token: str, key: RSAPublicKey) -> dict[str, Any]:
    # Time and audience are checked by the caller: ``exp`` against an
    # injectable clock, and ``aud`` not at all, because Saleor sets it only for
    # apps whose manifest declares an audience and ours does not.
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "require": _REQUIRED_CLAIMS,
            },
        )
    except jwt.InvalidSignatureError as error:
        raise TokenError(
            TokenFailure.INVALID_SIGNATURE, "the token signature does not match its key"
        ) from error
    except jwt.PyJWTError as error:
        raise TokenError(
            TokenFailure.MALFORMED, f"the token is invalid: {error}"
        ) from error


def _check_identity(
    claims: Mapping[str, Any], *, app_id: str, issuer: str | None
) -> None:
    token_type = claims.get("type")
    if token_type != THIRDPARTY_ACCESS_TYPE:
        raise TokenError(
            TokenFailure.WRONG_TYPE,
            f"token type is {token_type!r}, expected {THIRDPARTY_ACCESS_TYPE!r} (an app token)",
        )
    if issuer is not None and claims.get("iss") != issuer:
        raise TokenError(
            TokenFailure.WRONG_ISSUER,
            f"token issuer is {claims.get('iss')!r}, expected {issuer!r}",
        )
    if claims.get("app") != app_id:
        raise TokenError(
            TokenFailure.WRONG_APP,
            f"token was issued for app {claims.get('app')!r}, not {app_id!r}",
        )


def _user(claims: Mapping[str, Any], expires_at: dt.datetime) -> DashboardUser:
    return DashboardUser(
        user_id=str(claims["user_id"]),
        email=str(claims["email"]),
        is_staff=claims.get("is_staff") is True,
        app_id=str(claims["app"]),
        user_permissions=_permissions(claims, "user_permissions"),
        app_permissions=_permissions(claims, "permissions"),
        expires_at=expires_at,
    )


def _permissions(claims: Mapping[str, Any], name: str) -> frozenset[str]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TokenError(
            TokenFailure.MALFORMED, f"claim {name!r} is not a list of strings"
        )
    return frozenset(value)


def _timestamp(claims: Mapping[str, Any], name: str) -> dt.datetime:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenError(TokenFailure.MALFORMED, f"claim {name!r} is not a number")
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise TokenError(
            TokenFailure.MALFORMED, f"claim {name!r} is not a valid time"
        ) from error
