"""Direct database access for tests that check what the store wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed)


def raw_rows(url: str, query: str, **parameters: Any) -> list[dict[str, Any]]:
    """Run ``query`` on the database behind a store URL, bypassing the store."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(text(query), parameters)
            return [dict(row) for row in result.mappings()]
    finally:
        engine.dispose()


def raw_execute(url: str, statement: str, **parameters: Any) -> None:
    """Run a write ``statement`` on the database behind a store URL and commit it."""
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement), parameters)
    finally:
        engine.dispose()
