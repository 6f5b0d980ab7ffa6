"""Routing a fulfillment into Digital River requests."""

from decimal import Decimal

import pytest

from hooks import hookimpl
from plugin.errors import RoutingError
from plugin.routing import plan_fulfillment, request_key
from plugin.saleor.payload import parse_fulfillment_created
from tests.support.payloads import Line, fulfillment_created
from tests.support.routing import context, cost, distributor, settings


async def plan(body, settings_, client, *plugins):
    event = parse_fulfillment_created(body)
    return await plan_fulfillment(event, context(settings_, client, *plugins))


def items_of(draft):
    return draft.request.to_payload()["items"]


async def test_mixed_currencies_give_one_request_each(dr_client):
    config = settings(
        [
            distributor("us", "USD", remit=True, shipping="5.00"),
            distributor("eu", "EUR"),
        ],
        [cost("us", "TEE", "3.00"), cost("eu", "SHOE", "20.00")],
        routing={
            "by_sku": [{"sku": "SHOE", "distributor": "eu"}],
            "default_distributor": "us",
        },
    )
    body = fulfillment_created(
        [Line("TEE", 2, item_id="i1"), Line("SHOE", 1, item_id="i2")]
    )

    drafts = await plan(body, config, dr_client)

    assert [draft.request.currency for draft in drafts] == ["EUR", "USD"]
    eur, usd = (draft.request.to_payload() for draft in drafts)
    assert eur["items"] == [
        {
            "itemId": "i2",
            "quantity": 1,
            "subfulfillerId": "eu",
            "distributorCost": Decimal("20.00"),
        }
    ]
    assert usd["items"][0]["shippingCost"] == Decimal("5.00")
    assert usd["currency"] == "USD"


async def test_no_shipping_cost_without_remit(dr_client):
    config = settings(
        [distributor("eu", "EUR", remit=False)], [cost("eu", "SHOE", "20.00")]
    )
    body = fulfillment_created([Line("SHOE", 1, item_id="i2")])

    (draft,) = await plan(body, config, dr_client)

    assert "shippingCost" not in items_of(draft)[0]


@pytest.mark.parametrize(
    ("currency", "unit", "quantity", "expected"),
    [
        ("JPY", "333.5", 1, Decimal("334")),
        ("JPY", "120", 3, Decimal("360")),
        ("KWD", "1.2345", 3, Decimal("3.704")),
        ("BHD", "0.0005", 1, Decimal("0.001")),
        ("USD", "0.125", 1, Decimal("0.13")),
    ],
)
async def test_cost_quantized_to_minor_unit(
    dr_client, currency, unit, quantity, expected
):
    config = settings([distributor("d", currency)], [cost("d", "SKU", unit)])
    body = fulfillment_created([Line("SKU", quantity, item_id="i1")])

    (draft,) = await plan(body, config, dr_client)

    sent = items_of(draft)[0]["distributorCost"]
    assert sent == expected
    assert sent.as_tuple().exponent == expected.as_tuple().exponent


async def test_shipping_split_adds_up_exactly(dr_client):
    config = settings(
        [distributor("d", remit=True, shipping="10.00")],
        [cost("d", "A", "1.00"), cost("d", "B", "1.00"), cost("d", "C", "1.00")],
    )
    lines = [Line("A", item_id="a"), Line("B", item_id="b"), Line("C", item_id="c")]

    (draft,) = await plan(fulfillment_created(lines), config, dr_client)

    parts = [item["shippingCost"] for item in items_of(draft)]
    assert sum(parts) == Decimal("10.00")
    assert sorted(parts) == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]


async def test_shipping_split_by_quantity_when_costs_zero(dr_client):
    config = settings(
        [distributor("d", remit=True, shipping="9.00")],
        [cost("d", "A", "0"), cost("d", "B", "0")],
    )
    lines = [Line("A", 2, item_id="a"), Line("B", 1, item_id="b")]

    (draft,) = await plan(fulfillment_created(lines), config, dr_client)

    assert [item["shippingCost"] for item in items_of(draft)] == [
        Decimal("6.00"),
        Decimal("3.00"),
    ]


async def test_partial_fulfillment_sends_shipped_quantity(dr_client):
    config = settings([distributor("d")], [cost("d", "TEE", "4.25")])
    body = fulfillment_created([Line("TEE", 1, ordered=3, item_id="i1")])

    (draft,) = await plan(body, config, dr_client)

    item = items_of(draft)[0]
    assert item["quantity"] == 1
    assert item["distributorCost"] == Decimal("4.25")


async def test_cost_in_force_on_creation_day_wins(dr_client):
    config = settings(
        [distributor("d")],
        [
            cost("d", "TEE", "1.00", "2026-01-01"),
            cost("d", "TEE", "2.00", "2026-12-02"),
            cost("d", "TEE", "3.00", "2026-12-03"),
        ],
    )
    body = fulfillment_created(
        [Line("TEE", item_id="i1")], created="2026-12-02T23:59:00+00:00"
    )

    (draft,) = await plan(body, config, dr_client)

    assert items_of(draft)[0]["distributorCost"] == Decimal("2.00")


async def test_cost_from_line_metadata(dr_client):
    config = settings(
        [distributor("d")],
        costs={"table": [], "metadata": {"key": "cost", "private": True}},
    )
    body = fulfillment_created(
        [Line("TEE", 2, item_id="i1", line_metadata={"cost": "1.15"})]
    )

    (draft,) = await plan(body, config, dr_client)

    assert items_of(draft)[0]["distributorCost"] == Decimal("2.30")


async def test_routing_by_warehouse(dr_client):
    config = settings(
        [distributor("a"), distributor("b")],
        [cost("a", "TEE", "1"), cost("b", "TEE", "1")],
        routing={
            "by_warehouse": [{"warehouse": "east", "distributor": "b"}],
            "default_distributor": "a",
        },
    )
    body = fulfillment_created([Line("TEE", item_id="i1")], warehouse_slug="east")

    (draft,) = await plan(body, config, dr_client)

    assert items_of(draft)[0]["subfulfillerId"] == "b"


async def test_line_without_distributor_fails(dr_client):
    config = settings([distributor("d")], [cost("d", "TEE", "1")], routing={})
    body = fulfillment_created([Line("TEE", item_id="i1", name="Tee")])

    with pytest.raises(RoutingError) as caught:
        await plan(body, config, dr_client)

    message = str(caught.value)
    assert "(SKU TEE, 'Tee'): no distributor" in message
    assert "nothing was sent" in message


async def test_line_without_cost_fails(dr_client):
    config = settings([distributor("d")])
    body = fulfillment_created([Line("TEE", item_id="i1")])

    with pytest.raises(
        RoutingError, match=r"SKU TEE.*no unit cost for distributor 'd'"
    ):
        await plan(body, config, dr_client)


async def test_every_bad_line_is_listed(dr_client):
    rules = [{"sku": "A", "distributor": "d"}, {"sku": "C", "distributor": "d"}]
    config = settings(
        [distributor("d")], [cost("d", "A", "1")], routing={"by_sku": rules}
    )
    lines = [Line("A", item_id="a"), Line("B", item_id="b"), Line("C", item_id="c")]

    with pytest.raises(RoutingError) as caught:
        await plan(fulfillment_created(lines), config, dr_client)

    problems = {problem.sku: problem.message for problem in caught.value.problems}
    assert set(problems) == {"B", "C"}
    assert problems["B"].startswith("no distributor")
    assert problems["C"].startswith("no unit cost")


async def test_missing_dr_order_id_fails(dr_client):
    config = settings([distributor("d")], [cost("d", "TEE", "1")])
    body = fulfillment_created([Line("TEE", item_id="i1")], order_id=None, number="77")

    with pytest.raises(RoutingError, match="order 77 has no Digital River order id"):
        await plan(body, config, dr_client)


async def test_remitted_shipping_without_amount_fails(dr_client):
    config = settings([distributor("d", remit=True)], [cost("d", "TEE", "1")])
    body = fulfillment_created([Line("TEE", item_id="i1")])

    with pytest.raises(RoutingError, match="shipping remitted but no shipping cost"):
        await plan(body, config, dr_client)


async def test_shipping_from_fulfillment_metadata(dr_client):
    config = settings(
        [distributor("d", remit=True, shipping="1.00")], [cost("d", "TEE", "1")]
    )
    body = fulfillment_created(
        [Line("TEE", item_id="i1")],
        fulfillment_metadata={"digitalriver.shippingCost": "7.25"},
    )

    (draft,) = await plan(body, config, dr_client)

    assert items_of(draft)[0]["shippingCost"] == Decimal("7.25")


async def test_plain_shipping_metadata_ambiguous_for_two_distributors(dr_client):
    config = settings(
        [distributor("a", remit=True), distributor("b", remit=True)],
        [cost("a", "A", "1"), cost("b", "B", "1")],
        routing={
            "by_sku": [{"sku": "B", "distributor": "b"}],
            "default_distributor": "a",
        },
    )
    body = fulfillment_created(
        [Line("A", item_id="a"), Line("B", item_id="b")],
        fulfillment_metadata={"digitalriver.shippingCost": "7.25"},
    )

    with pytest.raises(RoutingError, match="store a JSON object"):
        await plan(body, config, dr_client)


async def test_shipping_metadata_object_per_distributor(dr_client):
    config = settings(
        [distributor("a", remit=True), distributor("b", remit=True)],
        [cost("a", "A", "1"), cost("b", "B", "1")],
        routing={
            "by_sku": [{"sku": "B", "distributor": "b"}],
            "default_distributor": "a",
        },
    )
    body = fulfillment_created(
        [Line("A", item_id="a"), Line("B", item_id="b")],
        fulfillment_metadata={
            "digitalriver.shippingCost": '{"a": "2.50", "b": "3.10"}'
        },
    )

    (draft,) = await plan(body, config, dr_client)

    assert [item["shippingCost"] for item in items_of(draft)] == [
        Decimal("2.50"),
        Decimal("3.10"),
    ]


async def test_request_key_is_deterministic(dr_client):
    config = settings([distributor("d")], [cost("d", "TEE", "1")])
    body = fulfillment_created([Line("TEE", item_id="i1")])

    (first,) = await plan(body, config, dr_client)
    (second,) = await plan(body, config, dr_client)

    assert first.request_key == second.request_key
    assert first.request.metadata["requestKey"] == first.request_key


def test_request_key_ignores_item_order():
    assert request_key("u", "f", "USD", ["a", "b"]) == request_key(
        "u", "f", "USD", ["b", "a"]
    )


def test_request_key_differs_per_fulfillment():
    assert request_key("u", "f1", "USD", ["a"]) != request_key("u", "f2", "USD", ["a"])


async def test_metadata_within_dr_limits(dr_client):
    config = settings([distributor("d")], [cost("d", "TEE", "1")])
    (draft,) = await plan(
        fulfillment_created([Line("TEE", item_id="i1")]), config, dr_client
    )

    metadata = draft.request.metadata
    assert len(metadata) <= 20
    assert all(
        len(key) <= 40 and len(str(value)) <= 500 for key, value in metadata.items()
    )


async def test_merchant_plugin_overrides_distributor_and_cost(dr_client):
    class AcmePlugin:
        @hookimpl
        def distributor_for_line(self, line):
            return "acme" if line.order_line.sku == "TEE" else None

        @hookimpl
        def unit_cost(self, distributor):
            return Decimal("9.99") if distributor.id == "acme" else None

    config = settings([distributor("d"), distributor("acme")], [cost("d", "TEE", "1")])
    body = fulfillment_created([Line("TEE", 2, item_id="i1")])

    (draft,) = await plan(body, config, dr_client, AcmePlugin())

    item = items_of(draft)[0]
    assert item["subfulfillerId"] == "acme"
    assert item["distributorCost"] == Decimal("19.98")


async def test_plugin_returning_unknown_distributor_fails(dr_client):
    class Plugin:
        @hookimpl
        def distributor_for_line(self):
            return "ghost"

    config = settings([distributor("d")], [cost("d", "TEE", "1")])

    with pytest.raises(RoutingError, match="distributor 'ghost' is not configured"):
        await plan(
            fulfillment_created([Line("TEE", item_id="i1")]),
            config,
            dr_client,
            Plugin(),
        )


async def test_first_warehouse_rule_wins(dr_client):
    rules = [
        {"warehouse": "east", "distributor": "b"},
        {"warehouse": "T3JkZXI", "distributor": "c"},
        {"warehouse": "east", "distributor": "c"},
    ]
    config = settings(
        [distributor("a"), distributor("b"), distributor("c")],
        [cost(d, "TEE", "1") for d in "abc"],
        routing={"by_warehouse": rules, "default_distributor": "a"},
    )
    body = fulfillment_created([Line("TEE", item_id="i1")], warehouse_slug="east")

    (draft,) = await plan(body, config, dr_client)

    assert items_of(draft)[0]["subfulfillerId"] == "b"


async def test_warehouse_rule_by_global_id(dr_client):
    body = fulfillment_created([Line("TEE", item_id="i1")], warehouse_slug="west")
    warehouse_id = body["fulfillment"]["warehouse"]["id"]
    config = settings(
        [distributor("a"), distributor("b")],
        [cost(d, "TEE", "1") for d in "ab"],
        routing={
            "by_warehouse": [{"warehouse": warehouse_id, "distributor": "b"}],
            "default_distributor": "a",
        },
    )

    (draft,) = await plan(body, config, dr_client)

    assert items_of(draft)[0]["subfulfillerId"] == "b"
