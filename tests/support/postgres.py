"""A throwaway PostgreSQL server for the tests, and store fixtures over both backends.

The ``postgres_server`` fixture runs ``initdb`` into a temporary directory and
starts the server with ``pg_ctl`` on 127.0.0.1 and a free port, with fsync and
full-page writes off because the data is thrown away. PostgreSQL refuses to
run as root, so under root the server runs as the ``postgres`` system user.
The server is stopped and its directory removed at the end of the session.

The binaries are looked up in ``$POSTGRES_BIN``, then next to ``pg_ctl`` on
``PATH``, then in ``/usr/lib/postgresql/*/bin`` (newest version first). When
they are missing, the PostgreSQL tests are skipped, or fail when the ``CI``
environment variable is set, so that CI cannot pass without them.

Register the fixtures with ``pytest_plugins = ["tests.support.postgres"]`` in
the root conftest, or import them into a directory's conftest. Both may be done
at once: the server is shared, so the session still starts only one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from plugin.store import Store

__all__ = [
    "PostgresServer",
    "find_postgres_bin",
    "postgres_server",
    "postgres_url",
    "store",
    "store_url",
]

SYSTEM_USER = "postgres"
"""The system user that runs the server when the tests run as root."""

SUPERUSER = "postgres"
"""The database superuser that ``initdb`` creates, who logs in without a password."""

START_TIMEOUT_SECONDS = 60
START_ATTEMPTS = 3
"""Starts tried, each on a new free port, in case another process takes the port first."""


def find_postgres_bin() -> Path | None:
    """Return the directory with ``initdb`` and ``pg_ctl``, or None when not installed."""
    candidates = []
    if configured := os.environ.get("POSTGRES_BIN"):
        candidates.append(Path(configured))
    if pg_ctl := shutil.which("pg_ctl"):
        candidates.append(Path(pg_ctl).parent)
    installed = Path("/usr/lib/postgresql").glob("*/bin")
    candidates.extend(sorted(installed, key=_major_version, reverse=True))

    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    return None


def _major_version(bin_dir: Path) -> int:
    name = bin_dir.parent.name
    return int(name) if name.isdigit() else 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    """A PostgreSQL server in a temporary directory, listening on 127.0.0.1 only."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.as_system_user = os.geteuid() == 0
        # Under root, $TMPDIR may be a directory the postgres user cannot enter.
        parent = "/tmp" if self.as_system_user else None
        self.directory = Path(tempfile.mkdtemp(prefix="store-postgres-", dir=parent))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.port = 0
        self._names = itertools.count(1)

    def start(self) -> None:
        """Create the cluster and start the server, or raise RuntimeError on failure."""
        if self.as_system_user:
            shutil.chown(self.directory, user=SYSTEM_USER, group=None)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
                  "-E", "UTF8", "--no-sync")  # fmt: skip

        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = _free_port()
            try:
                self._run("pg_ctl", "start", "-w", "-t", str(START_TIMEOUT_SECONDS),
                          "-D", str(self.data), "-l", str(self.log), "-o", self._options())  # fmt: skip
                return
            except RuntimeError:
                if attempt == START_ATTEMPTS:
                    raise

    def stop(self) -> None:
        """Stop the server at once and delete its directory."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(
                    "pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w"
                )
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str) -> str:
        """Return the ``postgresql://`` URL of a database on this server."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create a database, named ``test_N`` unless given, and return its name.

        An existing database of that name is kept.
        """
        name = name or f"test_{next(self._names)}"
        with self._admin() as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if exists is None:
                connection.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                )
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection still open to it."""
        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
            autocommit=True, connect_timeout=10,
        )  # fmt: skip

    def _options(self) -> str:
        return (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin_dir / program), *arguments]
        if self.as_system_user:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{program} failed with exit code {completed.returncode}:\n"
                f"{completed.stdout}{completed.stderr}{log}"
            )


class _SharedServer:
    """One server per test session, however many fixture definitions use it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: PostgresServer | None = None
        self._failure: BaseException | None = None
        self._users = 0

    def acquire(self) -> PostgresServer:
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._server is None:
                try:
                    self._server = _start_server()
                except BaseException as failure:
                    # Skip, fail or error every later user the same way, at once.
                    self._failure = failure
                    raise
            self._users += 1
            return self._server

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._server is not None:
                self._server.stop()
                self._server = None


_SHARED = _SharedServer()


def _start_server() -> PostgresServer:
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        reason = (
            "PostgreSQL binaries (initdb, pg_ctl) not found in $POSTGRES_BIN, on PATH "
            "or in /usr/lib/postgresql/*/bin. Install PostgreSQL (Debian: apt-get "
            "install postgresql) to run the PostgreSQL tests"
        )
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)

    server = PostgresServer(bin_dir)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server, started on first use."""
    server = _SHARED.acquire()
    try:
        yield server
    finally:
        _SHARED.release()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a database named ``plugin_test`` on the session's server."""
    return postgres_server.url(postgres_server.create_database("plugin_test"))


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return

    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store on an empty database, closed after the test."""
    opened = Store.open(store_url)
    yield opened
    opened.close()
