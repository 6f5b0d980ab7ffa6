"""Several workers sharing one database never run a job twice."""

import asyncio
import json

from plugin.worker.loop import Worker
from tests.support.app import app_settings, enqueue_body, make_state
from tests.support.payloads import Line, fulfillment_created, sandbox_order

JOBS = 40


async def test_two_workers_share_the_queue(tmp_path, store_url, saleor, sandbox):
    settings = app_settings(sandbox)
    first = make_state(tmp_path, settings, run_worker=False, database_url=store_url)
    second = make_state(tmp_path, settings, run_worker=False, database_url=store_url)
    token = saleor.issue_app_token()
    first.store.save_installation(
        saleor.api_url, saleor.app_id, token, json.dumps(saleor.jwks)
    )
    for index in range(JOBS):
        body = fulfillment_created(
            [Line("TEE", 1, item_id=f"item-{index}")], order_id=f"order-{index}"
        )
        saleor.add_from_payload(body)
        sandbox.add_order(sandbox_order(body))
        enqueue_body(first.store, saleor.api_url, body)

    workers = [Worker(first, owner="worker-1"), Worker(second, owner="worker-2")]
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    async with asyncio.timeout(60):
        while first.store.count_jobs_by_status()["succeeded"] < JOBS:
            await asyncio.sleep(0.05)
    for worker in workers:
        worker.stop()
    await asyncio.gather(*tasks)

    assert first.store.count_jobs_by_status()["succeeded"] == JOBS
    assert len(sandbox.state.fulfillments) == JOBS
    posts = [record for record in sandbox.state.requests if record.method == "POST"]
    assert len(posts) == JOBS
    assert len(list(first.store.iter_ledger())) == JOBS
