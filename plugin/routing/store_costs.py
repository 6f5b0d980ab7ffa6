"""The store's imported unit costs as a pipeline cost table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

from plugin.store import Store

__all__ = ["StoreCostTable"]


class StoreCostTable:
    """The store's imported unit costs as the cost table of one job."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._on: dt.date | None = None
        self._prefetched: dict[tuple[str, str], Decimal | None] = {}

    def prefetch(self, pairs: Collection[tuple[str, str]], on: dt.date) -> None:
        """Load the costs of every pair with one batched query."""
        found = self._store.lookup_costs(pairs, on)
        self._on = on
        self._prefetched = {pair: None for pair in pairs}
        self._prefetched.update({pair: row.cost for pair, row in found.items()})

    def lookup(self, distributor_id: str, sku: str, on: dt.date) -> Decimal | None:
        """Return the imported unit cost in force on ``on``."""
        pair = (distributor_id, sku)
        if on == self._on and pair in self._prefetched:
            return self._prefetched[pair]
        row = self._store.lookup_cost(distributor_id, sku, on)
        return row.cost if row is not None else None
