"""When a job that failed transiently runs again."""

from __future__ import annotations

import datetime as dt
from random import Random

__all__ = ["is_final", "job_retry_delay"]


def job_retry_delay(attempt: int, random: Random, base: float, cap: float) -> float:
    """Return seconds to wait after the ``attempt``-th run of a job failed.

    Exponential backoff with full jitter, ``uniform(0, min(cap, base * 2 **
    (attempt - 1)))``, but never less than ``base`` so a job cannot retry in
    a tight loop.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return max(base, random.uniform(0, ceiling))


def is_final(created_at: dt.datetime, now: dt.datetime, max_age: dt.timedelta) -> bool:
    """Return whether a job is too old to be retried again."""
    return now - created_at >= max_age
