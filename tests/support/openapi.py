"""Validation of Digital River bodies against the trimmed OpenAPI description.

``validate_request`` checks a request body with the OpenAPI 3.0 "write" rules
(read-only properties are rejected) and ``validate_response`` checks a
response body with the "read" rules, choosing the schema from the operation
and status in the description at ``tests.support.paths.DR_OPENAPI``. Both
raise ``ContractError`` listing every violation. A status the operation does
not document is a violation too, and ``documented_statuses`` lists them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    oas30_format_checker,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.support.paths import DR_OPENAPI

__all__ = [
    "ContractError",
    "documented_statuses",
    "schema_for",
    "spec",
    "validate_request",
    "validate_response",
    "validate_schema",
]

_SPEC_URI = "urn:digitalriver:openapi-fulfillments"


class ContractError(AssertionError):
    """A body or status that Digital River's OpenAPI description does not allow."""


@functools.cache
def spec() -> dict[str, Any]:
    """Return the parsed OpenAPI description, loaded once."""
    with DR_OPENAPI.open(encoding="utf-8") as file:
        data: dict[str, Any] = json.load(file)
    return data


@functools.cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(spec(), default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    return registry


def _matches_template(template: str, path: str) -> bool:
    """Return whether ``path`` fits ``template``, where ``{name}`` is one segment."""
    template_parts = template.strip("/").split("/")
    path_parts = path.strip("/").split("/")
    if len(template_parts) != len(path_parts):
        return False
    return all(
        (expected.startswith("{") and bool(actual)) or expected == actual
        for expected, actual in zip(template_parts, path_parts, strict=True)
    )


def _operation(method: str, path: str) -> dict[str, Any]:
    """Find the operation for ``method`` and a concrete ``path`` (query ignored)."""
    path = urlsplit(path).path
    for template, operations in spec()["paths"].items():
        if _matches_template(template, path) and method.lower() in operations:
            operation: dict[str, Any] = operations[method.lower()]
            return operation
    raise ContractError(
        f"{method.upper()} {path} is not an operation of the description"
    )


def _json_schema(content_owner: Mapping[str, Any], where: str) -> dict[str, Any]:
    try:
        schema: dict[str, Any] = content_owner["content"]["application/json"]["schema"]
    except KeyError:
        raise ContractError(f"{where} has no application/json schema") from None
    return schema


def schema_for(method: str, path: str, status: int | None = None) -> dict[str, Any]:
    """Return the request schema, or the response schema for ``status``."""
    operation = _operation(method, path)
    where = f"{method.upper()} {path}"
    if status is None:
        if "requestBody" not in operation:
            raise ContractError(f"{where} takes no request body")
        return _json_schema(operation["requestBody"], f"the request of {where}")
    responses = operation["responses"]
    response = responses.get(str(status), responses.get("default"))
    if response is None:
        raise ContractError(
            f"{where} does not document status {status} "
            f"(documented: {', '.join(sorted(responses))})"
        )
    return _json_schema(response, f"the {status} response of {where}")


def documented_statuses(method: str, path: str) -> set[int]:
    """Return the statuses the description documents for an operation."""
    responses = _operation(method, path)["responses"]
    return {int(status) for status in responses if status.isdigit()}


def _validator(schema: dict[str, Any], *, writing: bool) -> Any:
    cls = OAS30WriteValidator if writing else OAS30ReadValidator
    return cls(
        _absolute(schema), registry=_registry(), format_checker=oas30_format_checker
    )


def _absolute(schema: Any) -> Any:
    """Point local ``#/...`` references at the registered description.

    A schema taken out of the description keeps references such as
    ``#/components/schemas/Fulfillment``, which would otherwise resolve
    against the extracted schema itself.
    """
    if isinstance(schema, dict):
        return {
            key: (
                f"{_SPEC_URI}{value}"
                if key == "$ref" and value.startswith("#")
                else _absolute(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_absolute(entry) for entry in schema]
    return schema


def _check(validator: Any, body: Any, where: str) -> None:
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.path))
    if errors:
        lines = [
            f"- at {'/'.join(map(str, error.path)) or '(root)'}: {error.message}"
            for error in errors
        ]
        raise ContractError(
            f"{where} does not match the description:\n" + "\n".join(lines)
        )


def validate_request(method: str, path: str, body: Any) -> None:
    """Validate a request body against its operation's request schema."""
    schema = schema_for(method, path)
    _check(
        _validator(schema, writing=True),
        body,
        f"request body of {method.upper()} {path}",
    )


def validate_response(method: str, path: str, status: int, body: Any) -> None:
    """Validate a response body against the schema for its status."""
    schema = schema_for(method, path, status)
    where = f"{status} response body of {method.upper()} {path}"
    _check(_validator(schema, writing=False), body, where)


def validate_schema(name: str, body: Any, *, writing: bool = False) -> None:
    """Validate ``body`` against the component schema ``name``, such as ``Errors``."""
    schema = {"$ref": f"#/components/schemas/{name}"}
    _check(_validator(schema, writing=writing), body, f"{name} body")
