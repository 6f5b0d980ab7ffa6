"""Checks on a request after ``prepare_request`` implementations changed it.

Plugins may change amounts, tracking fields and metadata, but not which
items are sent, the payout currency or the request key. The request is
validated again, because ``model_copy(update=...)`` skips validation, and the
routed lines take the amounts that are sent, so the outcome, the ledger and
the Saleor note state what Digital River received.
"""

from __future__ import annotations

from pydantic import ValidationError

from plugin.digitalriver.models import REQUEST_KEY_FIELD, FulfillmentRequest
from plugin.errors import PluginError
from plugin.outcome import RequestDraft, RoutedLine

__all__ = ["check_prepared"]


def check_prepared(draft: RequestDraft) -> None:
    """Validate ``draft.request`` again and copy its amounts onto ``draft.lines``.

    Raises ``PluginError`` naming the request key and what changed.
    """
    request = _revalidated(draft)
    prefix = f"a prepare_request implementation changed request {draft.request_key}"
    if request.metadata.get(REQUEST_KEY_FIELD) != draft.request_key:
        raise PluginError(
            f"{prefix}: its request key in the metadata; keep it unchanged"
        )
    if request.currency != draft.currency:
        raise PluginError(
            f"{prefix}: currency {request.currency!r} is not the payout currency "
            f"{draft.currency!r} of its distributors"
        )
    sent = sorted(
        (item.item_id, item.quantity, item.subfulfiller_id) for item in request.items
    )
    routed = sorted(
        (line.dr_item_id, line.quantity, line.distributor_id) for line in draft.lines
    )
    if sent != routed:
        raise PluginError(
            f"{prefix}: which items, quantities or distributors it sends; change "
            "amounts or other fields only"
        )
    if any(item.distributor_cost is None for item in request.items):
        raise PluginError(
            f"{prefix}: an item lost its distributorCost; keep every cost"
        )
    draft.request = request
    draft.lines = _with_sent_amounts(draft.lines, request)


def _revalidated(draft: RequestDraft) -> FulfillmentRequest:
    if not isinstance(draft.request, FulfillmentRequest):
        raise PluginError(
            f"a prepare_request implementation replaced request {draft.request_key} "
            f"with a {type(draft.request).__name__}; assign a FulfillmentRequest"
        )
    try:
        return FulfillmentRequest.model_validate(
            draft.request.model_dump(warnings=False)
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'request'}: {item['msg']}"
            for item in error.errors()
        )
        raise PluginError(
            f"a prepare_request implementation made request {draft.request_key} "
            f"invalid: {problems}"
        ) from None


def _with_sent_amounts(
    lines: list[RoutedLine], request: FulfillmentRequest
) -> list[RoutedLine]:
    items = {item.item_id: item for item in request.items}
    return [
        line.model_copy(
            update={
                "distributor_cost": items[line.dr_item_id].distributor_cost,
                "shipping_cost": items[line.dr_item_id].shipping_cost,
            }
        )
        for line in lines
    ]
