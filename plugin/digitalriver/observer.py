"""Hook through which the client reports what metrics need to count.

The client calls an ``Observer`` after every HTTP request, before every retry
and after every wait in the rate limiter. ``path`` is the route template, such
as ``/orders/{id}``, so that ids do not multiply metric labels. ``outcome`` is
the HTTP status as a string (``"201"``, ``"503"``) or, when no response came,
one of ``"connect_error"``, ``"timeout"`` and ``"connection_lost"``.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["NullObserver", "Observer"]


class Observer(Protocol):
    """Receiver of the client's request, retry and rate-limit events."""

    def request_finished(
        self, method: str, path: str, outcome: str, seconds: float
    ) -> None:
        """Record one HTTP request and its duration in seconds."""

    def retry_scheduled(self, reason: str, delay: float) -> None:
        """Record a retry about to wait ``delay`` seconds after ``reason``."""

    def rate_limit_waited(self, seconds: float) -> None:
        """Record time spent waiting in the client-side rate limiter."""


class NullObserver:
    """Observer that records nothing; the client's default."""

    def request_finished(
        self, method: str, path: str, outcome: str, seconds: float
    ) -> None:
        """Ignore the request."""

    def retry_scheduled(self, reason: str, delay: float) -> None:
        """Ignore the retry."""

    def rate_limit_waited(self, seconds: float) -> None:
        """Ignore the wait."""
