"""Hook specifications.

Two kinds of hooks. Host events are called by the host that received the
event (the Saleor app's worker, the ``process`` command, or any Python
commerce host): ``fulfillment_created``. Extension points are called by the
pipeline and let a merchant plugin replace a default: ``distributor_for_line``,
``unit_cost``, ``shipping_cost``, ``prepare_request`` and
``fulfillment_reported``.

The defaults in ``hooks.defaults`` are marked ``trylast``, so a merchant
plugin's result wins wherever one result is needed (``firstresult``). The
first implementation that returns something other than ``None`` decides.

Implementations of ``fulfillment_created`` and ``fulfillment_reported`` may
return an awaitable; the host awaits it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from hooks.markers import hookspec

if TYPE_CHECKING:
    from plugin.context import PipelineContext
    from plugin.outcome import FulfillmentOutcome, RequestDraft
    from plugin.saleor.payload import FulfillmentCreated, FulfillmentLine
    from plugin.settings import Distributor


@hookspec(firstresult=True)
def fulfillment_created(
    event: FulfillmentCreated, context: PipelineContext
) -> Awaitable[FulfillmentOutcome] | FulfillmentOutcome | None:
    """Report a new Saleor fulfillment to Digital River.

    Return the outcome (or an awaitable of it). The plugin's own
    implementation routes every line and sends one Digital River request per
    payout currency. A ``PluginError`` becomes a failed outcome, with the
    requests accepted before it in ``outcome.sent``.
    """


@hookspec(firstresult=True)
def distributor_for_line(
    line: FulfillmentLine, event: FulfillmentCreated, context: PipelineContext
) -> str | None:
    """Return the id of the distributor that shipped ``line``.

    The id must be one of the configured distributors. Return ``None`` to
    leave the decision to the next implementation; the default tries the
    routing rules by SKU, then by warehouse, then the default distributor.
    """


@hookspec(firstresult=True)
def unit_cost(
    line: FulfillmentLine,
    distributor: Distributor,
    event: FulfillmentCreated,
    context: PipelineContext,
) -> Decimal | None:
    """Return the distributor's cost of one unit of ``line``.

    The amount is in the distributor's payout currency and must not be
    negative. The default reads the cost table (the entry in force on the
    day the fulfillment was created), then the configured metadata key on
    the order line and on its variant.
    """


@hookspec(firstresult=True)
def shipping_cost(
    distributor: Distributor,
    lines: Sequence[FulfillmentLine],
    event: FulfillmentCreated,
    context: PipelineContext,
) -> Decimal | None:
    """Return the shipping cost of this shipment remitted to ``distributor``.

    Called only for distributors whose settings remit shipping. ``lines`` are
    the fulfillment lines this distributor shipped; the amount is allocated
    over them. The default reads the fulfillment's shipping-cost metadata
    key, then the distributor's configured ``shipping_cost``.
    """


@hookspec
def prepare_request(
    draft: RequestDraft, event: FulfillmentCreated, context: PipelineContext
) -> None:
    """Look at a Digital River request before anything is sent.

    Every implementation is called with every request of the fulfillment.
    Replace ``draft.request`` to change what is sent (the request key in its
    metadata must stay), or call ``draft.veto(reason)`` to stop the whole
    fulfillment: when any request is vetoed, none is sent.
    """


@hookspec
def fulfillment_reported(
    outcome: FulfillmentOutcome, context: PipelineContext
) -> Awaitable[None] | None:
    """Receive the outcome of a fulfillment, success or failure.

    ``outcome.final`` is false while the host will try again later. Every
    implementation is called; an exception it raises is logged and, in the
    Saleor app, makes the job retry its reporting.
    """


SPEC_NAMES: Sequence[str] = (
    "fulfillment_created",
    "distributor_for_line",
    "unit_cost",
    "shipping_cost",
    "prepare_request",
    "fulfillment_reported",
)
