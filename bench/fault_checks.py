"""Checks at the end of the fault run: the sandbox's record, the jobs and Saleor.

Every Saleor fulfillment must have exactly one Digital River fulfillment per
payout currency, and every job must have ended ``succeeded`` or ``failed``.
"""

from __future__ import annotations

import collections
from typing import Any

from bench.fixtures import Delivery
from plugin.routing.keys import FULFILLMENT_ID_FIELD
from plugin.saleor.reporter import STATUS_KEY
from plugin.store import JobStatus, Store
from tests.support.saleor_double import SaleorDouble

__all__ = ["check_digitalriver", "check_jobs", "check_saleor"]


def check_digitalriver(
    records: list[dict[str, Any]], deliveries: list[Delivery]
) -> dict[str, Any]:
    """Count the sandbox's requests and match its fulfillments to the deliveries.

    A ``POST /fulfillments`` that got 201 created a fulfillment, even when the
    sandbox then dropped the connection on purpose.
    """
    created: collections.Counter[tuple[str, str]] = collections.Counter()
    statuses: collections.Counter[str] = collections.Counter()
    for record in records:
        statuses[f"{record['method']} {record['status']}"] += 1
        body = record["body"]
        if (
            record["method"] == "POST"
            and record["status"] == 201
            and isinstance(body, dict)
        ):
            created[(body["metadata"][FULFILLMENT_ID_FIELD], body["currency"])] += 1

    expected = {
        (d.fulfillment_id, currency) for d in deliveries for currency in d.currencies
    }
    return {
        "requests": len(records),
        "requests_by_method_and_status": dict(sorted(statuses.items())),
        "status_429": sum(1 for record in records if record["status"] == 429),
        "status_5xx": sum(1 for record in records if (record["status"] or 0) >= 500),
        "dropped_after_commit": sum(
            1 for record in records if record["dropped"] and record["status"] == 201
        ),
        "fulfillments_expected": len(expected),
        "fulfillments_created": sum(created.values()),
        "fulfillments_missing": len(expected - set(created)),
        "fulfillments_duplicated": sum(1 for count in created.values() if count > 1),
        "fulfillments_unexpected": len(set(created) - expected),
    }


def check_jobs(store: Store, unique_fulfillments: int) -> dict[str, Any]:
    """Count the jobs by status and list the errors of failed ones."""
    counts = store.count_jobs_by_status()
    failed = store.list_jobs(status=JobStatus.FAILED, limit=20)
    unfinished = counts[JobStatus.QUEUED.value] + counts[JobStatus.RUNNING.value]
    return {
        "jobs": sum(counts.values()),
        "jobs_expected": unique_fulfillments,
        "jobs_by_status": counts,
        "jobs_unfinished": unfinished,
        "failed_examples": [
            f"job {job.id} ({job.attempts} attempts): {job.last_error}"
            for job in failed[:5]
        ],
    }


def check_saleor(saleor: SaleorDouble, deliveries: list[Delivery]) -> dict[str, Any]:
    """Count what the workers reported back on the Saleor orders and fulfillments."""
    statuses: collections.Counter[str] = collections.Counter()
    notes: collections.Counter[int] = collections.Counter()
    for delivery in deliveries:
        fulfillment = saleor.fulfillments[delivery.fulfillment_id]
        statuses[fulfillment.private_metadata.get(STATUS_KEY, "(none)")] += 1
        notes[len(saleor.orders[delivery.body["order"]["id"]].notes)] += 1
    return {
        "fulfillment_status_metadata": dict(statuses),
        "orders_by_note_count": {
            str(count): orders for count, orders in sorted(notes.items())
        },
    }
