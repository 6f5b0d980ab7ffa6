"""Sandbox tests' fixtures: every response ``sandbox_http`` receives is checked.

``sandbox`` comes from ``tests.support.sandbox``. Here ``sandbox_http`` is
overridden so that each response on a Digital River path carries
``x-dr-requestid`` and matches the OpenAPI description: the documented
schema for a documented status, otherwise Digital River's ``Errors`` shape.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from plugin.sandbox import SandboxServer
from plugin.sandbox.gateway import CONTROL_PREFIX, REQUEST_ID_HEADER
from tests.support.openapi import (
    ContractError,
    documented_statuses,
    validate_response,
    validate_schema,
)
from tests.support.sandbox import auth_headers


def check_contract(response: httpx.Response) -> None:
    """Check one sandbox response against the description (see module docstring)."""
    request = response.request
    if request.url.path.startswith(CONTROL_PREFIX):
        return
    response.read()
    assert REQUEST_ID_HEADER in response.headers, f"no {REQUEST_ID_HEADER} header"
    try:
        documented = response.status_code in documented_statuses(
            request.method, request.url.path
        )
    except ContractError:
        documented = False
    if documented:
        validate_response(
            request.method, request.url.path, response.status_code, response.json()
        )
    else:
        assert response.status_code >= 400, (
            f"undocumented success {response.status_code}"
        )
        validate_schema("Errors", response.json())


@pytest.fixture
def sandbox_http(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """An authenticated client whose every response is checked by ``check_contract``."""
    with httpx.Client(
        base_url=sandbox.url,
        headers=auth_headers(sandbox),
        timeout=10,
        event_hooks={"response": [check_contract]},
    ) as client:
        yield client
