"""The ``dr-distributor`` command line."""

from __future__ import annotations

import logging

import click

from plugin import __version__
from plugin.cli.costs import costs
from plugin.cli.jobs import jobs
from plugin.cli.ledger import ledger
from plugin.cli.process import process
from plugin.cli.sandbox import sandbox
from plugin.cli.schema import settings_schema
from plugin.cli.serve import secret_key, serve, worker
from plugin.logs import configure_logging

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dr-distributor")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default="warning",
    show_default=True,
    help="Lowest level of log lines written to standard error.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines as plain text or as JSON objects, one per line.",
)
def main(log_level: str, log_format: str) -> None:
    """Report Saleor fulfillments to Digital River's distributor model."""
    configure_logging(getattr(logging, log_level.upper()), log_format)


for command in (
    process,
    settings_schema,
    sandbox,
    serve,
    worker,
    jobs,
    costs,
    ledger,
    secret_key,
):
    main.add_command(command)
