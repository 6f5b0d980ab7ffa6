"""Deterministic request keys and the metadata sent with each request."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

__all__ = ["FULFILLMENT_ID_FIELD", "ORDER_NUMBER_FIELD", "request_key"]

FULFILLMENT_ID_FIELD = "saleorFulfillmentId"
ORDER_NUMBER_FIELD = "saleorOrderNumber"


def request_key(
    saleor_api_url: str | None,
    fulfillment_id: str,
    currency: str,
    item_ids: Iterable[str],
) -> str:
    """Return the key that identifies one Digital River request.

    The key depends only on which Saleor fulfillment and which Digital River
    items the request covers, not on amounts, so a retry days later still
    finds the request an earlier attempt sent even when costs changed since.
    """
    identity = [saleor_api_url or "", fulfillment_id, currency, sorted(item_ids)]
    digest = hashlib.sha256(json.dumps(identity).encode()).hexdigest()
    return f"sfr_{digest[:32]}"
