"""GraphQL documents: each validates against Saleor's schema and ships as package data."""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from typing import Any

import graphql
import pytest

from plugin.saleor.graphql import DOCUMENT_NAMES, load_document, operation_name
from tests.support.fixtures import captured_delivery

CAPTURED_FULFILLMENT_CREATED = [
    "fulfillment_created_single_line",
    "fulfillment_created_multi_line",
]


def document_files() -> list[str]:
    folder = importlib.resources.files("plugin.saleor").joinpath("documents")
    return sorted(
        entry.name.removesuffix(".graphql")
        for entry in folder.iterdir()
        if entry.name.endswith(".graphql")
    )


def field_paths(
    selection_set: graphql.SelectionSetNode | None, prefix: str = ""
) -> Iterator[str]:
    """Yield every selected field as a path; inline fragments add ``...on Type``."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, graphql.FieldNode):
            path = f"{prefix}/{selection.name.value}"
            yield path
            yield from field_paths(selection.selection_set, path)
        elif isinstance(selection, graphql.InlineFragmentNode):
            condition = selection.type_condition
            name = condition.name.value if condition else ""
            yield from field_paths(selection.selection_set, f"{prefix}/...on {name}")
        else:
            raise AssertionError(f"unexpected selection {selection.kind}")


def operation_paths(document: str) -> set[str]:
    parsed = graphql.parse(document)
    operations = [
        definition
        for definition in parsed.definitions
        if isinstance(definition, graphql.OperationDefinitionNode)
    ]
    assert len(operations) == 1
    return set(field_paths(operations[0].selection_set))


def body_paths(value: Any, prefix: str) -> Iterator[str]:
    """Yield the key paths of a webhook body, lists flattened."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}/{key}"
            yield path
            yield from body_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from body_paths(item, prefix)


def test_every_file_is_listed() -> None:
    assert document_files() == sorted(DOCUMENT_NAMES)


@pytest.mark.parametrize("name", DOCUMENT_NAMES)
def test_document_validates_against_schema(
    schema: graphql.GraphQLSchema, name: str
) -> None:
    errors = graphql.validate(schema, graphql.parse(load_document(name)))

    assert [error.message for error in errors] == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("app_id", "AppId"),
        ("fulfillment_created", "FulfillmentCreated"),
        ("order_note_add", "OrderNoteAdd"),
        ("update_private_metadata", "UpdatePrivateMetadata"),
    ],
)
def test_operation_names(name: str, expected: str) -> None:
    assert operation_name(name) == expected


@pytest.mark.parametrize("capture", CAPTURED_FULFILLMENT_CREATED)
def test_subscription_matches_captured_query(capture: str) -> None:
    captured_query = captured_delivery(capture)["webhook"]["subscription_query"]

    ours = operation_paths(load_document("fulfillment_created"))
    theirs = operation_paths(captured_query)

    assert ours - theirs == set()
    assert theirs - ours == set()


@pytest.mark.parametrize("capture", CAPTURED_FULFILLMENT_CREATED)
def test_subscription_selects_every_body_field(capture: str) -> None:
    body = captured_delivery(capture)["json"]
    prefix = "/event/...on FulfillmentCreated"

    selected = operation_paths(load_document("fulfillment_created"))
    received = set(body_paths(body, prefix))

    assert received - selected == set()


def test_subscription_is_on_fulfillment_created() -> None:
    paths = operation_paths(load_document("fulfillment_created"))

    assert {path.split("/")[2] for path in paths if path.count("/") >= 2} == {
        "...on FulfillmentCreated"
    }


@pytest.mark.parametrize(
    ("name", "mutation"),
    [
        ("order_note_add", "orderNoteAdd"),
        ("update_private_metadata", "updatePrivateMetadata"),
    ],
)
def test_mutation_selects_errors(name: str, mutation: str) -> None:
    paths = operation_paths(load_document(name))

    for field in ("field", "message", "code"):
        assert f"/{mutation}/errors/{field}" in paths


def test_unknown_document_rejected() -> None:
    with pytest.raises(ValueError, match="no GraphQL document named"):
        load_document("does_not_exist")


@pytest.mark.parametrize("name", ["../errors", "app_id.graphql", "", "App"])
def test_invalid_document_name_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="invalid GraphQL document name"):
        load_document(name)
