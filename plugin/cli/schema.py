"""``dr-distributor settings-schema``."""

from __future__ import annotations

import click

from plugin.settings import settings_schema_text


@click.command("settings-schema")
def settings_schema() -> None:
    """Print the JSON Schema of the settings file."""
    click.echo(settings_schema_text(), nl=False)
