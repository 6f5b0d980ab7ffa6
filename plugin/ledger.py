"""Record what Digital River accepted in the store's reconciliation ledger."""

from __future__ import annotations

from plugin.context import utc_now
from plugin.outcome import FulfillmentOutcome
from plugin.store import LedgerItem, Store

__all__ = ["record_outcome"]


def record_outcome(
    store: Store, outcome: FulfillmentOutcome, job_id: int | None = None
) -> None:
    """Add every accepted request of ``outcome`` to the ledger.

    A request already recorded, under its request key, is left as it is, so
    recording the outcome of a rerun adds nothing twice.
    """
    for sent in outcome.sent:
        items = [
            LedgerItem(
                dr_item_id=line.dr_item_id,
                sku=line.sku or "",
                distributor_id=line.distributor_id,
                quantity=line.quantity,
                distributor_cost=line.distributor_cost,
                shipping_cost=line.shipping_cost,
            )
            for line in sent.lines
        ]
        store.record_fulfillment(
            job_id=job_id,
            request_key=sent.request_key,
            dr_fulfillment_id=sent.dr_fulfillment_id,
            dr_order_id=outcome.dr_order_id or "",
            saleor_api_url=outcome.saleor_api_url or "",
            saleor_fulfillment_id=outcome.fulfillment_id,
            order_number=outcome.order_number,
            currency=sent.currency,
            created_at=utc_now(),
            items=items,
        )
