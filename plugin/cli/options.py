"""Options shared by the commands that use the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["DEFAULT_DATABASE", "SECRET_KEY_ENV", "database_option", "secret_key_option"]

DEFAULT_DATABASE = "sqlite:///dr-distributor.sqlite3"
SECRET_KEY_ENV = "DR_DISTRIBUTOR_SECRET_KEY"  # noqa: S105 (a variable name)

F = TypeVar("F", bound=Callable[..., Any])


def database_option(function: F) -> F:
    return click.option(
        "--database",
        default=DEFAULT_DATABASE,
        show_default=True,
        envvar="DR_DISTRIBUTOR_DATABASE",
        help="sqlite:///PATH or postgresql://USER@HOST/NAME.",
    )(function)


def secret_key_option(function: F) -> F:
    return click.option(
        "--secret-key",
        envvar=SECRET_KEY_ENV,
        show_envvar=True,
        default=None,
        help=(
            "Fernet key that encrypts app tokens and settings in the store "
            "(make one with `dr-distributor secret-key`)."
        ),
    )(function)
