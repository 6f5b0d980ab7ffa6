"""Schema migrations: recorded, idempotent, safe to run from two processes at once."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, inspect, make_url

from plugin.store import MIGRATIONS, Store
from plugin.store.tables import metadata
from tests.store.raw import raw_rows


def test_migrations_numbered_from_one():
    numbers = [migration.number for migration in MIGRATIONS]
    assert numbers == list(range(1, len(MIGRATIONS) + 1))


def test_migration_names_unique():
    names = [migration.name for migration in MIGRATIONS]
    assert len(set(names)) == len(names)


def test_open_records_every_migration(store, store_url):
    rows = raw_rows(store_url, "SELECT number, name, applied_at FROM schema_migrations")
    assert [row["number"] for row in rows] == [m.number for m in MIGRATIONS]
    assert [row["name"] for row in rows] == [m.name for m in MIGRATIONS]
    assert all(row["applied_at"] is not None for row in rows)


def test_reopen_applies_nothing(store, store_url):
    before = raw_rows(store_url, "SELECT number, applied_at FROM schema_migrations")
    Store.open(store_url).close()
    after = raw_rows(store_url, "SELECT number, applied_at FROM schema_migrations")
    assert after == before


def test_concurrent_open_migrates_once(store_url):
    errors: list[BaseException] = []
    stores: list[Store] = []
    start = threading.Barrier(4)

    def open_store() -> None:
        start.wait()
        try:
            stores.append(Store.open(store_url))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for opened in stores:
        opened.close()

    assert errors == []
    rows = raw_rows(store_url, "SELECT number FROM schema_migrations")
    assert sorted(row["number"] for row in rows) == [m.number for m in MIGRATIONS]


def test_migrated_schema_matches_tables(store, store_url):
    url = make_url(store_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        for table in metadata.sorted_tables:
            columns = {
                column["name"]: column["nullable"]
                for column in inspector.get_columns(table.name)
            }
            expected = {column.name: column.nullable for column in table.columns}
            assert columns == expected, table.name

            indexes = {
                index["name"]
                for index in inspector.get_indexes(table.name)
                if not index.get("duplicates_constraint")
            }
            assert indexes == {index.name for index in table.indexes}, table.name
    finally:
        engine.dispose()
