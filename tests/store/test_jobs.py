"""The job queue: enqueue deduplication, claims, leases and status changes."""

from __future__ import annotations

import datetime as dt

import pytest

from plugin.store import JobStateError, JobStatus, LeaseLost, RecordNotFound, StoreError

API_URL = "https://shop.example.com/graphql/"
EVENT = "fulfillment_created"
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
LEASE = 30.0


def seconds(count: float) -> dt.timedelta:
    return dt.timedelta(seconds=count)


def enqueue(store, fulfillment_id="F1", now=T0, payload='{"fulfillment": {}}'):
    job, _ = store.enqueue_job(
        API_URL, fulfillment_id, "O1", "1001", EVENT, payload, now
    )
    return job


def claim_one(store, owner="worker-a", now=T0):
    (job,) = store.claim_jobs(owner, 1, LEASE, now)
    return job


# enqueue


def test_enqueue_creates_queued_job(store):
    job, created = store.enqueue_job(API_URL, "F1", "O1", "1001", EVENT, "{}", T0)
    assert created is True
    assert job.status is JobStatus.QUEUED
    assert job.attempts == 0
    assert job.created_at == T0
    assert job.next_attempt_at == T0
    assert job.lease_owner is None


def test_enqueue_duplicate_returns_existing(store):
    first, first_created = store.enqueue_job(
        API_URL, "F1", "O1", "1001", EVENT, "{}", T0
    )
    second, second_created = store.enqueue_job(
        API_URL, "F1", "O1", "1001", EVENT, '{"other": 1}', T0 + seconds(5)
    )
    assert first_created is True
    assert second_created is False
    assert second == first
    assert store.count_jobs_by_status()["queued"] == 1


def test_enqueue_other_event_is_new_job(store):
    store.enqueue_job(API_URL, "F1", "O1", "1001", EVENT, "{}", T0)
    _, created = store.enqueue_job(
        API_URL, "F1", "O1", "1001", "fulfillment_canceled", "{}", T0
    )
    assert created is True


def test_enqueue_other_saleor_is_new_job(store):
    store.enqueue_job(API_URL, "F1", "O1", "1001", EVENT, "{}", T0)
    _, created = store.enqueue_job(
        "https://other/graphql/", "F1", "O1", "1001", EVENT, "{}", T0
    )
    assert created is True


def test_payload_stored_exactly(store):
    payload = '{ "note": "Grüße \\u00e9 \\n",\n  "x": 1.10 }  \n'
    job = enqueue(store, payload=payload)
    assert store.get_job(job.id).payload == payload


def test_payload_hidden_in_repr(store):
    job = enqueue(store, payload='{"secret-looking": "body"}')
    assert "secret-looking" not in repr(job)


def test_naive_now_rejected(store):
    with pytest.raises(ValueError, match="no time zone"):
        store.enqueue_job(
            API_URL, "F1", "O1", "1001", EVENT, "{}", dt.datetime(2024, 5, 1)
        )


def test_times_returned_in_utc(store):
    berlin = dt.timezone(dt.timedelta(hours=2))
    job = enqueue(store, now=T0.astimezone(berlin))
    assert job.created_at == T0
    assert job.created_at.utcoffset() == dt.timedelta(0)


# claim


def test_claim_sets_lease(store):
    enqueue(store)
    job = claim_one(store, "worker-a", T0)
    assert job.status is JobStatus.RUNNING
    assert job.lease_owner == "worker-a"
    assert job.lease_expires_at == T0 + seconds(LEASE)
    assert job.attempts == 1


def test_claim_skips_future_jobs(store):
    enqueue(store, now=T0 + seconds(60))
    assert store.claim_jobs("worker-a", 10, LEASE, T0) == []
    assert len(store.claim_jobs("worker-a", 10, LEASE, T0 + seconds(60))) == 1


def test_claim_skips_held_lease(store):
    enqueue(store)
    claim_one(store, "worker-a", T0)
    assert store.claim_jobs("worker-b", 10, LEASE, T0 + seconds(LEASE - 1)) == []


def test_claim_takes_lapsed_lease(store):
    enqueue(store)
    claim_one(store, "worker-a", T0)
    job = claim_one(store, "worker-b", T0 + seconds(LEASE))
    assert job.lease_owner == "worker-b"
    assert job.attempts == 2


def test_claim_oldest_first(store):
    enqueue(store, "F-late", now=T0 + seconds(2))
    enqueue(store, "F-early", now=T0)
    enqueue(store, "F-middle", now=T0 + seconds(1))
    claimed = store.claim_jobs("worker-a", 10, LEASE, T0 + seconds(10))
    assert [job.fulfillment_id for job in claimed] == ["F-early", "F-middle", "F-late"]


def test_claim_respects_limit(store):
    for index in range(5):
        enqueue(store, f"F{index}", now=T0 + seconds(index))
    claimed = store.claim_jobs("worker-a", 2, LEASE, T0 + seconds(10))
    assert [job.fulfillment_id for job in claimed] == ["F0", "F1"]


def test_claim_zero_limit(store):
    enqueue(store)
    assert store.claim_jobs("worker-a", 0, LEASE, T0) == []


@pytest.mark.parametrize("lease_seconds", [0, -1.0])
def test_claim_rejects_bad_lease(store, lease_seconds):
    with pytest.raises(ValueError, match="lease_seconds"):
        store.claim_jobs("worker-a", 1, lease_seconds, T0)


def test_claim_ignores_finished_jobs(store):
    enqueue(store)
    job = claim_one(store)
    store.complete_job(job.id, "worker-a", "{}", T0)
    assert store.claim_jobs("worker-b", 10, LEASE, T0 + seconds(3600)) == []


# leases


def test_extend_lease(store):
    enqueue(store)
    job = claim_one(store)
    assert store.extend_lease(job.id, "worker-a", LEASE, T0 + seconds(20)) is True
    assert store.get_job(job.id).lease_expires_at == T0 + seconds(20 + LEASE)
    assert store.claim_jobs("worker-b", 10, LEASE, T0 + seconds(LEASE + 1)) == []


def test_extend_lease_by_other_owner_refused(store):
    enqueue(store)
    job = claim_one(store)
    assert store.extend_lease(job.id, "worker-b", LEASE, T0) is False


def test_extend_lapsed_unclaimed_lease(store):
    enqueue(store)
    job = claim_one(store)
    assert (
        store.extend_lease(job.id, "worker-a", LEASE, T0 + seconds(LEASE + 5)) is True
    )


def test_lease_lost_refuses_complete(store):
    enqueue(store)
    job = claim_one(store, "worker-a", T0)
    claim_one(store, "worker-b", T0 + seconds(LEASE + 1))
    with pytest.raises(LeaseLost, match="no longer leased to 'worker-a'"):
        store.complete_job(job.id, "worker-a", "{}", T0 + seconds(LEASE + 2))
    assert store.get_job(job.id).status is JobStatus.RUNNING
    assert store.get_job(job.id).lease_owner == "worker-b"


def test_lease_lost_is_store_error(store):
    enqueue(store)
    job = claim_one(store)
    with pytest.raises(StoreError):
        store.fail_job(job.id, "intruder", "boom", T0)


@pytest.mark.parametrize(
    "report",
    [
        lambda store, job_id: store.complete_job(job_id, "worker-a", "{}", T0),
        lambda store, job_id: store.reschedule_job(job_id, "worker-a", "e", T0),
        lambda store, job_id: store.fail_job(job_id, "worker-a", "e", T0),
        lambda store, job_id: store.release_job(job_id, "worker-a"),
    ],
    ids=["complete", "reschedule", "fail", "release"],
)
def test_report_after_finish_refused(store, report):
    enqueue(store)
    job = claim_one(store)
    store.complete_job(job.id, "worker-a", "{}", T0)
    with pytest.raises(LeaseLost):
        report(store, job.id)


def test_report_on_unknown_job_refused(store):
    with pytest.raises(LeaseLost):
        store.complete_job(999, "worker-a", "{}", T0)


# status changes


def test_complete(store):
    enqueue(store)
    job = claim_one(store)
    store.complete_job(job.id, "worker-a", '{"dr": ["ful_1"]}', T0 + seconds(5))
    done = store.get_job(job.id)
    assert done.status is JobStatus.SUCCEEDED
    assert done.result == '{"dr": ["ful_1"]}'
    assert done.finished_at == T0 + seconds(5)
    assert done.lease_owner is None
    assert done.lease_expires_at is None


def test_complete_rejects_invalid_json(store):
    enqueue(store)
    job = claim_one(store)
    with pytest.raises(ValueError, match="result_json"):
        store.complete_job(job.id, "worker-a", "{not json", T0)


def test_reschedule(store):
    enqueue(store)
    job = claim_one(store)
    store.reschedule_job(job.id, "worker-a", "DR timed out", T0 + seconds(40))
    queued = store.get_job(job.id)
    assert queued.status is JobStatus.QUEUED
    assert queued.next_attempt_at == T0 + seconds(40)
    assert queued.last_error == "DR timed out"
    assert queued.attempts == 1
    assert queued.lease_owner is None
    assert store.claim_jobs("worker-a", 1, LEASE, T0 + seconds(39)) == []
    assert claim_one(store, "worker-a", T0 + seconds(40)).attempts == 2


def test_fail(store):
    enqueue(store)
    job = claim_one(store)
    store.fail_job(job.id, "worker-a", "order_fulfilled", T0 + seconds(5))
    failed = store.get_job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.last_error == "order_fulfilled"
    assert failed.finished_at == T0 + seconds(5)
    assert failed.lease_owner is None
    assert store.claim_jobs("worker-a", 1, LEASE, T0 + seconds(3600)) == []


def test_release(store):
    enqueue(store)
    job = claim_one(store)
    store.release_job(job.id, "worker-a")
    released = store.get_job(job.id)
    assert released.status is JobStatus.QUEUED
    assert released.attempts == 0
    assert released.lease_owner is None
    assert released.next_attempt_at == T0
    assert claim_one(store, "worker-b", T0).id == job.id


def test_retry_failed_job(store):
    enqueue(store)
    job = claim_one(store)
    store.fail_job(job.id, "worker-a", "boom", T0)
    retried = store.retry_job(job.id, T0 + seconds(100))
    assert retried.status is JobStatus.QUEUED
    assert retried.next_attempt_at == T0 + seconds(100)
    assert retried.attempts == 0
    assert retried.last_error == "boom"
    assert retried.finished_at is None
    assert claim_one(store, "worker-b", T0 + seconds(100)).id == job.id


@pytest.mark.parametrize("finish", ["queued", "running", "succeeded"])
def test_retry_rejects_job_not_failed(store, finish):
    enqueue(store)
    job_id = store.list_jobs()[0].id
    if finish != "queued":
        claim_one(store)
    if finish == "succeeded":
        store.complete_job(job_id, "worker-a", None, T0)
    with pytest.raises(JobStateError, match=f"job {job_id} is {finish}, not failed"):
        store.retry_job(job_id, T0)


def test_retry_unknown_job(store):
    with pytest.raises(RecordNotFound, match="job 42 not found"):
        store.retry_job(42, T0)


# queries


def test_get_unknown_job(store):
    assert store.get_job(12345) is None


def test_list_newest_first(store):
    for index in range(3):
        enqueue(store, f"F{index}", now=T0 + seconds(index))
    assert [job.fulfillment_id for job in store.list_jobs()] == ["F2", "F1", "F0"]


def test_list_filters(store):
    enqueue(store, "F1")
    enqueue(store, "F2")
    store.enqueue_job("https://other/graphql/", "F3", "O", "1", EVENT, "{}", T0)
    claim_one(store)

    queued = store.list_jobs(status="queued")
    assert {job.fulfillment_id for job in queued} == {"F2", "F3"}
    by_url = store.list_jobs(saleor_api_url=API_URL)
    assert {job.fulfillment_id for job in by_url} == {"F1", "F2"}
    both = store.list_jobs(status=JobStatus.QUEUED, saleor_api_url=API_URL)
    assert [job.fulfillment_id for job in both] == ["F2"]
    assert len(store.list_jobs(limit=1)) == 1


def test_list_unknown_status_rejected(store):
    with pytest.raises(ValueError):
        store.list_jobs(status="done")


def test_count_by_status(store):
    for index in range(4):
        enqueue(store, f"F{index}")
    first, _ = store.claim_jobs("worker-a", 2, LEASE, T0)
    store.fail_job(first.id, "worker-a", "boom", T0)
    counts = store.count_jobs_by_status()
    assert counts == {"queued": 2, "running": 1, "succeeded": 0, "failed": 1}


def test_oldest_due_age_empty(store):
    assert store.oldest_due_job_age(T0) is None


def test_oldest_due_age_ignores_future(store):
    enqueue(store, now=T0 + seconds(10))
    assert store.oldest_due_job_age(T0) is None


def test_oldest_due_age_queued(store):
    enqueue(store, "F1", now=T0)
    enqueue(store, "F2", now=T0 + seconds(30))
    assert store.oldest_due_job_age(T0 + seconds(45)) == 45.0


def test_oldest_due_age_counts_lapsed_lease(store):
    enqueue(store)
    claim_one(store, now=T0)
    assert store.oldest_due_job_age(T0 + seconds(LEASE - 1)) is None
    assert store.oldest_due_job_age(T0 + seconds(LEASE + 10)) == 10.0
