"""Fixtures of the Saleor tests: the real schema and the captures.

The ``saleor`` fixture (the test double) comes from ``tests.support.saleor_double``,
which the top-level conftest loads as a plugin.
"""

from __future__ import annotations

from typing import Any

import graphql
import pytest

from tests.support.fixtures import captured_delivery
from tests.support.paths import CAPTURED
from tests.support.saleor_double import saleor_schema

WEBHOOK_CAPTURES = sorted(
    path.stem
    for path in CAPTURED.glob("*.json")
    if path.stem not in {"graphql_responses", "jwks"}
)
"""Names of the captured webhook deliveries."""


@pytest.fixture(scope="session")
def schema() -> graphql.GraphQLSchema:
    """Saleor 3.24's schema, built once per session."""
    return saleor_schema()


@pytest.fixture(scope="session")
def graphql_responses() -> dict[str, Any]:
    """Captured GraphQL request and response pairs."""
    return captured_delivery("graphql_responses")


@pytest.fixture(params=WEBHOOK_CAPTURES)
def delivery(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Each captured webhook delivery in turn."""
    return captured_delivery(request.param)
