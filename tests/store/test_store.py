"""Opening, checking and closing a store, and the conversion of database errors."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy.exc import SQLAlchemyError

from plugin.store import Store, StoreError, StoreUnavailable
from tests.store.raw import raw_execute
from tests.support.postgres import PostgresServer


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ping_succeeds(store):
    assert store.ping() is None


def test_dialect_names_backend(store, store_url):
    assert store.dialect == store_url.split(":", 1)[0]


def test_context_manager_closes(store_url):
    with Store.open(store_url) as opened:
        opened.ping()


def test_sqlite_pragmas_applied(tmp_path):
    with (
        Store.open(f"sqlite:///{tmp_path / 'p.sqlite3'}") as opened,
        opened._db.read("test") as connection,
    ):
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert journal == "wal"
    assert foreign_keys == 1
    assert busy_timeout >= 1000


def test_unsupported_scheme_rejected():
    with pytest.raises(StoreError, match="unsupported database URL scheme 'mysql'"):
        Store.open("mysql://localhost/db")


def test_malformed_url_rejected():
    with pytest.raises(StoreError, match="invalid database URL"):
        Store.open("not a url")


def test_sqlite_memory_rejected():
    with pytest.raises(StoreError, match="use sqlite:///PATH"):
        Store.open("sqlite://")


def test_sqlite_missing_directory_rejected(tmp_path):
    missing = tmp_path / "absent" / "store.sqlite3"
    with pytest.raises(StoreError, match="does not exist") as raised:
        Store.open(f"sqlite:///{missing}")
    assert raised.value.transient is False


def test_unreachable_postgres_is_transient():
    url = f"postgresql://nobody:secret-password@127.0.0.1:{_unused_port()}/none"
    with pytest.raises(StoreUnavailable) as raised:
        Store.open(url)
    assert raised.value.transient is True
    assert "secret-password" not in str(raised.value)


def test_postgres_scheme_maps_to_psycopg(postgres_url):
    with Store.open(postgres_url.replace("postgresql://", "postgres://", 1)) as opened:
        assert opened._db.engine.url.drivername == "postgresql+psycopg"


def test_repr_hides_password(postgres_url):
    with_password = postgres_url.replace("postgres@", "postgres:hunter2@", 1)
    with Store.open(with_password) as opened:
        assert "hunter2" not in repr(opened)


def test_database_error_converted(store, store_url):
    raw_execute(store_url, "DROP TABLE unit_costs")
    with pytest.raises(StoreError, match="counting unit costs failed") as raised:
        store.count_costs()
    assert isinstance(raised.value.__cause__, SQLAlchemyError)


@pytest.mark.postgres
def test_stopped_server_gives_store_unavailable(postgres_server):
    server = PostgresServer(postgres_server.bin_dir)
    server.start()
    try:
        opened = Store.open(server.url(server.create_database()))
        opened.ping()
        server.stop()
        with pytest.raises(StoreUnavailable) as raised:
            opened.ping()
        assert raised.value.transient is True
        opened.close()
    finally:
        server.stop()
