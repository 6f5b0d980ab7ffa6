"""Prometheus metrics of the app, its worker and the Digital River client.

The counters and histograms are process-wide. Each app registers them in a
registry of its own, together with a collector that reads job counts from
its store.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from plugin.context import utc_now
from plugin.store import Store

__all__ = [
    "DR_REQUESTS",
    "DR_RETRIES",
    "JOB_OUTCOMES",
    "RATE_LIMIT_WAIT",
    "WEBHOOKS",
    "MetricsObserver",
    "build_registry",
]

WEBHOOKS = Counter(
    "dr_distributor_webhooks",
    "Webhook deliveries by outcome.",
    ["outcome"],
    registry=None,
)
JOB_OUTCOMES = Counter(
    "dr_distributor_job_runs",
    "Job runs by result: succeeded, failed, retried or released.",
    ["result"],
    registry=None,
)
DR_REQUESTS = Histogram(
    "dr_distributor_digitalriver_request_seconds",
    "Digital River request latency by method, route and outcome.",
    ["method", "route", "outcome"],
    registry=None,
)
DR_RETRIES = Counter(
    "dr_distributor_digitalriver_retries",
    "Digital River requests retried, by reason.",
    ["reason"],
    registry=None,
)
RATE_LIMIT_WAIT = Counter(
    "dr_distributor_rate_limit_wait_seconds",
    "Seconds spent waiting in the client-side rate limiter.",
    registry=None,
)


class MetricsObserver:
    """Digital River client observer that records into the metrics above."""

    def request_finished(
        self, method: str, path: str, outcome: str, seconds: float
    ) -> None:
        DR_REQUESTS.labels(method=method, route=path, outcome=outcome).observe(seconds)

    def retry_scheduled(self, reason: str, delay: float) -> None:
        DR_RETRIES.labels(reason=reason).inc()

    def rate_limit_waited(self, seconds: float) -> None:
        RATE_LIMIT_WAIT.inc(seconds)


class StoreCollector(Collector):
    """Job counts by status and the age of the oldest due job, read at scrape time."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "dr_distributor_jobs", "Jobs in the store by status.", labels=["status"]
        )
        for status, count in sorted(self._store.count_jobs_by_status().items()):
            jobs.add_metric([status], count)
        yield jobs

        age = self._store.oldest_due_job_age(utc_now())
        yield GaugeMetricFamily(
            "dr_distributor_oldest_due_job_age_seconds",
            "Age of the oldest job that is due and not yet done (0 without one).",
            value=age or 0.0,
        )


def build_registry(store: Store) -> CollectorRegistry:
    """Return a registry with the process-wide metrics and the store's job gauges."""
    registry = CollectorRegistry(auto_describe=True)
    for metric in (WEBHOOKS, JOB_OUTCOMES, DR_REQUESTS, DR_RETRIES, RATE_LIMIT_WAIT):
        registry.register(metric)
    registry.register(StoreCollector(store))
    return registry
