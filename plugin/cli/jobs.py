"""``dr-distributor jobs``: list, show and retry jobs."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from plugin.cli.options import database_option
from plugin.cli.output import require_existing_database
from plugin.context import utc_now
from plugin.store import (
    Job,
    JobStateError,
    JobStatus,
    RecordNotFound,
    Store,
    StoreError,
)

__all__ = ["jobs"]


@click.group()
def jobs() -> None:
    """Inspect and retry the jobs of the Saleor app."""


@jobs.command("list")
@database_option
@click.option(
    "--status",
    type=click.Choice([status.value for status in JobStatus]),
    help="Only jobs with this status.",
)
@click.option("--limit", default=50, show_default=True, help="Newest jobs to show.")
def list_jobs(database: str, status: str | None, limit: int) -> None:
    """List the newest jobs."""
    store = _open(database)
    table = Table(
        "ID", "Status", "Order", "Fulfillment", "Attempts", "Next attempt", "Last error"
    )
    for job in store.list_jobs(
        status=JobStatus(status) if status else None, limit=limit
    ):
        table.add_row(
            str(job.id),
            job.status.value,
            job.order_number,
            job.fulfillment_id,
            str(job.attempts),
            job.next_attempt_at.isoformat(timespec="seconds")
            if job.status == JobStatus.QUEUED
            else "",
            (job.last_error or "")[:80],
        )
    Console().print(table)


@jobs.command("show")
@database_option
@click.argument("job_id", type=int)
def show_job(database: str, job_id: int) -> None:
    """Show one job with its error and result."""
    job = _open(database).get_job(job_id)
    if job is None:
        raise click.ClickException(
            f"job {job_id} not found; `dr-distributor jobs list` shows the ids"
        )
    _print_job(Console(), job)


@jobs.command("retry")
@database_option
@click.argument("job_id", type=int)
def retry_job(database: str, job_id: int) -> None:
    """Queue a failed job again, once the cause is fixed."""
    try:
        job = _open(database).retry_job(job_id, utc_now())
    except (RecordNotFound, JobStateError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"job {job.id} queued again (order {job.order_number})")


def _open(database: str) -> Store:
    require_existing_database(database)
    try:
        return Store.open(database)
    except StoreError as error:
        raise click.ClickException(str(error)) from None


def _print_job(console: Console, job: Job) -> None:
    table = Table(show_header=False)
    for name, value in (
        ("ID", str(job.id)),
        ("Status", job.status.value),
        ("Saleor", job.saleor_api_url),
        ("Order", f"{job.order_number} ({job.order_id})"),
        ("Fulfillment", job.fulfillment_id),
        ("Attempts", str(job.attempts)),
        ("Created", job.created_at.isoformat(timespec="seconds")),
        (
            "Finished",
            job.finished_at.isoformat(timespec="seconds") if job.finished_at else "",
        ),
        ("Last error", job.last_error or ""),
    ):
        table.add_row(name, value)
    console.print(table)
    if job.result:
        console.print_json(json.dumps(json.loads(job.result)))
