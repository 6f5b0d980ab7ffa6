"""Routed lines, request drafts and the outcome of a fulfillment."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from plugin.digitalriver.models import FulfillmentRequest

__all__ = ["FulfillmentOutcome", "RequestDraft", "RoutedLine", "SentRequest"]


class RoutedLine(BaseModel):
    """One fulfillment line with everything Digital River needs for it."""

    model_config = ConfigDict(frozen=True)

    fulfillment_line_id: str
    order_line_id: str
    sku: str | None
    product_name: str
    quantity: int
    distributor_id: str
    dr_item_id: str
    currency: str
    unit_cost: Decimal
    distributor_cost: Decimal
    shipping_cost: Decimal | None = None


class RequestDraft:
    """A Digital River request that ``prepare_request`` may change or veto."""

    def __init__(
        self, request_key: str, request: FulfillmentRequest, lines: list[RoutedLine]
    ) -> None:
        self.request_key = request_key
        self.request = request
        self.lines = lines
        self.veto_reason: str | None = None

    @property
    def currency(self) -> str:
        """Payout currency of every line in the request."""
        return self.lines[0].currency

    def veto(self, reason: str) -> None:
        """Stop the fulfillment: no request of it is sent."""
        self.veto_reason = reason

    def __repr__(self) -> str:
        return (
            f"RequestDraft(request_key={self.request_key!r}, lines={len(self.lines)})"
        )


class SentRequest(BaseModel):
    """A request that Digital River accepted."""

    request_key: str
    currency: str
    dr_fulfillment_id: str
    created: bool
    """False when an earlier attempt had already created it."""
    lines: list[RoutedLine]


class FulfillmentOutcome(BaseModel):
    """Result of reporting one Saleor fulfillment to Digital River."""

    saleor_api_url: str | None = None
    fulfillment_id: str
    order_id: str
    order_number: str
    dr_order_id: str | None = None
    status: Literal["succeeded", "failed"]
    sent: list[SentRequest] = []
    error: str | None = None
    error_type: str | None = None
    transient: bool = False
    final: bool = True
    """False while the host will try the fulfillment again."""

    @property
    def succeeded(self) -> bool:
        """Whether every request of the fulfillment was accepted."""
        return self.status == "succeeded"
