"""Settings, clients and ids that the pipeline and the hooks use besides the event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pluggy

    from plugin.digitalriver.client import DigitalRiverClient
    from plugin.saleor.graphql import SaleorClient
    from plugin.settings import Distributor, Settings

__all__ = ["CostTable", "PipelineContext", "utc_now"]


def utc_now() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class CostTable(Protocol):
    """A unit-cost table kept outside the settings, such as the store's."""

    def prefetch(self, pairs: Collection[tuple[str, str]], on: dt.date) -> None:
        """Load the costs of many (distributor, SKU) pairs in one go.

        The pipeline calls it once per fulfillment, in a worker thread, before
        ``lookup`` is called for each line, so lookups need no I/O.
        """

    def lookup(self, distributor: Distributor, sku: str, on: dt.date) -> Decimal | None:
        """Return the unit cost in force on ``on``, or ``None`` without one.

        Raises ``ValueError`` when the stored cost is not in the distributor's
        payout currency.
        """


@dataclass
class PipelineContext:
    """Settings, clients and ids for one run of the pipeline.

    ``attempt`` counts runs of the same job from 1. With ``reconcile`` set,
    every request is first looked up at Digital River by its request key and
    sent only when it is not there: hosts set it whenever an earlier run may
    have sent the request.
    """

    settings: Settings
    digitalriver: DigitalRiverClient
    plugin_manager: pluggy.PluginManager
    saleor_api_url: str | None = None
    saleor: SaleorClient | None = None
    job_id: int | None = None
    attempt: int = 1
    reconcile: bool = False
    now: dt.datetime = field(default_factory=utc_now)
    cost_table: CostTable | None = None
    extras: dict[str, Any] = field(default_factory=dict)
