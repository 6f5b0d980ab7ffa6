"""Return values of merchant hooks are checked before anything is sent."""

from decimal import Decimal

import pytest

from hooks import hookimpl
from plugin.errors import RoutingError
from plugin.money import quantize
from plugin.routing import parse_amount, plan_fulfillment
from plugin.saleor.payload import parse_fulfillment_created
from tests.support.payloads import Line, fulfillment_created
from tests.support.routing import context, cost, distributor, settings


async def plan_with(plugin, client, config=None):
    config = config or settings([distributor("d")], [cost("d", "TEE", "1")])
    body = fulfillment_created([Line("TEE", 1, item_id="i1")])
    return await plan_fulfillment(
        parse_fulfillment_created(body), context(config, client, plugin)
    )


@pytest.mark.parametrize(
    "answer", [4.2, "3.00", True, [1], Decimal("NaN"), Decimal("-1"), Decimal("1e20")]
)
async def test_bad_unit_cost_answer_rejected(dr_client, answer):
    class Plugin:
        @hookimpl
        def unit_cost(self):
            return answer

    with pytest.raises(RoutingError, match="the unit_cost hook returned"):
        await plan_with(Plugin(), dr_client)


async def test_integer_unit_cost_accepted(dr_client):
    class Plugin:
        @hookimpl
        def unit_cost(self):
            return 5

    (draft,) = await plan_with(Plugin(), dr_client)

    assert draft.request.items[0].distributor_cost == Decimal("5.00")


async def test_bad_shipping_answer_rejected(dr_client):
    class Plugin:
        @hookimpl
        def shipping_cost(self):
            return 0.1

    config = settings([distributor("d", remit=True)], [cost("d", "TEE", "1")])

    with pytest.raises(RoutingError, match=r"the shipping_cost hook returned 0\.1"):
        await plan_with(Plugin(), dr_client, config)


async def test_bad_distributor_answer_rejected(dr_client):
    class Plugin:
        @hookimpl
        def distributor_for_line(self):
            return 42

    with pytest.raises(RoutingError, match="the distributor_for_line hook returned 42"):
        await plan_with(Plugin(), dr_client)


@pytest.mark.parametrize(
    "text", ["1e3", "-0", "+1", "1_000", "١٢", "NaN", "Infinity", "", "1.", ".5"]
)
def test_amount_text_rejected(text):
    with pytest.raises(ValueError, match="is not a decimal amount"):
        parse_amount(text, "unit cost")


def test_amount_text_accepted():
    assert parse_amount(" 12.50 ", "unit cost") == Decimal("12.50")


def test_negative_zero_sent_unsigned():
    assert str(quantize(Decimal("-0"), "USD")) == "0.00"


def test_huge_amount_rejected():
    with pytest.raises(ValueError, match="too large"):
        quantize(Decimal("1e26"), "USD")
