"""The store's imported unit costs as a pipeline cost table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

from plugin.settings import Distributor
from plugin.store import CostRow, Store

__all__ = ["StoreCostTable"]


class StoreCostTable:
    """The store's imported unit costs as the cost table of one job."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._on: dt.date | None = None
        self._prefetched: dict[tuple[str, str], CostRow | None] = {}

    def prefetch(self, pairs: Collection[tuple[str, str]], on: dt.date) -> None:
        """Load the costs of every pair with one batched query."""
        found = self._store.lookup_costs(pairs, on)
        self._on = on
        self._prefetched = {pair: None for pair in pairs}
        self._prefetched.update(found)

    def lookup(self, distributor: Distributor, sku: str, on: dt.date) -> Decimal | None:
        """Return the imported unit cost in force on ``on``.

        Raises ``ValueError`` when the imported row is not in the
        distributor's payout currency, so the line is reported, not sent.
        """
        pair = (distributor.id, sku)
        if on == self._on and pair in self._prefetched:
            row = self._prefetched[pair]
        else:
            row = self._store.lookup_cost(distributor.id, sku, on)
        if row is None:
            return None
        if row.currency != distributor.currency:
            raise ValueError(
                f"the imported unit cost of SKU {sku!r} for distributor "
                f"{distributor.id!r} is in {row.currency}, but the distributor is "
                f"paid in {distributor.currency}; import the cost in "
                f"{distributor.currency}"
            )
        return row.cost
