"""Async client of the Digital River fulfillment and order endpoints.

Digital River has no idempotency key, so ``create_fulfillment`` protects
against fulfilling twice with the caller's request key, which travels in the
request's ``metadata`` and is the same on every attempt. Whenever a POST may
have been processed although no success came back (a timeout or broken
connection after sending, 408, 5xx) and on any 409, the client lists the
order's fulfillments before it goes on. A fulfillment carrying the request
key counts as success with ``created=False``. The retry limits and delays
come from ``plugin.digitalriver.retry``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from random import Random
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from plugin.digitalriver._http import Exchange, Params, parse_model
from plugin.digitalriver._setup import (
    default_headers,
    resolve_api_key,
    resolve_base_url,
)
from plugin.digitalriver.errors import DigitalRiverError, InvalidResponseError
from plugin.digitalriver.models import (
    REQUEST_KEY_FIELD,
    Fulfillment,
    FulfillmentList,
    FulfillmentRequest,
    FulfillmentResult,
    Order,
)
from plugin.digitalriver.observer import NullObserver, Observer
from plugin.digitalriver.ratelimit import Clock, RateLimiter, Sleep
from plugin.digitalriver.retry import (
    RetryPolicy,
    may_still_be_processing,
    next_delay,
    retry_reason,
    should_reconcile,
    should_retry,
)
from plugin.settings import DigitalRiverSettings

__all__ = ["LIST_PAGE_SIZE", "DigitalRiverClient"]

logger = logging.getLogger(__name__)

FULFILLMENTS = "/fulfillments"
ORDER_ROUTE = "/orders/{id}"
LIST_PAGE_SIZE = 100


RATE_HEADROOM = 0.97
"""Share of ``requests_per_second`` the limiter sends at. Requests leave the
client evenly spaced but reach Digital River with network jitter, and at the
full rate a server counting a sliding one-second window saw 26 requests in
some windows (77 of 2,000 got 429 in ``bench/rate_limit.py`` at 25/s)."""


class DigitalRiverClient:
    """Client of one Digital River account; share it between concurrent tasks.

    ``api_key`` and ``base_url`` override the settings. ``transport`` replaces
    the network (``httpx.MockTransport`` in tests). ``sleep``, ``clock`` and
    ``random`` drive the retry waits and the rate limiter, so tests can make
    waits instant and delays predictable. Raises ``SettingsError`` when no API
    key is configured.
    """

    def __init__(
        self,
        settings: DigitalRiverSettings,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        random: Random | None = None,
        clock: Clock = time.monotonic,
        observer: Observer | None = None,
    ) -> None:
        key = resolve_api_key(api_key, settings)
        self.base_url = resolve_base_url(base_url, settings)
        self.policy = RetryPolicy.from_settings(settings)
        self._settle_seconds = settings.read_timeout
        self._sleep = sleep
        self._random = random or Random()
        self._clock = clock
        self._observer: Observer = observer or NullObserver()

        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=default_headers(key, settings.api_version),
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout
            ),
            transport=transport,
        )
        limiter = RateLimiter(
            settings.requests_per_second * RATE_HEADROOM, clock=clock, sleep=sleep
        )
        self._exchange = Exchange(self._http, limiter, self._observer, clock)

    def __repr__(self) -> str:
        return f"DigitalRiverClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> DigitalRiverClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections of the client."""
        await self._http.aclose()

    async def get_order(self, order_id: str) -> Order:
        """Fetch a Digital River order; ``NotFoundError`` when it does not exist."""
        _require_id("order_id", order_id)
        path = "/orders/" + quote(order_id, safe="")
        data = await self._get(
            path, route=ORDER_ROUTE, order_id=order_id, started=self._clock()
        )
        return parse_model(Order, data, "GET", path)

    async def list_fulfillments(self, order_id: str) -> list[Fulfillment]:
        """Fetch every fulfillment of an order, following ``hasMore`` pages."""
        _require_id("order_id", order_id)
        return await self._list_fulfillments(order_id, started=self._clock())

    async def find_fulfillment(
        self, order_id: str, request_key: str
    ) -> Fulfillment | None:
        """Return the order's fulfillment whose metadata carries ``request_key``."""
        _require_id("order_id", order_id)
        _require_id("request_key", request_key)
        return await self._find(order_id, request_key, started=self._clock())

    async def create_fulfillment(
        self, request: FulfillmentRequest, *, reconcile_first: bool = False
    ) -> FulfillmentResult:
        """Create a fulfillment with retries, guarding against fulfilling twice.

        ``request.metadata[REQUEST_KEY_FIELD]`` must contain the caller's request
        key, made once per request and reused by every attempt. ``ValueError``
        is raised when it is missing. Set ``reconcile_first`` when an earlier
        run of the same job may have sent the request, so the order is checked
        before the first POST. Raises ``OrderFulfilledError`` when other
        requests fulfilled every item, and the other ``DigitalRiverError``
        classes when the retries end.
        """
        key = _require_request_key(request)
        started = self._clock()
        if reconcile_first:
            found = await self._find(request.order_id, key, started)
            if found is not None:
                return FulfillmentResult(found, created=False)

        content = request.to_json()
        attempt = 1
        while True:
            try:
                data = await self._exchange.send(
                    "POST",
                    FULFILLMENTS,
                    route=FULFILLMENTS,
                    attempt=attempt,
                    order_id=request.order_id,
                    content=content,
                )
                return FulfillmentResult(
                    parse_model(Fulfillment, data, "POST", FULFILLMENTS), created=True
                )
            except DigitalRiverError as error:
                found = await self._reconcile(error, request.order_id, key, started)
                if found is not None:
                    return FulfillmentResult(found, created=False)
                delay = self._plan_retry(
                    error, "POST", FULFILLMENTS, request.order_id, attempt, started
                )
                if delay is None:
                    raise
            await self._sleep(delay)
            attempt += 1

    async def _get(
        self,
        path: str,
        *,
        route: str,
        order_id: str,
        started: float,
        params: Params | None = None,
    ) -> Any:
        attempt = 1
        while True:
            try:
                return await self._exchange.send(
                    "GET",
                    path,
                    route=route,
                    attempt=attempt,
                    order_id=order_id,
                    params=params,
                )
            except DigitalRiverError as error:
                delay = self._plan_retry(error, "GET", path, order_id, attempt, started)
                if delay is None:
                    raise
            await self._sleep(delay)
            attempt += 1

    async def _list_fulfillments(
        self, order_id: str, started: float
    ) -> list[Fulfillment]:
        fulfillments: list[Fulfillment] = []
        cursor: str | None = None
        while True:
            params: Params = {"orderId": order_id, "limit": LIST_PAGE_SIZE}
            if cursor is not None:
                params["startingAfter"] = cursor
            data = await self._get(
                FULFILLMENTS,
                route=FULFILLMENTS,
                order_id=order_id,
                started=started,
                params=params,
            )
            page = parse_model(FulfillmentList, data, "GET", FULFILLMENTS)
            fulfillments.extend(page.data)
            if not page.has_more:
                return fulfillments
            cursor = _next_cursor(page, cursor)

    async def _find(
        self, order_id: str, request_key: str, started: float
    ) -> Fulfillment | None:
        fulfillments = await self._list_fulfillments(order_id, started)
        matches = [item for item in fulfillments if item.request_key == request_key]
        if len(matches) > 1:
            logger.warning(
                "digitalriver.duplicate_fulfillments order_id=%s request_key=%s "
                "fulfillment_ids=%s",
                order_id,
                request_key,
                ",".join(match.id for match in matches),
            )
        return matches[0] if matches else None

    async def _reconcile(
        self, error: DigitalRiverError, order_id: str, request_key: str, started: float
    ) -> Fulfillment | None:
        """List the order after ``error`` and return our earlier fulfillment.

        When the listing itself fails, its error is raised: sending the POST
        again without knowing whether the first one landed could fulfil twice.
        """
        if not should_reconcile(error):
            return None
        if may_still_be_processing(error):
            # The POST may still be running at Digital River: give it another
            # read timeout to land before looking, or a list made at once would
            # miss it and the retry would fulfil twice.
            await self._sleep(self._settle_seconds)
        # NOTE: this relies on Digital River listing a fulfillment as soon as its
        # POST was processed, and on a POST that timed out finishing within
        # one more read timeout. DR documents neither.
        try:
            found = await self._find(order_id, request_key, started)
        except DigitalRiverError as list_error:
            logger.warning(
                "digitalriver.reconcile_failed order_id=%s request_key=%s error=%s",
                order_id,
                request_key,
                list_error,
            )
            raise list_error from error

        logger.info(
            "digitalriver.reconcile order_id=%s request_key=%s reason=%s found=%s",
            order_id,
            request_key,
            retry_reason(error),
            found.id if found else "-",
        )
        return found

    def _plan_retry(
        self,
        error: DigitalRiverError,
        method: str,
        path: str,
        order_id: str,
        attempt: int,
        started: float,
    ) -> float | None:
        """Return the wait before the next attempt and report it, or None."""
        elapsed = self._clock() - started
        reason = retry_reason(error)
        delay = next_delay(error, attempt, elapsed, self.policy, self._random)
        if delay is None:
            if should_retry(error):
                logger.warning(
                    "digitalriver.retry_gave_up method=%s path=%s order_id=%s "
                    "attempt=%d reason=%s elapsed_s=%.1f",
                    method,
                    path,
                    order_id,
                    attempt,
                    reason,
                    elapsed,
                )
            return None

        logger.warning(
            "digitalriver.retry method=%s path=%s order_id=%s attempt=%d reason=%s "
            "delay_s=%.2f error=%s",
            method,
            path,
            order_id,
            attempt,
            reason,
            delay,
            error,
        )
        self._observer.retry_scheduled(reason, delay)
        return delay


def _require_id(name: str, value: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"{name} is empty; pass the Digital River id")


def _require_request_key(request: FulfillmentRequest) -> str:
    key = request.request_key
    if not key:
        raise ValueError(
            f"fulfillment request for order {request.order_id} has no request key: "
            f"set metadata[{REQUEST_KEY_FIELD!r}] to a key made once per request, "
            "so that retries can find an earlier fulfillment"
        )
    return key


def _next_cursor(page: FulfillmentList, previous: str | None) -> str:
    """Return the ``startingAfter`` cursor of the next page.

    Raises ``InvalidResponseError`` when a page has ``hasMore`` set but no new
    last id, because following it would loop forever.
    """
    if not page.data or page.data[-1].id == previous:
        raise InvalidResponseError(
            "Digital River's fulfillment list has hasMore=true but no new "
            "fulfillment id to continue from, so the listing was stopped to avoid "
            "a loop; report this with the order id to Digital River support",
            method="GET",
            path=FULFILLMENTS,
        )
    return page.data[-1].id
