"""Digital River item ids looked up by SKU when the metadata lacks them."""

import pytest

from plugin.errors import RoutingError
from plugin.routing import plan_fulfillment
from plugin.saleor.payload import parse_fulfillment_created
from tests.support.payloads import Line, fulfillment_created
from tests.support.routing import context, cost, distributor, settings


def config():
    return settings([distributor("d")], [cost("d", "TEE", "1"), cost("d", "CAP", "1")])


async def test_missing_item_id_resolved_by_sku(sandbox, dr_client):
    sandbox.add_order(
        {
            "id": "ord-sku",
            "currency": "USD",
            "items": [
                {"id": "item-tee", "skuId": "TEE", "quantity": 2},
                {"id": "item-cap", "skuId": "CAP", "quantity": 1},
            ],
        }
    )
    body = fulfillment_created([Line("TEE", 2)], order_id="ord-sku")

    (draft,) = await plan_fulfillment(
        parse_fulfillment_created(body), context(config(), dr_client)
    )

    assert draft.request.items[0].item_id == "item-tee"


async def test_ambiguous_sku_fails(sandbox, dr_client):
    sandbox.add_order(
        {
            "id": "ord-twice",
            "currency": "USD",
            "items": [
                {"id": "item-1", "skuId": "TEE", "quantity": 1},
                {"id": "item-2", "skuId": "TEE", "quantity": 1},
            ],
        }
    )
    body = fulfillment_created([Line("TEE", 1)], order_id="ord-twice")

    with pytest.raises(
        RoutingError, match=r"has 2 items with this SKU \(item-1, item-2\)"
    ):
        await plan_fulfillment(
            parse_fulfillment_created(body), context(config(), dr_client)
        )


async def test_sku_missing_from_dr_order_fails(sandbox, dr_client):
    sandbox.add_order(
        {
            "id": "ord-other",
            "currency": "USD",
            "items": [{"id": "item-1", "skuId": "CAP", "quantity": 1}],
        }
    )
    body = fulfillment_created([Line("TEE", 1)], order_id="ord-other")

    with pytest.raises(RoutingError, match="has no item with this SKU"):
        await plan_fulfillment(
            parse_fulfillment_created(body), context(config(), dr_client)
        )
