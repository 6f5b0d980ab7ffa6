"""Property tests over random carts."""

import asyncio
from decimal import Decimal

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from plugin.digitalriver.client import DigitalRiverClient
from plugin.money import allocate, quantize
from plugin.money import minor_unit as minor
from plugin.routing import plan_fulfillment
from plugin.saleor.payload import parse_fulfillment_created
from plugin.settings import DigitalRiverSettings
from tests.support.payloads import Line, fulfillment_created
from tests.support.routing import context, cost, distributor, settings

CURRENCIES = ["USD", "EUR", "JPY", "KWD"]

cart_lines = st.lists(
    st.tuples(
        st.sampled_from(CURRENCIES),
        st.integers(min_value=1, max_value=50),
        st.decimals(
            min_value=0, max_value=500, places=4, allow_nan=False, allow_infinity=False
        ),
    ),
    min_size=1,
    max_size=12,
)
shipping_amounts = st.dictionaries(
    st.sampled_from(CURRENCIES), st.integers(min_value=0, max_value=100_000)
)


def unused_client():
    # Every line carries its item id, so the plan never calls Digital River.
    return DigitalRiverClient(
        DigitalRiverSettings(), api_key="sk_test_unused", base_url="http://127.0.0.1:9"
    )


def cart_settings(lines, shipping_units):
    distributors = [
        distributor(
            f"d-{currency}",
            currency,
            remit=currency in shipping_units,
            shipping=str(Decimal(shipping_units[currency]) * minor(currency))
            if currency in shipping_units
            else None,
        )
        for currency in CURRENCIES
    ]
    costs = [
        cost(f"d-{currency}", f"SKU{index}", str(unit))
        for index, (currency, _, unit) in enumerate(lines)
    ]
    rules = [
        {"sku": f"SKU{index}", "distributor": f"d-{currency}"}
        for index, (currency, _, _) in enumerate(lines)
    ]
    return settings(distributors, costs, routing={"by_sku": rules})


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(lines=cart_lines, shipping_units=shipping_amounts)
def test_request_totals_match_costs(lines, shipping_units):
    config = cart_settings(lines, shipping_units)
    body = fulfillment_created(
        [
            Line(f"SKU{index}", quantity, item_id=f"item{index}")
            for index, (_, quantity, _) in enumerate(lines)
        ]
    )
    event = parse_fulfillment_created(body)

    drafts = asyncio.run(plan_fulfillment(event, context(config, unused_client())))

    for draft in drafts:
        currency = draft.request.currency
        own = [(quantity, unit) for (cur, quantity, unit) in lines if cur == currency]
        expected = sum(
            (quantize(unit * quantity, currency) for quantity, unit in own), Decimal(0)
        )
        sent = sum((item.distributor_cost for item in draft.request.items), Decimal(0))
        assert sent == expected
        shipping = [item.shipping_cost for item in draft.request.items]
        if currency in shipping_units:
            total = Decimal(shipping_units[currency]) * minor(currency)
            assert sum(shipping, Decimal(0)) == total
        else:
            assert shipping == [None] * len(shipping)
    assert sorted(draft.request.currency for draft in drafts) == sorted(
        {c for c, _, _ in lines}
    )


@given(
    total_units=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(
        st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=30
    ),
    currency=st.sampled_from(CURRENCIES),
)
def test_allocation_adds_up_exactly(total_units, weights, currency):
    total = Decimal(total_units) * minor(currency)

    parts = allocate(total, weights, currency)

    assert sum(parts, Decimal(0)) == total
    assert all(part >= 0 for part in parts)
    assert all(quantize(part, currency) == part for part in parts)
