"""Client-side rate limiter shared by the concurrent tasks of one client.

It works like a token bucket of ``burst`` tokens refilled at ``rate`` tokens a
second: each request takes a token and waits until one is free. With the
default ``burst`` of 1 the requests are spaced ``1 / rate`` seconds apart, so
any one-second window contains at most ``rate`` of them (rounded up). A
larger bucket would let an idle client send ``burst`` requests at once on top
of the rate, which could exceed Digital River's own per-second limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["Clock", "RateLimiter", "Sleep"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """Async token bucket; ``acquire`` returns the seconds the caller waited.

    Each caller reserves its slot before it sleeps, so concurrent callers get
    distinct slots without a lock. A caller cancelled while it waits leaves
    its slot unused, which only makes the limiter more conservative.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self.rate = rate
        self.burst = burst
        self.total_waited = 0.0
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next_slot = float("-inf")

    def reserve(self) -> float:
        """Take the next free slot and return the seconds until it begins."""
        now = self._clock()
        earliest = now - (self.burst - 1) * self._interval
        slot = max(self._next_slot, earliest)
        self._next_slot = slot + self._interval
        return max(0.0, slot - now)

    async def acquire(self) -> float:
        """Wait for a slot; return the seconds waited (0 when one was free)."""
        wait = self.reserve()
        if wait > 0:
            self.total_waited += wait
            await self._sleep(wait)
        return wait
