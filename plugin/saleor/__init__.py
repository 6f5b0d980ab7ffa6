"""Saleor side: webhook payloads, signatures, GraphQL, the app."""
