"""A sliding-window request limit, as in Digital River's per-second limits."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SlidingWindowLimiter"]


class SlidingWindowLimiter:
    """Admit at most ``limit`` requests in any ``window`` seconds.

    Only admitted requests count, so a client that waits the ``Retry-After``
    seconds gets through. Not thread-safe, so the caller holds a lock.
    """

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError(f"rate limit must be at least 1 request, got {limit}")
        self.limit = limit
        self.window = window
        self._monotonic = monotonic
        self._admitted: deque[float] = deque()

    def acquire(self) -> int | None:
        """Admit one request and return ``None``, or return the seconds to wait.

        The wait is rounded up to whole seconds, as ``Retry-After`` carries it.
        """
        now = self._monotonic()
        while self._admitted and self._admitted[0] <= now - self.window:
            self._admitted.popleft()
        if len(self._admitted) < self.limit:
            self._admitted.append(now)
            return None
        wait = self._admitted[0] + self.window - now
        return max(1, math.ceil(wait))
