"""``dr-distributor costs``: import and export the unit-cost table as CSV.

The CSV format is described in ``plugin.costs_csv``.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from plugin.cli.options import database_option
from plugin.cli.output import (
    closing_rows,
    open_output,
    open_store,
    output_name,
    output_option,
    progress_option,
    wants_progress,
)
from plugin.costs_csv import (
    CostFileError,
    CostReader,
    CostRowsInvalid,
    RowProblem,
    write_costs,
)
from plugin.errors import SettingsError
from plugin.settings import load_settings
from plugin.store import Store

__all__ = ["costs"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@click.group()
def costs() -> None:
    """Import and export the unit costs of the distributors."""


@costs.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@database_option
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=(
        "Settings file (.toml or .json). Each row must then name a configured "
        "distributor and its payout currency."
    ),
)
@progress_option
def import_costs(
    file: str, database: str, settings_path: Path | None, progress: bool | None
) -> None:
    """Replace the stored unit costs with those in FILE (- for standard input).

    FILE is CSV with the header distributor,sku,currency,cost,effective_from.
    Every invalid row is listed with its line number, and then nothing is
    imported. Otherwise the whole table is replaced in one transaction.
    """
    payout_currencies = _payout_currencies(settings_path)
    console = Console(stderr=True)

    with _open_input(file) as binary, open_store(database, create=True) as store:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            loaded = _import(store, text, binary, payout_currencies, console, progress)
        except CostRowsInvalid as error:
            _exit_invalid(console, file, error.count)
        except CostFileError as error:
            raise click.ClickException(f"{_input_name(file)}: {error}") from None
        finally:
            text.detach()

    click.echo(f"imported {loaded} unit costs from {_input_name(file)}")


@costs.command("export")
@database_option
@output_option
def export_costs(database: str, output: str) -> None:
    """Write the stored unit costs as CSV in the format `costs import` reads.

    Rows are ordered by distributor, SKU and effective_from.
    """
    with (
        open_store(database) as store,
        open_output(output) as text,
        closing_rows(store.iter_costs()) as rows,
    ):
        written = write_costs(rows, text)
    click.echo(f"exported {written} unit costs to {output_name(output)}", err=True)


def _payout_currencies(settings_path: Path | None) -> dict[str, str] | None:
    if settings_path is None:
        return None
    try:
        settings = load_settings(settings_path)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    return {
        distributor.id: distributor.currency for distributor in settings.distributors
    }


@contextlib.contextmanager
def _open_input(file: str) -> Iterator[IO[bytes]]:
    if file == "-":
        yield sys.stdin.buffer
        return
    try:
        binary = open(file, "rb")  # noqa: SIM115 - the with block below closes it
    except OSError as error:
        raise click.ClickException(f"cannot read {file!r}: {error.strerror}") from None
    with binary:
        yield binary


def _import(
    store: Store,
    text: TextIO,
    binary: IO[bytes],
    payout_currencies: Mapping[str, str] | None,
    console: Console,
    progress: bool | None,
) -> int:
    if not wants_progress(progress):
        reader = CostReader(text, _printer(console), payout_currencies)
        return store.replace_costs(reader)

    with _ImportProgress(console, binary) as bar:
        reader = CostReader(text, _printer(bar.console), payout_currencies)
        return store.replace_costs(reader, progress=bar.loaded)


def _printer(console: Console) -> Callable[[RowProblem], None]:
    def print_problem(problem: RowProblem) -> None:
        console.print(str(problem), markup=False, highlight=False, soft_wrap=True)

    return print_problem


def _exit_invalid(console: Console, file: str, count: int) -> NoReturn:
    console.print(
        f"error: {_rows(count)} invalid in {_input_name(file)}, so nothing was imported "
        "and the stored unit costs are unchanged. Fix the rows listed above and "
        "import the file again.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    raise SystemExit(1)


class _ImportProgress:
    """A progress bar of the bytes read from the cost file and the rows loaded."""

    def __init__(self, console: Console, binary: IO[bytes]) -> None:
        self._binary = binary
        self._size = _regular_file_size(binary)
        self._bar = Progress(
            TextColumn("importing unit costs"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[rows]} rows"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = TaskID(0)
        self.console = self._bar.console

    def __enter__(self) -> _ImportProgress:
        self._bar.start()
        self._task = self._bar.add_task("import", total=self._size, rows=0)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._bar.stop()

    def loaded(self, rows: int) -> None:
        """Show ``rows`` loaded so far and how far the file has been read."""
        completed = self._binary.tell() if self._size is not None else None
        self._bar.update(self._task, completed=completed, rows=rows)


def _regular_file_size(binary: IO[bytes]) -> int | None:
    # Pipes and terminals have no size, and the bar then shows no total.
    try:
        status = os.fstat(binary.fileno())
    except (OSError, ValueError):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _rows(count: int) -> str:
    return "1 row is" if count == 1 else f"{count} rows are"


def _input_name(file: str) -> str:
    return "standard input" if file == "-" else repr(file)
