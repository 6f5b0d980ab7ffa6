"""Report outcomes back on the Saleor order: a note and fulfillment metadata.

On success the order gets a note with one line per distributor and the
fulfillment's private metadata records the Digital River fulfillment ids and
``succeeded``. On a permanent failure the note states what failed and what to
fix, and the status is ``failed``. Outcomes that will be retried are not
reported, so a transient failure adds no note.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hooks.markers import hookimpl
from plugin.context import PipelineContext
from plugin.outcome import FulfillmentOutcome, RoutedLine, SentRequest

__all__ = [
    "ERROR_KEY",
    "FULFILLMENT_IDS_KEY",
    "STATUS_KEY",
    "SaleorReporter",
    "failure_note",
    "report_to_saleor",
    "success_note",
]

STATUS_KEY = "digitalriver.status"
FULFILLMENT_IDS_KEY = "digitalriver.fulfillmentIds"
ERROR_KEY = "digitalriver.error"
NOTE_PREFIX = "Digital River"
_MAX_METADATA_ERROR = 1000


class SaleorReporter:
    """The ``fulfillment_reported`` implementation of the Saleor app."""

    @hookimpl
    async def fulfillment_reported(
        self, outcome: FulfillmentOutcome, context: PipelineContext
    ) -> None:
        await report_to_saleor(outcome, context)


async def report_to_saleor(
    outcome: FulfillmentOutcome, context: PipelineContext
) -> None:
    """Add the outcome's note to the order and set the fulfillment's metadata."""
    saleor = context.saleor
    if saleor is None or not outcome.final:
        return
    if outcome.succeeded:
        note = success_note(outcome)
        metadata = {STATUS_KEY: "succeeded", ERROR_KEY: ""}
    else:
        note = failure_note(outcome)
        metadata = {
            STATUS_KEY: "failed",
            ERROR_KEY: (outcome.error or "")[:_MAX_METADATA_ERROR],
        }
    metadata[FULFILLMENT_IDS_KEY] = ",".join(
        sent.dr_fulfillment_id for sent in outcome.sent
    )

    # Metadata first: setting it again is harmless, while a note added before
    # a failed metadata update would be added a second time by the retry.
    await saleor.update_private_metadata(outcome.fulfillment_id, metadata)
    await saleor.add_order_note(outcome.order_id, note)


def success_note(outcome: FulfillmentOutcome) -> str:
    """Return the note for a fulfillment Digital River accepted."""
    lines = [f"{NOTE_PREFIX}: fulfillment reported for order {outcome.dr_order_id}."]
    for sent in outcome.sent:
        lines.extend(_distributor_lines(sent))
    return "\n".join(lines)


def failure_note(outcome: FulfillmentOutcome) -> str:
    """Return the note for a fulfillment that failed for good."""
    if outcome.sent:
        headline = (
            "reporting part of this fulfillment FAILED. Digital River accepted, "
            "and captured payment for, only the lines listed below."
        )
    else:
        headline = (
            "reporting this fulfillment FAILED, so Digital River did not capture "
            "payment for it."
        )
    lines = [
        f"{NOTE_PREFIX}: {headline}",
        f"Reason ({outcome.error_type}): {outcome.error}",
    ]
    for sent in outcome.sent:
        lines.extend(_distributor_lines(sent))
    lines.append(
        "Fix the cause (settings, routing rules, costs or metadata), then retry the "
        "job from the app's page or with `dr-distributor jobs retry`."
    )
    return "\n".join(lines)


def _distributor_lines(sent: SentRequest) -> list[str]:
    by_distributor: dict[str, list[RoutedLine]] = defaultdict(list)
    for line in sent.lines:
        by_distributor[line.distributor_id].append(line)
    return [
        _distributor_line(distributor_id, lines, sent)
        for distributor_id, lines in by_distributor.items()
    ]


def _distributor_line(
    distributor_id: str, lines: list[RoutedLine], sent: SentRequest
) -> str:
    items = ", ".join(
        f"{line.sku or line.dr_item_id} x{line.quantity}" for line in lines
    )
    cost = sum((line.distributor_cost for line in lines), Decimal(0))
    shipping = [line.shipping_cost for line in lines if line.shipping_cost is not None]
    shipping_text = (
        f", shipping {sum(shipping, Decimal(0))} {sent.currency}" if shipping else ""
    )
    return (
        f"- {distributor_id}: {items}; cost {cost} {sent.currency}{shipping_text}; "
        f"DR fulfillment {sent.dr_fulfillment_id}"
    )
