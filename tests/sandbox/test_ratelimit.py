"""The sliding one-second window behind the rate_limit fault."""

from __future__ import annotations

import pytest

from plugin.sandbox.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_admits_up_to_limit():
    limiter = SlidingWindowLimiter(3, monotonic=Clock())

    results = [limiter.acquire() for _ in range(4)]

    assert results == [None, None, None, 1]


def test_window_slides():
    clock = Clock()
    limiter = SlidingWindowLimiter(2, monotonic=clock)
    limiter.acquire()
    clock.now += 0.6
    limiter.acquire()

    clock.now += 0.5
    after_first_expired = limiter.acquire()
    still_full = limiter.acquire()

    assert after_first_expired is None
    assert still_full == 1


def test_rejected_requests_do_not_count():
    clock = Clock()
    limiter = SlidingWindowLimiter(1, monotonic=clock)
    limiter.acquire()
    for _ in range(10):
        limiter.acquire()

    clock.now += 1.0

    assert limiter.acquire() is None


def test_wait_rounds_up_to_whole_seconds():
    clock = Clock()
    limiter = SlidingWindowLimiter(1, window=2.5, monotonic=clock)
    limiter.acquire()
    clock.now += 0.2

    assert limiter.acquire() == 3


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        SlidingWindowLimiter(0)
