"""Default unit cost of a line: the cost table, then metadata."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from plugin.money import MAX_AMOUNT
from plugin.saleor.payload import FulfillmentLine, metadata_value
from plugin.settings import Distributor, MetadataKey, Settings, UnitCost

__all__ = ["SettingsCostTable", "cost_from_metadata", "parse_amount"]


class SettingsCostTable:
    """The ``costs.table`` entries of the settings, indexed for lookups."""

    def __init__(self, entries: list[UnitCost]) -> None:
        grouped: dict[tuple[str, str], list[UnitCost]] = defaultdict(list)
        for entry in entries:
            grouped[(entry.distributor, entry.sku)].append(entry)
        self._dates: dict[tuple[str, str], list[dt.date]] = {}
        self._costs: dict[tuple[str, str], list[Decimal]] = {}
        for key, group in grouped.items():
            group.sort(key=lambda entry: entry.effective_from)
            self._dates[key] = [entry.effective_from for entry in group]
            self._costs[key] = [entry.cost for entry in group]

    def lookup(self, distributor: Distributor, sku: str, on: dt.date) -> Decimal | None:
        """Return the cost whose ``effective_from`` is the latest on or before ``on``.

        Costs in the settings are in the distributor's payout currency.
        """
        key = (distributor.id, sku)
        dates = self._dates.get(key)
        if dates is None:
            return None
        index = bisect.bisect_right(dates, on)
        if index == 0:
            return None
        return self._costs[key][index - 1]


_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_amount(text: str, what: str) -> Decimal:
    """Parse a non-negative decimal amount such as ``12.50``.

    Only ASCII digits with an optional decimal point are accepted: no sign,
    exponent, digit separator or other script's digits. Raises ``ValueError``
    naming ``what``.
    """
    stripped = text.strip()
    if _AMOUNT.fullmatch(stripped) is None:
        raise ValueError(
            f"{what} {text!r} is not a decimal amount; write it like 12.50"
        )
    amount = Decimal(stripped)
    if amount >= MAX_AMOUNT:
        raise ValueError(f"{what} {text!r} is too large")
    return amount


def cost_from_metadata(line: FulfillmentLine, key: MetadataKey) -> Decimal | None:
    """Return the unit cost stored under ``key`` on the order line or its variant."""
    order_line = line.order_line
    holders = [(order_line.metadata, order_line.private_metadata)]
    if order_line.variant is not None:
        holders.append(
            (order_line.variant.metadata, order_line.variant.private_metadata)
        )
    for public, private in holders:
        value = metadata_value(public, private, key.key, is_private=key.private)
        if value is not None:
            return parse_amount(value, f"unit cost in metadata key {key.key!r}")
    return None


def settings_cost_table(settings: Settings) -> SettingsCostTable:
    """Return the indexed cost table of ``settings``, built once per object."""
    cached = settings.__dict__.get("_cost_table")
    if not isinstance(cached, SettingsCostTable):
        cached = SettingsCostTable(settings.costs.table)
        object.__setattr__(settings, "_cost_table", cached)
    return cached
