"""Client-side rate limiter, measured on a virtual clock instead of wall time."""

from __future__ import annotations

import asyncio
import heapq
import itertools

import pytest

from plugin.digitalriver.ratelimit import RateLimiter


class VirtualTime:
    """Event-driven fake time: sleepers wake in order of their wake-up time.

    ``run`` lets the tasks run until all of them wait, then jumps the clock to
    the earliest wake-up and releases that sleeper, until every task is done.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    async def run(self, tasks: list[asyncio.Task[float]]) -> None:
        while not all(task.done() for task in tasks):
            for _ in range(5):
                await asyncio.sleep(0)
            if self._sleepers:
                wake, _, future = heapq.heappop(self._sleepers)
                self.now = wake
                future.set_result(None)


async def release_times(
    limiter: RateLimiter, time: VirtualTime, count: int
) -> list[float]:
    released: list[float] = []

    async def request() -> float:
        waited = await limiter.acquire()
        released.append(time.now)
        return waited

    tasks = [asyncio.create_task(request()) for _ in range(count)]
    await time.run(tasks)
    return sorted(released)


def max_in_window(times: list[float], window: float) -> int:
    return max(
        sum(1 for other in times if start <= other < start + window - 1e-9)
        for start in times
    )


@pytest.mark.parametrize("rate", [1.0, 4.0, 20.0, 25.0, 7.5])
async def test_burst_stays_under_rate(rate: float) -> None:
    time = VirtualTime()
    limiter = RateLimiter(rate, clock=time, sleep=time.sleep)

    times = await release_times(limiter, time, 60)

    assert len(times) == 60
    assert max_in_window(times, 1.0) <= int(rate + 0.999)


async def test_burst_is_spread_evenly() -> None:
    time = VirtualTime()
    limiter = RateLimiter(10.0, clock=time, sleep=time.sleep)

    times = await release_times(limiter, time, 11)

    assert times[0] == 0.0
    assert times[-1] == pytest.approx(1.0)


async def test_larger_bucket_allows_initial_burst() -> None:
    time = VirtualTime()
    limiter = RateLimiter(10.0, burst=3, clock=time, sleep=time.sleep)

    times = await release_times(limiter, time, 5)

    assert times[:3] == [0.0, 0.0, 0.0]
    assert times[3] == pytest.approx(0.1)
    assert times[4] == pytest.approx(0.2)


async def test_acquire_returns_time_waited() -> None:
    time = VirtualTime()
    limiter = RateLimiter(4.0, clock=time, sleep=time.sleep)

    tasks = [asyncio.create_task(limiter.acquire()) for _ in range(3)]
    await time.run(tasks)

    assert [task.result() for task in tasks] == [0.0, 0.25, 0.5]
    assert limiter.total_waited == pytest.approx(0.75)


async def test_idle_limiter_does_not_wait() -> None:
    time = VirtualTime()
    limiter = RateLimiter(2.0, clock=time, sleep=time.sleep)
    await limiter.acquire()
    time.now += 10

    assert await limiter.acquire() == 0.0


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
def test_rejects_invalid_configuration(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        RateLimiter(rate, burst=burst)
