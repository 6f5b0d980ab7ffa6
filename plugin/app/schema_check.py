"""Check at install time that Saleor's schema accepts the app's documents."""

from __future__ import annotations

from graphql import build_client_schema, get_introspection_query, parse, validate

from plugin.saleor.errors import SaleorError
from plugin.saleor.graphql import DOCUMENT_NAMES, SaleorClient, load_document

__all__ = ["check_saleor_schema"]


async def check_saleor_schema(saleor: SaleorClient) -> None:
    """Introspect Saleor's schema and raise when a document does not validate."""
    introspection = await saleor.execute_raw(
        get_introspection_query(descriptions=False, input_value_deprecation=True)
    )
    schema = build_client_schema(introspection)  # type: ignore[arg-type]
    problems: list[str] = []
    for name in DOCUMENT_NAMES:
        errors = validate(schema, parse(load_document(name)))
        problems.extend(f"{name}.graphql: {error.message}" for error in errors)
    if problems:
        raise SaleorError(
            "this Saleor's GraphQL schema does not accept the app's documents, so "
            "the app cannot work with this Saleor version: " + "; ".join(problems)
        )
