"""Notes and metadata written back to Saleor."""

from decimal import Decimal

from plugin.outcome import FulfillmentOutcome, RoutedLine, SentRequest
from plugin.saleor.reporter import failure_note, success_note


def line(distributor_id, sku, quantity, cost, shipping=None):
    return RoutedLine(
        fulfillment_line_id=f"fl-{sku}",
        order_line_id=f"ol-{sku}",
        sku=sku,
        product_name=sku.title(),
        quantity=quantity,
        distributor_id=distributor_id,
        dr_item_id=f"item-{sku}",
        currency="USD",
        unit_cost=Decimal(cost) / quantity,
        distributor_cost=Decimal(cost),
        shipping_cost=None if shipping is None else Decimal(shipping),
    )


def outcome(status="succeeded", sent=(), **fields):
    return FulfillmentOutcome(
        fulfillment_id="RnVs",
        order_id="T3Jk",
        order_number="1042",
        dr_order_id="240001",
        status=status,
        sent=list(sent),
        **fields,
    )


SENT = SentRequest(
    request_key="sfr_1",
    currency="USD",
    dr_fulfillment_id="ful_1",
    created=True,
    lines=[
        line("reno", "TEE", 2, "17.50", "5.87"),
        line("reno", "CAP", 3, "12.30", "4.12"),
    ],
)


def test_success_note_one_line_per_distributor():
    note = success_note(outcome(sent=[SENT]))

    lines = note.splitlines()
    assert lines[0] == "Digital River: fulfillment reported for order 240001."
    assert lines[1] == (
        "- reno: TEE x2, CAP x3; cost 29.80 USD, shipping 9.99 USD; "
        "DR fulfillment ful_1"
    )
    assert len(lines) == 2


def test_failure_note_without_sent_requests():
    note = failure_note(
        outcome("failed", error="no distributor", error_type="RoutingError")
    )

    assert "did not capture payment" in note
    assert "Reason (RoutingError): no distributor" in note
    assert "jobs retry" in note


def test_failure_note_with_accepted_requests():
    note = failure_note(
        outcome("failed", sent=[SENT], error="409 conflict", error_type="ConflictError")
    )

    assert "part of this fulfillment FAILED" in note
    assert "DR fulfillment ful_1" in note
