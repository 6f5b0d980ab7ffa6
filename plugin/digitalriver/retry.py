"""Retry policy of the Digital River client, as small pure functions.

A failed request is retried only when trying again can help: connection
errors, timeouts, and the statuses 408, 429 and 5xx. Other 4xx responses are
never retried. Retries are bounded twice, by ``max_attempts`` (the first
attempt included) and by ``max_retry_seconds`` measured from the first
attempt, so a request never loops without end.

The wait before retry number ``n`` (0 for the first retry) is the server's
``Retry-After`` when the response had one, and otherwise exponential backoff
with full jitter: ``uniform(0, min(max_delay, base_delay * 2**n))``.

A ``Retry-After`` above ``max_retry_after_seconds`` is not waited for: the
client gives up and raises the ``RateLimitError`` (transient), so that the
caller's job queue can run the job again after the delay instead of holding a
worker for it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
from dataclasses import dataclass
from random import Random

from plugin.digitalriver.errors import (
    ConflictError,
    ConnectError,
    DigitalRiverError,
    RequestTimeoutError,
    StatusError,
    TransportError,
)
from plugin.settings import DigitalRiverSettings

__all__ = [
    "RetryPolicy",
    "backoff_delay",
    "may_still_be_processing",
    "next_delay",
    "outcome_unknown",
    "parse_retry_after",
    "retry_reason",
    "should_reconcile",
    "should_retry",
]

RETRYABLE_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """Limits of the retries of one request.

    ``base_delay`` and ``max_delay`` are seconds of the backoff formula.
    """

    max_attempts: int = 5
    max_retry_seconds: float = 120.0
    max_retry_after_seconds: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 8.0

    @classmethod
    def from_settings(cls, settings: DigitalRiverSettings) -> RetryPolicy:
        """Build the policy from the ``digitalriver`` settings."""
        return cls(
            max_attempts=settings.max_attempts,
            max_retry_seconds=settings.max_retry_seconds,
            max_retry_after_seconds=settings.max_retry_after_seconds,
        )


def should_retry(error: DigitalRiverError) -> bool:
    """Return whether sending the same request again can succeed."""
    if isinstance(error, TransportError):
        return True
    if isinstance(error, StatusError):
        return error.status in RETRYABLE_STATUSES or error.status >= 500
    return False


def outcome_unknown(error: DigitalRiverError) -> bool:
    """Return whether the failed request may still have been processed by DR.

    True after the request may have been sent (a timeout or broken connection
    after sending) and for 408 and 5xx, where a gateway may have failed after
    Digital River acted. False for 429, which DR returns before processing the request.
    """
    if isinstance(error, TransportError):
        return error.request_sent
    if isinstance(error, StatusError):
        return error.status == 408 or error.status >= 500
    return False


def may_still_be_processing(error: DigitalRiverError) -> bool:
    """Return whether Digital River may still be working on the failed request.

    True when the client stopped waiting (a timeout after sending) or a
    gateway did (408, 504), as opposed to a server that responded or closed.
    """
    if isinstance(error, RequestTimeoutError):
        return error.request_sent
    return isinstance(error, StatusError) and error.status in (408, 504)


def should_reconcile(error: DigitalRiverError) -> bool:
    """Return whether to look for an earlier fulfillment before going on.

    A 409 can mean that an earlier attempt, or an earlier run of the same
    job, already fulfilled the items, so it is checked like an unknown outcome.
    """
    return outcome_unknown(error) or isinstance(error, ConflictError)


def backoff_delay(attempt: int, base: float, cap: float, random: Random) -> float:
    """Return ``uniform(0, min(cap, base * 2**attempt))``, the full-jitter backoff.

    ``attempt`` is 0 for the first retry. The exponent is clamped so that a
    large attempt number cannot overflow the float.
    """
    ceiling = min(cap, base * 2.0 ** min(attempt, 64))
    return random.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Return the delay of a ``Retry-After`` header in seconds, or None.

    The header contains either seconds or an HTTP date, and a date in the
    past gives 0. An unreadable value gives None, so the caller falls back to backoff.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until(value, now)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def _seconds_until(http_date: str, now: dt.datetime) -> float | None:
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (moment - now).total_seconds())


def next_delay(
    error: DigitalRiverError,
    attempt: int,
    elapsed: float,
    policy: RetryPolicy,
    random: Random,
) -> float | None:
    """Return the seconds to wait before the next attempt, or None to give up.

    ``attempt`` is the 1-based number of the attempt that just failed and
    ``elapsed`` the seconds since the first attempt began. The client gives up
    when the error is not retryable, when ``max_attempts`` attempts were made,
    when Retry-After is above ``max_retry_after_seconds``, or when the wait
    would end after ``max_retry_seconds``.
    """
    if not should_retry(error) or attempt >= policy.max_attempts:
        return None

    retry_after = error.retry_after if isinstance(error, StatusError) else None
    if retry_after is not None and retry_after > policy.max_retry_after_seconds:
        return None
    if retry_after is not None and retry_after > 0:
        delay = retry_after
    else:
        delay = backoff_delay(attempt - 1, policy.base_delay, policy.max_delay, random)

    if elapsed + delay > policy.max_retry_seconds:
        return None
    return delay


def retry_reason(error: DigitalRiverError) -> str:
    """Return a short stable label of the failure, for logs and metrics."""
    if isinstance(error, ConnectError):
        return "connect_error"
    if isinstance(error, RequestTimeoutError):
        return "timeout"
    if isinstance(error, TransportError):
        return "connection_lost"
    if isinstance(error, StatusError):
        return f"status_{error.status}"
    return "invalid_response"
