"""The pipeline end to end against the sandbox over HTTP."""

from decimal import Decimal

from hooks import hookimpl
from plugin.pipeline import report_outcome, run_fulfillment_created
from plugin.saleor.payload import parse_fulfillment_created
from tests.support.payloads import Line, fulfillment_created, sandbox_order
from tests.support.routing import context, cost, distributor, settings


def posts(sandbox):
    return [record for record in sandbox.state.requests if record.method == "POST"]


def two_currency_config():
    return settings(
        [
            distributor("us", "USD", remit=True, shipping="4.00"),
            distributor("eu", "EUR"),
        ],
        [cost("us", "TEE", "3.10"), cost("eu", "SHOE", "20.00")],
        routing={
            "by_sku": [{"sku": "SHOE", "distributor": "eu"}],
            "default_distributor": "us",
        },
    )


def two_line_body():
    return fulfillment_created(
        [Line("TEE", 2, item_id="it-tee"), Line("SHOE", 1, item_id="it-shoe")],
        order_id="ord-pipeline",
    )


async def run(body, config, client, *plugins, **fields):
    ctx = context(config, client, *plugins, **fields)
    return await run_fulfillment_created(parse_fulfillment_created(body), ctx)


async def test_sends_one_fulfillment_per_currency(sandbox, dr_client):
    body = two_line_body()
    sandbox.add_order(sandbox_order(body))

    outcome = await run(body, two_currency_config(), dr_client)

    assert outcome.succeeded
    assert [sent.currency for sent in outcome.sent] == ["EUR", "USD"]
    assert len(sandbox.state.fulfillments) == 2
    stored = {f.request.currency: f.request for f in sandbox.state.fulfillments}
    assert set(stored) == {"EUR", "USD"}
    assert stored["USD"].items[0].distributor_cost == Decimal("6.20")
    assert stored["USD"].items[0].shipping_cost == Decimal("4.00")
    assert stored["EUR"].items[0].shipping_cost is None


async def test_line_without_distributor_sends_nothing(sandbox, dr_client):
    body = fulfillment_created(
        [Line("TEE", 1, item_id="it-1"), Line("MUG", 1, item_id="it-2")]
    )
    rules = [{"sku": "TEE", "distributor": "us"}]
    config = settings(
        [distributor("us")], [cost("us", "TEE", "1")], routing={"by_sku": rules}
    )

    outcome = await run(body, config, dr_client)

    assert outcome.status == "failed"
    assert outcome.error_type == "RoutingError"
    assert "SKU MUG" in outcome.error
    assert "no distributor" in outcome.error
    assert outcome.transient is False
    assert sandbox.state.requests == []


async def test_line_without_cost_sends_nothing(sandbox, dr_client):
    body = fulfillment_created(
        [Line("TEE", 1, item_id="it-1"), Line("MUG", 1, item_id="it-2")]
    )
    config = settings([distributor("us")], [cost("us", "TEE", "1")])

    outcome = await run(body, config, dr_client)

    assert "SKU MUG" in outcome.error
    assert "no unit cost" in outcome.error
    assert sandbox.state.requests == []


async def test_line_without_item_id_sends_nothing(sandbox, dr_client):
    sandbox.add_order(
        {
            "id": "ord-no-match",
            "currency": "USD",
            "items": [{"id": "x", "skuId": "CAP", "quantity": 1}],
        }
    )
    body = fulfillment_created(
        [Line("TEE", 1, item_id="it-1"), Line("MUG", 1)], order_id="ord-no-match"
    )
    config = settings(
        [distributor("us")], [cost("us", "TEE", "1"), cost("us", "MUG", "1")]
    )

    outcome = await run(body, config, dr_client)

    assert "SKU MUG" in outcome.error
    assert "no item with this SKU" in outcome.error
    assert [record.method for record in sandbox.state.requests] == ["GET"]


async def test_line_without_item_id_or_order_sends_nothing(sandbox, dr_client):
    body = fulfillment_created([Line("TEE", 1)], order_id=None)

    outcome = await run(
        body, settings([distributor("us")], [cost("us", "TEE", "1")]), dr_client
    )

    assert outcome.error_type == "RoutingError"
    assert sandbox.state.requests == []


async def test_veto_sends_nothing(sandbox, dr_client):
    class Veto:
        @hookimpl
        def prepare_request(self, draft):
            if draft.currency == "USD":
                draft.veto("USD payouts are paused")

    body = two_line_body()
    sandbox.add_order(sandbox_order(body))

    outcome = await run(body, two_currency_config(), dr_client, Veto())

    assert outcome.error_type == "RequestVetoed"
    assert "USD payouts are paused" in outcome.error
    assert posts(sandbox) == []


async def test_prepare_request_can_change_request(sandbox, dr_client):
    class Tracking:
        @hookimpl
        def prepare_request(self, draft):
            draft.request = draft.request.model_copy(update={"tracking_company": "UPS"})

    body = two_line_body()
    sandbox.add_order(sandbox_order(body))

    outcome = await run(body, two_currency_config(), dr_client, Tracking())

    assert outcome.succeeded
    assert {record.body["trackingCompany"] for record in posts(sandbox)} == {"UPS"}


async def test_prepare_request_must_keep_key(sandbox, dr_client):
    class Rekey:
        @hookimpl
        def prepare_request(self, draft):
            draft.request = draft.request.model_copy(
                update={"metadata": {"requestKey": "mine"}}
            )

    body = two_line_body()
    sandbox.add_order(sandbox_order(body))

    outcome = await run(body, two_currency_config(), dr_client, Rekey())

    assert "keep it unchanged" in outcome.error
    assert posts(sandbox) == []


async def test_second_attempt_finds_earlier_fulfillments(sandbox, dr_client):
    body = two_line_body()
    sandbox.add_order(sandbox_order(body))
    first = await run(body, two_currency_config(), dr_client)

    second = await run(body, two_currency_config(), dr_client, reconcile=True)

    assert [sent.created for sent in second.sent] == [False, False]
    assert [s.dr_fulfillment_id for s in second.sent] == [
        s.dr_fulfillment_id for s in first.sent
    ]
    assert len(sandbox.state.fulfillments) == 2


async def test_bad_request_fails_permanently(sandbox, dr_client):
    body = fulfillment_created([Line("TEE", 5, item_id="it-tee")], order_id="ord-small")
    sandbox.add_order(
        {
            "id": "ord-small",
            "currency": "USD",
            "items": [{"id": "it-tee", "skuId": "TEE", "quantity": 1}],
        }
    )

    outcome = await run(
        body, settings([distributor("us")], [cost("us", "TEE", "1")]), dr_client
    )

    assert outcome.status == "failed"
    assert outcome.transient is False
    assert len(posts(sandbox)) == 1


async def test_reporters_receive_outcome(sandbox, dr_client):
    received = []

    class Recorder:
        @hookimpl
        async def fulfillment_reported(self, outcome):
            received.append(outcome)

    body = two_line_body()
    sandbox.add_order(sandbox_order(body))
    ctx = context(two_currency_config(), dr_client, Recorder())
    outcome = await run_fulfillment_created(parse_fulfillment_created(body), ctx)

    await report_outcome(outcome, ctx)

    assert received == [outcome]


async def test_host_plugin_can_take_over_event(sandbox, dr_client):
    class Host:
        @hookimpl(tryfirst=True)
        def fulfillment_created(self, event, context):
            from plugin.outcome import FulfillmentOutcome

            return FulfillmentOutcome(
                fulfillment_id=event.fulfillment.id,
                order_id=event.order.id,
                order_number=event.order.number,
                status="succeeded",
            )

    outcome = await run(two_line_body(), two_currency_config(), dr_client, Host())

    assert outcome.succeeded
    assert sandbox.state.requests == []


async def test_prepared_float_cost_rejected(sandbox, dr_client):
    class FloatCost:
        @hookimpl
        def prepare_request(self, draft):
            item = draft.request.items[0].model_copy(
                update={"distributor_cost": 0.1 + 0.2}
            )
            draft.request = draft.request.model_copy(
                update={"items": [item, *draft.request.items[1:]]}
            )

    body = two_line_body()
    sandbox.add_order(sandbox_order(body))

    outcome = await run(body, two_currency_config(), dr_client, FloatCost())

    assert "invalid" in outcome.error
    assert posts(sandbox) == []


async def test_prepared_item_removal_rejected(sandbox, dr_client):
    class DropItem:
        @hookimpl
        def prepare_request(self, draft):
            draft.request = draft.request.model_copy(
                update={"items": draft.request.items[:0]}
            )

    body = two_line_body()
    sandbox.add_order(sandbox_order(body))

    outcome = await run(body, two_currency_config(), dr_client, DropItem())

    assert outcome.status == "failed"
    assert posts(sandbox) == []


async def test_prepared_amounts_reach_outcome(sandbox, dr_client):
    class Discount:
        @hookimpl
        def prepare_request(self, draft):
            items = [
                item.model_copy(update={"distributor_cost": Decimal("1.00")})
                for item in draft.request.items
            ]
            draft.request = draft.request.model_copy(update={"items": items})

    body = two_line_body()
    sandbox.add_order(sandbox_order(body))

    outcome = await run(body, two_currency_config(), dr_client, Discount())

    assert outcome.succeeded
    costs = {line.distributor_cost for sent in outcome.sent for line in sent.lines}
    assert costs == {Decimal("1.00")}
