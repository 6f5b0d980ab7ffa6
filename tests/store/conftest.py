"""Fixtures of the store tests: a store on each backend, and the PostgreSQL server."""

from tests.support.postgres import (  # noqa: F401
    postgres_server,
    postgres_url,
    store,
    store_url,
)
