"""Query parameters, filters and cursor pages of ``GET /fulfillments``.

Lists run newest first, like Digital River's lists. ``startingAfter=ID``
returns the fulfillments created before ``ID`` (the next page) and
``endingBefore=ID`` the ones created after it (the previous page), still
newest first. ``hasMore`` is true when more fulfillments lie beyond the page
in the direction of paging. A cursor may name any stored fulfillment, even one
the filters exclude.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from plugin.sandbox.errors import ApiError, bad_request
from plugin.sandbox.fields import Problems
from plugin.sandbox.models import Fulfillment

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "ListQuery",
    "Page",
    "matches",
    "paginate",
    "parse_list_query",
    "unknown_cursor",
]

DEFAULT_LIMIT = 10
MAX_LIMIT = 100

T = TypeVar("T")

_FILTERS = ("orderId", "skuId", "trackingCompany", "trackingNumber")
_PARAMETERS = frozenset({*_FILTERS, "ids", "limit", "startingAfter", "endingBefore"})


@dataclass(frozen=True)
class ListQuery:
    """Validated query of ``GET /fulfillments``; ``filters`` maps names to values."""

    limit: int = DEFAULT_LIMIT
    starting_after: str | None = None
    ending_before: str | None = None
    ids: frozenset[str] | None = None
    filters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and whether more entries lie beyond it."""

    data: list[T]
    has_more: bool


def parse_list_query(params: Sequence[tuple[str, str]]) -> ListQuery:
    """Validate the query parameters, raising a 400 ``ApiError`` if any is bad."""
    problems = Problems()
    names = [name for name, _ in params]
    _check_names(names, problems)
    _check_not_repeated(names, problems)
    single = dict(params)
    if "startingAfter" in single and "endingBefore" in single:
        problems.invalid(
            "endingBefore",
            "Send startingAfter or endingBefore, not both: each picks a direction.",
        )
    limit = _parse_limit(single.get("limit"), problems)
    problems.raise_if_any()

    return ListQuery(
        limit=limit,
        starting_after=single.get("startingAfter"),
        ending_before=single.get("endingBefore"),
        ids=_parse_ids(params),
        filters=tuple((name, single[name]) for name in _FILTERS if name in single),
    )


def _check_names(names: list[str], problems: Problems) -> None:
    unsupported = [name for name in names if name.startswith("createdTime")]
    for name in unsupported:
        # NOTE: Digital River filters lists on createdTime; the sandbox does not.
        problems.invalid(
            name,
            f"The sandbox does not implement the {name} filter; page with "
            "startingAfter instead.",
        )
    known = [name for name in names if name not in unsupported]
    problems.check_unknown(dict.fromkeys(known), _PARAMETERS)


def _check_not_repeated(names: list[str], problems: Problems) -> None:
    for name in sorted(set(names) - {"ids"}):
        if names.count(name) > 1:
            problems.invalid(name, f"{name} appears more than once: send it once.")


def _parse_limit(value: str | None, problems: Problems) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_LIMIT:
        problems.invalid(
            "limit",
            f"limit must be an integer from 1 to {MAX_LIMIT}, got {value!r}.",
        )
        return DEFAULT_LIMIT
    return int(value)


def _parse_ids(params: Sequence[tuple[str, str]]) -> frozenset[str] | None:
    """Collect ``ids``, sent repeated (``ids=a&ids=b``) or comma-separated."""
    values = [value for name, value in params if name == "ids"]
    if not values:
        return None
    return frozenset(part for value in values for part in value.split(",") if part)


def matches(fulfillment: Fulfillment, query: ListQuery) -> bool:
    """Return whether ``fulfillment`` passes the filters of ``query``."""
    if query.ids is not None and fulfillment.id not in query.ids:
        return False
    return all(
        _matches_filter(fulfillment, name, value) for name, value in query.filters
    )


def _matches_filter(fulfillment: Fulfillment, name: str, value: str) -> bool:
    request = fulfillment.request
    if name == "orderId":
        return request.order_id == value
    if name == "skuId":
        return any(item.sku_id == value for item in request.items)
    if name == "trackingCompany":
        return value in _tracking_values(fulfillment, "tracking_company")
    return value in _tracking_values(fulfillment, "tracking_number")


def _tracking_values(fulfillment: Fulfillment, attribute: str) -> set[str | None]:
    request = fulfillment.request
    values = {getattr(item, attribute) for item in request.items}
    return values | {getattr(request, attribute)}


def paginate(
    entries: Sequence[T],
    position: Callable[[T], int],
    limit: int,
    after: int | None = None,
    before: int | None = None,
) -> Page[T]:
    """Cut one page from ``entries``, which run newest first.

    ``position`` gives an entry's creation sequence number; ``after`` and
    ``before`` are the sequence numbers of the cursor entries.
    """
    if before is not None:
        newer = [entry for entry in entries if position(entry) > before]
        return Page(newer[-limit:], has_more=len(newer) > limit)
    if after is not None:
        entries = [entry for entry in entries if position(entry) < after]
    return Page(list(entries[:limit]), has_more=len(entries) > limit)


def unknown_cursor(parameter: str, value: str) -> ApiError:
    """Build the 400 error for a cursor that names no fulfillment."""
    return bad_request(
        "invalid_parameter",
        parameter,
        f"{parameter} {value!r} is not the id of a fulfillment; use an id from "
        "a previous page.",
    )
