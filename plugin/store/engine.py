"""Database engines for SQLite and PostgreSQL, transactions, and error conversion.

SQLite runs in WAL mode with a busy timeout and foreign keys on. Python's
``sqlite3`` module would open transactions on its own, so the engine turns that
off and emits ``BEGIN`` itself: ``BEGIN IMMEDIATE`` for write transactions,
which takes SQLite's write lock at the start and so serializes writers before
they read. PostgreSQL URLs are mapped to the psycopg 3 driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy.exc
from sqlalchemy import (
    URL,
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.dialects import postgresql, sqlite

from plugin.store.errors import StoreError, StoreUnavailable

__all__ = [
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "Database",
    "conflict_insert",
    "translate_errors",
]

SQLITE_BUSY_TIMEOUT_SECONDS = 10.0
"""How long a SQLite statement waits for another connection's lock before failing."""

POSTGRES_CONNECT_TIMEOUT_SECONDS = 10
"""How long opening a PostgreSQL connection may take before it fails."""

_TRANSIENT_ERRORS = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,
)


@contextmanager
def translate_errors(action: str) -> Iterator[None]:
    """Convert SQLAlchemy and driver errors raised inside the block to StoreError.

    Connection and operational errors (server down, connection lost, SQLite
    database locked, deadlock) become ``StoreUnavailable``, which is transient.
    """
    try:
        yield
    except _TRANSIENT_ERRORS as error:
        raise StoreUnavailable(
            f"{action} failed: {_describe(error)}. Check that the database is "
            "reachable and not overloaded, then try again"
        ) from error
    except sqlalchemy.exc.SQLAlchemyError as error:
        raise StoreError(f"{action} failed: {_describe(error)}") from error


def _describe(error: sqlalchemy.exc.SQLAlchemyError) -> str:
    # The driver's message, without the SQL text SQLAlchemy adds around it.
    original = getattr(error, "orig", None)
    message = str(original) if original is not None else str(error)
    return " ".join(message.split())


class Database:
    """An engine plus the transaction helpers every store module uses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def connect(cls, url: str) -> Database:
        """Create the engine for a ``sqlite:///PATH`` or ``postgresql://`` URL."""
        parsed = _parse_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = _create_sqlite_engine(parsed)
        else:
            engine = _create_postgres_engine(parsed)
        return cls(engine)

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for logs and messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self, action: str) -> Iterator[Connection]:
        """Yield a connection in a read transaction, rolled back at the end."""
        with translate_errors(action), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self, action: str) -> Iterator[Connection]:
        """Yield a connection in a write transaction, committed unless the block raises."""
        with translate_errors(action), self.engine.connect() as connection:
            if self.dialect == "sqlite":
                connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                yield connection

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise StoreError(
            "invalid database URL: use sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
        ) from None

    if parsed.drivername == "sqlite":
        _check_sqlite_path(parsed)
        return parsed
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    raise StoreError(
        f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:///PATH "
        "or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
    )


def _check_sqlite_path(url: URL) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise StoreError(
            f"unsupported SQLite database {database or '(none)'!r}: the store needs "
            "a file that several connections share, so use sqlite:///PATH"
        )
    directory = Path(database).parent
    if not directory.is_dir():
        raise StoreError(
            f"cannot open SQLite database {database!r}: directory {str(directory)!r} "
            "does not exist, so create it first"
        )


def _create_sqlite_engine(url: URL) -> Engine:
    engine = create_engine(
        url,
        hide_parameters=True,
        connect_args={
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            "check_same_thread": False,
        },
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level, so that only _begin_sqlite_transaction
    # opens transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _create_postgres_engine(url: URL) -> Engine:
    return create_engine(
        url,
        hide_parameters=True,
        pool_pre_ping=True,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS},
    )


def conflict_insert(
    connection: Connection, table: Table
) -> postgresql.Insert | sqlite.Insert:
    """Return an INSERT of the connection's dialect, which supports ON CONFLICT."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
