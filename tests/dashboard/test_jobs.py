"""Recent fulfillments: listing the installation's jobs and retrying failed ones."""

from __future__ import annotations

import datetime as dt
import json

from plugin.dashboard.jobs import dr_fulfillment_ids
from plugin.store import JobStatus
from tests.dashboard.support import API

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
OTHER_SALEOR = "https://other.example.com/graphql/"
OUTCOME = {
    "fulfillment_id": "RnVsZmlsbG1lbnQ6MQ==",
    "order_id": "T3JkZXI6MQ==",
    "order_number": "1001",
    "status": "succeeded",
    "sent": [
        {
            "request_key": "k1",
            "currency": "USD",
            "dr_fulfillment_id": "ful_111",
            "created": True,
            "lines": [],
        },
        {
            "request_key": "k2",
            "currency": "EUR",
            "dr_fulfillment_id": "ful_222",
            "created": False,
            "lines": [],
        },
    ],
}


def add_job(store, api_url, fulfillment_id, number, minutes=0):
    job, _ = store.enqueue_job(
        api_url,
        fulfillment_id,
        "T3JkZXI6MQ==",
        number,
        "fulfillment_created",
        '{"secret": "payload"}',
        T0 + dt.timedelta(minutes=minutes),
    )
    return job


def finish(store, job, *, error=None, result=None):
    (claimed,) = store.claim_jobs("worker", 1, 60, T0 + dt.timedelta(hours=1))
    assert claimed.id == job.id
    if error is None:
        store.complete_job(job.id, "worker", result, T0 + dt.timedelta(hours=1))
    else:
        store.fail_job(job.id, "worker", error, T0 + dt.timedelta(hours=1))


async def test_jobs_list_newest_first(client, headers, store, installed):
    add_job(store, installed.api_url, "F1", "1001", minutes=0)
    add_job(store, installed.api_url, "F2", "1002", minutes=5)
    response = await client.get(f"{API}/jobs", headers=headers)
    assert response.status_code == 200
    assert [job["order_number"] for job in response.json()["jobs"]] == ["1002", "1001"]


async def test_jobs_list_only_this_saleor(client, headers, store, installed):
    add_job(store, installed.api_url, "F1", "1001")
    add_job(store, OTHER_SALEOR, "F9", "9009")
    jobs = (await client.get(f"{API}/jobs", headers=headers)).json()["jobs"]
    assert [job["fulfillment_id"] for job in jobs] == ["F1"]


async def test_jobs_show_dr_ids_and_errors(client, headers, store, installed):
    done = add_job(store, installed.api_url, "F1", "1001")
    finish(store, done, result=json.dumps(OUTCOME))
    failed = add_job(store, installed.api_url, "F2", "1002", minutes=1)
    finish(store, failed, error="cannot route line L1: no distributor")
    jobs = {
        job["fulfillment_id"]: job
        for job in (await client.get(f"{API}/jobs", headers=headers)).json()["jobs"]
    }
    assert jobs["F1"]["status"] == "succeeded"
    assert jobs["F1"]["dr_fulfillment_ids"] == ["ful_111", "ful_222"]
    assert jobs["F2"]["status"] == "failed"
    assert jobs["F2"]["last_error"] == "cannot route line L1: no distributor"
    assert jobs["F2"]["dr_fulfillment_ids"] == []


async def test_jobs_leave_out_payload(client, headers, store, installed):
    add_job(store, installed.api_url, "F1", "1001")
    response = await client.get(f"{API}/jobs", headers=headers)
    assert "payload" not in response.json()["jobs"][0]
    assert "secret" not in response.text


async def test_jobs_filter_by_status(client, headers, store, installed):
    failed = add_job(store, installed.api_url, "F1", "1001")
    finish(store, failed, error="boom")
    add_job(store, installed.api_url, "F2", "1002", minutes=1)
    jobs = (await client.get(f"{API}/jobs?status=failed", headers=headers)).json()[
        "jobs"
    ]
    assert [job["fulfillment_id"] for job in jobs] == ["F1"]


async def test_jobs_reject_bad_query(client, headers):
    assert (
        await client.get(f"{API}/jobs?status=lost", headers=headers)
    ).status_code == 400
    assert (await client.get(f"{API}/jobs?limit=0", headers=headers)).status_code == 400
    assert (
        await client.get(f"{API}/jobs?limit=abc", headers=headers)
    ).status_code == 400
    assert (
        await client.get(f"{API}/jobs?limit=201", headers=headers)
    ).status_code == 400


async def test_retry_queues_failed_job(client, headers, store, installed):
    job = add_job(store, installed.api_url, "F1", "1001")
    finish(store, job, error="Digital River rejected the request")
    response = await client.post(f"{API}/jobs/{job.id}/retry", headers=headers)
    assert response.status_code == 200
    assert response.json()["job"]["status"] == "queued"
    assert store.get_job(job.id).status is JobStatus.QUEUED


async def test_retry_of_succeeded_job_is_409(client, headers, store, installed):
    job = add_job(store, installed.api_url, "F1", "1001")
    finish(store, job, result=json.dumps(OUTCOME))
    response = await client.post(f"{API}/jobs/{job.id}/retry", headers=headers)
    assert response.status_code == 409
    assert store.get_job(job.id).status is JobStatus.SUCCEEDED


async def test_retry_of_other_saleors_job_is_404(client, headers, store, installed):
    job = add_job(store, OTHER_SALEOR, "F9", "9009")
    finish(store, job, error="boom")
    response = await client.post(f"{API}/jobs/{job.id}/retry", headers=headers)
    assert response.status_code == 404
    assert store.get_job(job.id).status is JobStatus.FAILED


async def test_retry_of_unknown_job_is_404(client, headers):
    response = await client.post(f"{API}/jobs/999/retry", headers=headers)
    assert response.status_code == 404


def test_dr_ids_of_unusable_results():
    assert dr_fulfillment_ids(None) == []
    assert dr_fulfillment_ids("not json") == []
    assert dr_fulfillment_ids("[]") == []
    assert dr_fulfillment_ids('{"sent": [{"dr_fulfillment_id": 5}, "x"]}') == []
