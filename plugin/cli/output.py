"""Helpers of the commands that read the store and write files.

Opening the store, writing output files atomically, and deciding whether to
show a progress bar.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click
from sqlalchemy.engine import make_url

from plugin.store import Store, StoreError

__all__ = [
    "closing_rows",
    "open_output",
    "open_store",
    "output_name",
    "output_option",
    "progress_option",
    "require_existing_database",
    "wants_progress",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def progress_option(function: F) -> F:
    """Add ``--progress/--no-progress``, passed to the command as ``progress``."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Show a progress bar on standard error [default: when it is a terminal].",
    )(function)


def output_option(function: F) -> F:
    """Add ``--output``/``-o``, passed to the command as ``output``."""
    return click.option(
        "--output",
        "-o",
        default="-",
        show_default=True,
        type=click.Path(dir_okay=False, allow_dash=True),
        help="File to write, or - for standard output. An existing file is replaced only when the export succeeds.",
    )(function)


def wants_progress(flag: bool | None) -> bool:
    """Return whether to show progress: as requested, else when stderr is a terminal."""
    if flag is not None:
        return flag
    return sys.stderr.isatty()


@contextlib.contextmanager
def open_store(database: str, *, create: bool = False) -> Iterator[Store]:
    """Open the store for one command, turning store errors into click errors.

    Unless ``create`` is set, a SQLite file that does not exist is an error,
    so a mistyped ``--database`` does not read a new, empty database.
    """
    if not create:
        require_existing_database(database)
    try:
        store = Store.open(database)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    try:
        with store:
            yield store
    except StoreError as error:
        raise click.ClickException(str(error)) from None


def require_existing_database(database: str) -> None:
    """Raise a click error when ``database`` names a SQLite file that is missing."""
    url = make_url(database)
    if url.drivername.startswith("sqlite") and url.database:
        path = Path(url.database)
        if not path.exists():
            raise click.ClickException(
                f"database file {str(path)!r} not found; pass --database with the "
                "store that `dr-distributor serve` uses"
            )


@contextlib.contextmanager
def closing_rows(rows: Iterator[T]) -> Iterator[Iterator[T]]:
    """Yield ``rows``, then close it, which ends a store query streaming them."""
    try:
        yield rows
    finally:
        if isinstance(rows, Generator):
            rows.close()


@contextlib.contextmanager
def open_output(target: str) -> Iterator[TextIO]:
    """Yield a UTF-8 text stream to the file ``target``, or to standard output for ``-``.

    A file is written under a temporary name in its directory and renamed to
    ``target`` only when the block succeeds, so a failed export leaves an
    existing file as it was and no partial file behind.
    """
    if target == "-":
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            yield stdout
        finally:
            stdout.flush()
            stdout.detach()
        return

    path = Path(target)
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise click.ClickException(
            f"cannot write {target!r}: {error.strerror}"
        ) from None
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as file:
            yield file
        # mkstemp creates the file readable by its owner only.
        os.chmod(temporary, _new_file_mode())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _new_file_mode() -> int:
    # os.umask can only be read by setting it, so set it back at once.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def output_name(target: str) -> str:
    """Return how messages name the ``--output`` target."""
    return "standard output" if target == "-" else repr(target)
