"""Paths of the repository and of the reference data beside it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"
DR_OPENAPI = REFERENCE / "digitalriver" / "openapi-fulfillments.json"
SALEOR_SCHEMA = REFERENCE / "saleor" / "schema.graphql"
CAPTURED = REFERENCE / "saleor" / "captured"
EXAMPLES = ROOT / "examples"
