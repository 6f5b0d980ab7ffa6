"""The worker: leases, crashes, shutdown, backoff."""

import asyncio
import datetime as dt
import json
import random
from decimal import Decimal

import pytest

from plugin.context import utc_now
from plugin.digitalriver.client import DigitalRiverClient
from plugin.pipeline import run_fulfillment_created
from plugin.routing.store_costs import StoreCostTable
from plugin.saleor.payload import parse_fulfillment_created
from plugin.sandbox.faults import FaultSettings
from plugin.store import CostRow, Store
from plugin.worker.backoff import job_retry_delay
from plugin.worker.loop import Worker
from tests.support.app import app_settings, enqueue_body, make_state
from tests.support.payloads import Line, fulfillment_created, sandbox_order
from tests.support.routing import context, distributor, settings


@pytest.fixture
def state(tmp_path, saleor, sandbox):
    state = make_state(
        tmp_path, app_settings(sandbox), run_worker=False, lease_seconds=0.5
    )
    state.store.save_installation(
        saleor.api_url, saleor.app_id, saleor.issue_app_token(), json.dumps(saleor.jwks)
    )
    return state


def enqueue(state, saleor, sandbox, line=None):
    body = fulfillment_created([line or Line("TEE", 2, item_id="it-1")])
    saleor.add_from_payload(body)
    sandbox.add_order(sandbox_order(body))
    return enqueue_body(state.store, saleor.api_url, body)


async def test_killed_worker_job_completes_once(state, saleor, sandbox):
    job = enqueue(state, saleor, sandbox)
    (claimed,) = state.store.claim_jobs("crashed-worker", 1, 0.5, utc_now())
    # The crashed worker got as far as Digital River accepting the request.
    settings = state.default_settings
    async with DigitalRiverClient(settings.digitalriver) as client:
        ctx = context(settings, client, saleor_api_url=saleor.api_url, job_id=job.id)
        first = await run_fulfillment_created(
            parse_fulfillment_created(claimed.payload), ctx
        )
    assert first.succeeded
    await asyncio.sleep(0.6)

    worker = Worker(state, owner="second-worker")
    assert await worker.run_once() == 1
    await worker.drain()

    finished = state.store.get_job(job.id)
    assert finished.status.value == "succeeded"
    assert finished.attempts == 2
    assert len(sandbox.state.fulfillments) == 1
    assert json.loads(finished.result)["sent"][0]["created"] is False


async def test_live_lease_is_not_taken(state, saleor, sandbox):
    enqueue(state, saleor, sandbox)
    state.store.claim_jobs("busy-worker", 1, 60, utc_now())

    worker = Worker(state, owner="other-worker")

    assert await worker.run_once() == 0


async def test_stop_finishes_running_job(state, saleor, sandbox):
    job = enqueue(state, saleor, sandbox)
    sandbox.state.faults.configure(FaultSettings(latency=0.5))
    worker = Worker(state, owner="stopping-worker", grace_seconds=10)
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.3)

    worker.stop()
    await asyncio.wait_for(task, 15)

    assert state.store.get_job(job.id).status.value == "succeeded"


async def test_stop_releases_job_after_grace(state, saleor, sandbox):
    job = enqueue(state, saleor, sandbox)
    sandbox.state.faults.configure(FaultSettings(latency=3))
    worker = Worker(state, owner="impatient-worker", grace_seconds=0.1)
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.3)

    worker.stop()
    await asyncio.wait_for(task, 10)

    released = state.store.get_job(job.id)
    assert released.status.value == "queued"
    assert released.lease_owner is None
    assert released.attempts == 0


async def test_invalid_payload_fails_job(state, saleor):
    job, _ = state.store.enqueue_job(
        saleor.api_url, "F", "O", "1", "fulfillment_created", "{}", utc_now()
    )

    worker = Worker(state, owner="w")
    await worker.run_once()
    await worker.drain()

    failed = state.store.get_job(job.id)
    assert failed.status.value == "failed"
    assert "fulfillment" in failed.last_error


async def test_uninstalled_saleor_fails_job(state, saleor, sandbox):
    job = enqueue(state, saleor, sandbox)
    state.store.delete_installation(saleor.api_url)

    worker = Worker(state, owner="w")
    await worker.run_once()
    await worker.drain()

    assert "reinstall" in state.store.get_job(job.id).last_error


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 10), (2, 20), (3, 40), (8, 1280), (9, 1800), (30, 1800)],
)
def test_retry_delay_bounds(attempt, ceiling):
    delays = [
        job_retry_delay(attempt, random.Random(seed), 10, 1800) for seed in range(200)
    ]

    assert min(delays) >= 10
    assert max(delays) <= ceiling


async def test_stored_costs_win_over_settings(state, saleor, sandbox):
    row = CostRow(
        distributor_id="dist-a",
        sku="TEE",
        currency="USD",
        cost=Decimal("7.77"),
        effective_from=dt.date(2026, 1, 1),
    )
    state.store.replace_costs([row])
    job = enqueue(state, saleor, sandbox)

    worker = Worker(state, owner="w")
    await worker.run_once()
    await worker.drain()

    assert state.store.get_job(job.id).status.value == "succeeded"
    (fulfillment,) = sandbox.state.fulfillments
    assert fulfillment.request.items[0].distributor_cost == Decimal("15.54")


def test_store_cost_table_serves_prefetched_pairs(tmp_path):

    store = Store.open(f"sqlite:///{tmp_path / 'costs.sqlite3'}")
    store.replace_costs(
        [
            CostRow(
                distributor_id="d",
                sku="A",
                currency="USD",
                cost=Decimal("1.50"),
                effective_from=dt.date(2026, 1, 1),
            )
        ]
    )
    table = StoreCostTable(store)
    on = dt.date(2026, 6, 1)

    table.prefetch({("d", "A"), ("d", "B")}, on)
    store.replace_costs([])

    usd = settings([distributor("d", "USD")]).distributor("d")
    assert table.lookup(usd, "A", on) == Decimal("1.50")
    assert table.lookup(usd, "B", on) is None
    assert table.lookup(usd, "A", dt.date(2026, 7, 1)) is None


def test_store_cost_in_other_currency_rejected(tmp_path):

    store = Store.open(f"sqlite:///{tmp_path / 'costs.sqlite3'}")
    row = CostRow(
        distributor_id="d",
        sku="A",
        currency="EUR",
        cost=Decimal("1.50"),
        effective_from=dt.date(2026, 1, 1),
    )
    store.replace_costs([row])
    usd = settings([distributor("d", "USD")]).distributor("d")

    with pytest.raises(
        ValueError, match="is in EUR, but the distributor is paid in USD"
    ):
        StoreCostTable(store).lookup(usd, "A", dt.date(2026, 6, 1))


def enqueue_partial(state, saleor, sandbox):
    # One of three units ships, so Digital River would accept a second POST.
    return enqueue(state, saleor, sandbox, Line("TEE", 1, ordered=3, item_id="it-1"))


async def run_all(state, owner="w"):
    worker = Worker(state, owner=owner)
    await worker.run_once()
    await worker.drain()


async def test_retried_job_does_not_fulfil_twice(state, saleor, sandbox):
    job = enqueue_partial(state, saleor, sandbox)
    saleor.fail_next(1, status=400)
    await run_all(state)
    assert state.store.get_job(job.id).status.value == "failed"

    state.store.retry_job(job.id, utc_now())
    await run_all(state)

    assert state.store.get_job(job.id).status.value == "succeeded"
    assert len(sandbox.state.fulfillments) == 1


async def test_released_job_does_not_fulfil_twice(state, saleor, sandbox):
    job = enqueue_partial(state, saleor, sandbox)
    (claimed,) = state.store.claim_jobs("stopping-worker", 1, 30, utc_now())
    settings = state.default_settings
    async with DigitalRiverClient(settings.digitalriver) as client:
        ctx = context(settings, client, saleor_api_url=saleor.api_url)
        await run_fulfillment_created(parse_fulfillment_created(claimed.payload), ctx)
    state.store.release_job(job.id, "stopping-worker")

    await run_all(state)

    assert state.store.get_job(job.id).status.value == "succeeded"
    assert len(sandbox.state.fulfillments) == 1


async def test_crashing_reporter_retries_without_refulfilling(state, saleor, sandbox):
    from hooks import hookimpl

    calls = []

    class FlakyReporter:
        @hookimpl
        def fulfillment_reported(self, outcome):
            calls.append(outcome.status)
            if len(calls) == 1:
                raise RuntimeError("pager service is down")

    state.plugin_manager.register(FlakyReporter())
    job = enqueue_partial(state, saleor, sandbox)

    await run_all(state)
    assert state.store.get_job(job.id).status.value == "queued"
    await asyncio.sleep(0.3)
    await run_all(state)

    assert state.store.get_job(job.id).status.value == "succeeded"
    assert len(sandbox.state.fulfillments) == 1
    assert calls == ["succeeded", "succeeded"]


def test_blocking_hook_keeps_lease(tmp_path, saleor, sandbox):
    import threading
    import time

    from hooks import hookimpl

    class SlowErp:
        @hookimpl
        def distributor_for_line(self):
            time.sleep(2.0)  # blocks the worker's event loop
            return None

    state = make_state(
        tmp_path, app_settings(sandbox), run_worker=False, lease_seconds=0.9
    )
    state.store.save_installation(
        saleor.api_url, saleor.app_id, saleor.issue_app_token(), json.dumps(saleor.jwks)
    )
    state.plugin_manager.register(SlowErp())
    job = enqueue_partial(state, saleor, sandbox)
    worker = Worker(state, owner="slow-worker")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(worker.run(),))
    thread.start()
    deadline = time.monotonic() + 10
    while state.store.get_job(job.id).lease_owner != "slow-worker":
        assert time.monotonic() < deadline, "the worker did not claim the job"
        time.sleep(0.02)

    stolen = []
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        stolen += state.store.claim_jobs("thief", 1, 30, utc_now())
        time.sleep(0.1)
    loop.call_soon_threadsafe(worker.stop)
    thread.join(timeout=20)
    loop.close()

    assert stolen == []
    assert state.store.get_job(job.id).status.value == "succeeded"
    assert len(sandbox.state.fulfillments) == 1
