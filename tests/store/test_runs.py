"""A job's ``runs`` count survives releases and retries."""

from plugin.context import utc_now


def claim(store, owner="w"):
    (job,) = store.claim_jobs(owner, 1, 30, utc_now())
    return job


def enqueue(store):
    job, _ = store.enqueue_job(
        "http://s/graphql/", "F", "O", "1", "fulfillment_created", "{}", utc_now()
    )
    return job


def test_new_job_has_no_runs(store):
    assert enqueue(store).runs == 0


def test_claim_counts_a_run(store):
    enqueue(store)

    assert claim(store).runs == 1


def test_release_keeps_runs(store):
    job = enqueue(store)
    claim(store)
    store.release_job(job.id, "w")

    again = claim(store)

    assert again.attempts == 1
    assert again.runs == 2


def test_retry_keeps_runs(store):
    job = enqueue(store)
    claim(store)
    store.fail_job(job.id, "w", "failed", utc_now())
    store.retry_job(job.id, utc_now())

    again = claim(store)

    assert again.attempts == 1
    assert again.runs == 2
