"""Fault injection for requests on Digital River paths.

Settings (``FaultSettings``), set at start or through ``PUT /_sandbox/faults``:

- ``latency``: seconds of delay added to every Digital River request;
- ``error_rate``: share (0 to 1) of requests that get a 500
  ``internal_server_error``, drawn from a ``random.Random(seed)``;
- ``rate_limit``: requests per second admitted in a sliding one-second
  window; others get 429 ``too_many_requests`` with ``Retry-After`` seconds;
- ``drop_rate``: share (0 to 1) of successful ``POST /fulfillments`` whose
  fulfillment is stored but whose connection is then closed mid-response;
- ``seed``: seed of the random draws, so a run can be repeated;
- ``script``: fault names applied one each to the next requests, in order.
  A script entry alone decides its request, so the rate limit and the random
  draws are skipped for it.

Script names (``FAULT_NAMES``):

- ``ok``: no fault;
- ``server_error`` (500), ``bad_gateway`` (502), ``service_unavailable``
  (503), ``gateway_timeout`` (504) and ``rate_limited`` (429);
- ``payment_authorization_failed``: 409, which Digital River can return for
  an expired authorization;
- ``drop_before_commit``: close the connection before handling, so nothing
  changes;
- ``drop_after_commit``: handle the request, then close the connection
  before the body is sent.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from plugin.sandbox.errors import ApiError, ErrorDetail
from plugin.sandbox.ratelimit import SlidingWindowLimiter

__all__ = [
    "DROP_AFTER_COMMIT",
    "DROP_BEFORE_COMMIT",
    "FAULT_NAMES",
    "RESPONSE_FAULTS",
    "FaultInjector",
    "FaultSettings",
    "fault_error",
]

DROP_BEFORE_COMMIT = "drop_before_commit"
DROP_AFTER_COMMIT = "drop_after_commit"

RESPONSE_FAULTS: dict[str, tuple[int, str, str]] = {
    "server_error": (500, "internal_server_error", "internal_server_error"),
    "bad_gateway": (502, "bad_gateway", "bad_gateway"),
    "service_unavailable": (503, "service_unavailable", "service_unavailable"),
    "gateway_timeout": (504, "gateway_timeout", "gateway_timeout"),
    "rate_limited": (429, "too_many_requests", "too_many_requests"),
    "payment_authorization_failed": (409, "conflict", "payment_authorization_failed"),
}
"""Fault name to (HTTP status, error ``type``, error ``code``)."""

FAULT_NAMES = frozenset({"ok", DROP_BEFORE_COMMIT, DROP_AFTER_COMMIT, *RESPONSE_FAULTS})


@dataclass(frozen=True)
class FaultSettings:
    """Faults to inject; the defaults inject none."""

    latency: float = 0.0
    error_rate: float = 0.0
    rate_limit: int | None = None
    drop_rate: float = 0.0
    seed: int | None = None
    script: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.latency < 0:
            raise ValueError(f"latency must be 0 seconds or more, got {self.latency}")
        for name in ("error_rate", "drop_rate"):
            share = getattr(self, name)
            if not 0 <= share <= 1:
                raise ValueError(f"{name} must be a share from 0 to 1, got {share}")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError(f"rate_limit must be 1 or more, got {self.rate_limit}")
        unknown = sorted(set(self.script) - FAULT_NAMES)
        if unknown:
            raise ValueError(
                f"unknown fault name(s) in script: {', '.join(unknown)}; use "
                f"{', '.join(sorted(FAULT_NAMES))}"
            )

    @classmethod
    def from_json(cls, data: Any) -> FaultSettings:
        """Build settings from a JSON object; missing keys take the defaults.

        Raises ``ValueError`` naming the first bad key or value.
        """
        if not isinstance(data, dict):
            raise ValueError("fault settings must be a JSON object")
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        values = {name: _convert(name, value) for name, value in data.items()}
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """Return the settings as a JSON object."""
        return {**asdict(self), "script": list(self.script)}


def _convert(name: str, value: Any) -> Any:
    """Convert one JSON value to the type of setting ``name``."""
    if value is None and name in ("rate_limit", "seed"):
        return None
    if name == "script":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("script must be an array of fault names")
        return tuple(value)
    is_integer = isinstance(value, int) and not isinstance(value, bool)
    if name in ("rate_limit", "seed"):
        if not is_integer:
            raise ValueError(f"{name} must be an integer or null, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def fault_error(name: str, retry_after: int = 1) -> ApiError:
    """Build the error response of a fault such as ``server_error``."""
    status, error_type, code = RESPONSE_FAULTS[name]
    headers = {"Retry-After": str(retry_after)} if status == 429 else {}
    message = (
        f"Injected fault {name!r}: the Digital River sandbox returns {status} "
        "on purpose (fault settings at /_sandbox/faults)."
    )
    return ApiError(status, error_type, [ErrorDetail(code, message)], headers)


class FaultInjector:
    """Decides, request by request, which fault to inject. Thread-safe."""

    def __init__(
        self,
        settings: FaultSettings | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self.configure(settings or FaultSettings())

    @property
    def settings(self) -> FaultSettings:
        """The settings in force, with only the script entries not yet used."""
        with self._lock:
            return replace(self._settings, script=tuple(self._script))

    def configure(self, settings: FaultSettings) -> None:
        """Replace the settings, reseed the random draws and empty the window."""
        limiter = None
        if settings.rate_limit is not None:
            limiter = SlidingWindowLimiter(
                settings.rate_limit, monotonic=self._monotonic
            )
        with self._lock:
            self._settings = settings
            self._script = list(settings.script)
            self._random = random.Random(settings.seed)
            self._limiter = limiter

    def next_fault(self) -> tuple[str | None, int]:
        """Pick the fault for the next request: (name or ``None``, Retry-After).

        Script entries come first; ``ok`` turns into ``None``. Then the rate
        limit, then an ``error_rate`` draw.
        """
        with self._lock:
            if self._script:
                name = self._script.pop(0)
                return (None if name == "ok" else name), 1
            if self._limiter is not None:
                wait = self._limiter.acquire()
                if wait is not None:
                    return "rate_limited", wait
            if self._draw(self._settings.error_rate):
                return "server_error", 1
            return None, 1

    def _draw(self, share: float) -> bool:
        """Draw ``True`` with probability ``share``, using no draw for 0."""
        return share > 0 and self._random.random() < share

    def should_drop_success(self) -> bool:
        """Draw whether to drop the connection after a successful create."""
        with self._lock:
            return self._draw(self._settings.drop_rate)
