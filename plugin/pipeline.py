"""The fulfillment pipeline: plan, let plugins look, send, and report.

``send_fulfillment`` is the plugin's own ``fulfillment_created``
implementation. Hosts call ``run_fulfillment_created`` and
``report_outcome``, which go through the hooks so merchant plugins can take
part.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from plugin.context import PipelineContext
from plugin.errors import PluginError, RequestVetoed
from plugin.outcome import FulfillmentOutcome, RequestDraft, SentRequest
from plugin.review import check_prepared
from plugin.routing import plan_fulfillment
from plugin.routing.items import stored_dr_order_id
from plugin.saleor.payload import FulfillmentCreated

__all__ = [
    "failed_outcome",
    "report_outcome",
    "run_fulfillment_created",
    "send_fulfillment",
]

logger = logging.getLogger(__name__)


async def send_fulfillment(
    event: FulfillmentCreated, context: PipelineContext
) -> FulfillmentOutcome:
    """Route the fulfillment and send one Digital River request per currency.

    A ``PluginError`` becomes a failed outcome instead of an exception. The
    requests Digital River accepted before the failure are in ``outcome.sent``.
    """
    sent: list[SentRequest] = []
    try:
        drafts = await plan_fulfillment(event, context)
        _prepare(drafts, event, context)
        for draft in drafts:
            sent.append(await _send(draft, event, context))
    except PluginError as error:
        return failed_outcome(event, context, error, sent)
    return _outcome(event, context, sent, status="succeeded")


def _prepare(
    drafts: list[RequestDraft], event: FulfillmentCreated, context: PipelineContext
) -> None:
    hook = context.plugin_manager.hook
    for draft in drafts:
        hook.prepare_request(draft=draft, event=event, context=context)
        if draft.veto_reason is not None:
            raise RequestVetoed(draft.request_key, draft.veto_reason)
        check_prepared(draft)


async def _send(
    draft: RequestDraft, event: FulfillmentCreated, context: PipelineContext
) -> SentRequest:
    result = await context.digitalriver.create_fulfillment(
        draft.request, reconcile_first=context.reconcile
    )
    fulfillment = result.fulfillment
    logger.info(
        "fulfillment.sent order=%s fulfillment=%s job=%s request_key=%s "
        "dr_fulfillment=%s created=%s",
        event.order.number,
        event.fulfillment.id,
        context.job_id,
        draft.request_key,
        fulfillment.id,
        result.created,
    )
    return SentRequest(
        request_key=draft.request_key,
        currency=draft.currency,
        dr_fulfillment_id=fulfillment.id,
        created=result.created,
        lines=draft.lines,
    )


def _outcome(
    event: FulfillmentCreated,
    context: PipelineContext,
    sent: list[SentRequest],
    **fields: Any,
) -> FulfillmentOutcome:
    return FulfillmentOutcome(
        saleor_api_url=context.saleor_api_url,
        fulfillment_id=event.fulfillment.id,
        order_id=event.order.id,
        order_number=event.order.number,
        dr_order_id=stored_dr_order_id(event, context.settings),
        sent=sent,
        **fields,
    )


def failed_outcome(
    event: FulfillmentCreated,
    context: PipelineContext,
    error: BaseException,
    sent: list[SentRequest] | None = None,
) -> FulfillmentOutcome:
    """Return the outcome of a fulfillment that failed with ``error``."""
    transient = bool(getattr(error, "transient", False))
    return _outcome(
        event,
        context,
        sent or [],
        status="failed",
        error=str(error),
        error_type=type(error).__name__,
        transient=transient,
        final=not transient,
    )


async def run_fulfillment_created(
    event: FulfillmentCreated, context: PipelineContext
) -> FulfillmentOutcome:
    """Call the ``fulfillment_created`` hook and return its outcome."""
    result = context.plugin_manager.hook.fulfillment_created(
        event=event, context=context
    )
    if inspect.isawaitable(result):
        result = await result
    if not isinstance(result, FulfillmentOutcome):
        raise PluginError(
            "no fulfillment_created implementation returned an outcome; check "
            "that the plugin's defaults are registered"
        )
    return result


async def report_outcome(outcome: FulfillmentOutcome, context: PipelineContext) -> None:
    """Call every ``fulfillment_reported`` implementation, awaiting each."""
    results = context.plugin_manager.hook.fulfillment_reported(
        outcome=outcome, context=context
    )
    for result in results:
        if inspect.isawaitable(result):
            await result
