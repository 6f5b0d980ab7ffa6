"""Retry policy: which errors are retried, backoff bounds, Retry-After, caps."""

from __future__ import annotations

import datetime as dt
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugin.digitalriver.errors import (
    ConflictError,
    ConnectError,
    DigitalRiverError,
    ErrorDetail,
    InvalidResponseError,
    OrderFulfilledError,
    RequestTimeoutError,
    StatusError,
    TransportError,
    status_error_class,
)
from plugin.digitalriver.retry import (
    RetryPolicy,
    backoff_delay,
    next_delay,
    outcome_unknown,
    parse_retry_after,
    retry_reason,
    should_reconcile,
    should_retry,
)

NOW = dt.datetime(2024, 5, 17, 12, 0, 0, tzinfo=dt.UTC)


def status(code: int, *codes: str, retry_after: float | None = None) -> StatusError:
    error_class = status_error_class(code, codes)
    return error_class(
        method="POST",
        path="/fulfillments",
        status=code,
        errors=[ErrorDetail(code=c) for c in codes],
        retry_after=retry_after,
    )


def transport(
    error_class: type[TransportError] = TransportError, *, sent: bool = True
) -> TransportError:
    return error_class("failed", method="POST", path="/fulfillments", request_sent=sent)


INVALID = InvalidResponseError("bad body", method="GET", path="/orders/1")

# error, should_retry, outcome_unknown, should_reconcile, retry_reason
CASES = [
    (transport(ConnectError, sent=False), True, False, False, "connect_error"),
    (transport(RequestTimeoutError, sent=False), True, False, False, "timeout"),
    (transport(RequestTimeoutError, sent=True), True, True, True, "timeout"),
    (transport(TransportError, sent=True), True, True, True, "connection_lost"),
    (status(400), False, False, False, "status_400"),
    (status(401), False, False, False, "status_401"),
    (status(403), False, False, False, "status_403"),
    (status(404), False, False, False, "status_404"),
    (status(405), False, False, False, "status_405"),
    (status(408), True, True, True, "status_408"),
    (status(409, "payment_authorization_failed"), False, False, True, "status_409"),
    (status(409, "order_fulfilled"), False, False, True, "status_409"),
    (status(422), False, False, False, "status_422"),
    (status(429), True, False, False, "status_429"),
    (status(500), True, True, True, "status_500"),
    (status(502), True, True, True, "status_502"),
    (status(503), True, True, True, "status_503"),
    (status(504), True, True, True, "status_504"),
    (INVALID, False, False, False, "invalid_response"),
]


@pytest.mark.parametrize(
    ("error", "retry", "unknown", "reconcile", "reason"),
    CASES,
    ids=[repr(case[0])[:40] for case in CASES],
)
def test_policy_table(
    error: DigitalRiverError, retry: bool, unknown: bool, reconcile: bool, reason: str
) -> None:
    assert should_retry(error) is retry
    assert outcome_unknown(error) is unknown
    assert should_reconcile(error) is reconcile
    assert retry_reason(error) == reason


@pytest.mark.parametrize(("error", "retry"), [(case[0], case[1]) for case in CASES])
def test_transient_matches_should_retry(error: DigitalRiverError, retry: bool) -> None:
    assert error.transient is retry


def test_order_fulfilled_is_a_conflict() -> None:
    error = status(409, "order_fulfilled")

    assert isinstance(error, OrderFulfilledError)
    assert isinstance(error, ConflictError)


@given(
    attempt=st.integers(min_value=0, max_value=2000),
    base=st.floats(min_value=0.001, max_value=10),
    cap=st.floats(min_value=0.001, max_value=100),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_backoff_stays_within_bounds(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    delay = backoff_delay(attempt, base, cap, Random(seed))

    assert delay >= 0
    assert delay <= min(cap, base * 2.0 ** min(attempt, 64))


def test_backoff_ceiling_doubles_until_cap() -> None:
    class Highest(Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    delays = [backoff_delay(attempt, 0.5, 8.0, Highest()) for attempt in range(7)]

    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_backoff_uses_full_jitter() -> None:
    delays = {backoff_delay(3, 0.5, 8.0, Random(seed)) for seed in range(50)}

    assert min(delays) < 1.0
    assert max(delays) > 3.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-1", None),
        ("nan", None),
        ("soon", None),
        ("Fri, 17 May 2024 12:00:30 GMT", 30.0),
        ("Fri, 17 May 2024 11:59:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


POLICY = RetryPolicy(
    max_attempts=4, max_retry_seconds=30, max_retry_after_seconds=10, max_delay=8
)


def test_next_delay_honours_retry_after() -> None:
    delay = next_delay(status(429, retry_after=7), 1, 0.0, POLICY, Random(1))

    assert delay == 7


def test_next_delay_retry_after_above_cap() -> None:
    delay = next_delay(status(429, retry_after=11), 1, 0.0, POLICY, Random(1))

    assert delay is None


def test_next_delay_uses_backoff_without_retry_after() -> None:
    delay = next_delay(status(503), 2, 0.0, POLICY, Random(1))

    assert delay is not None
    assert 0 <= delay <= 1.0


def test_next_delay_uses_backoff_for_zero_retry_after() -> None:
    delay = next_delay(status(429, retry_after=0), 1, 0.0, POLICY, Random(1))

    assert delay is not None
    assert delay <= 0.5


def test_next_delay_stops_at_attempt_cap() -> None:
    assert next_delay(status(503), 3, 0.0, POLICY, Random(1)) is not None
    assert next_delay(status(503), 4, 0.0, POLICY, Random(1)) is None


def test_next_delay_stops_at_time_cap() -> None:
    error = status(429, retry_after=5)

    assert next_delay(error, 1, 25.0, POLICY, Random(1)) == 5
    assert next_delay(error, 1, 25.1, POLICY, Random(1)) is None


def test_next_delay_never_retries_permanent_errors() -> None:
    assert next_delay(status(400), 1, 0.0, POLICY, Random(1)) is None
    assert next_delay(status(409, "order_fulfilled"), 1, 0.0, POLICY, Random(1)) is None


def test_policy_from_settings() -> None:
    from plugin.settings import DigitalRiverSettings

    policy = RetryPolicy.from_settings(
        DigitalRiverSettings(
            max_attempts=3, max_retry_seconds=9.0, max_retry_after_seconds=4.0
        )
    )

    assert policy.max_attempts == 3
    assert policy.max_retry_seconds == 9.0
    assert policy.max_retry_after_seconds == 4.0
