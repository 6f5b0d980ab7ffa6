"""GET /fulfillments (filters, cursors) and GET /fulfillments/{id}."""

from __future__ import annotations

import pytest

from tests.support.sandbox import add_order, make_order


@pytest.fixture
def created(sandbox, sandbox_http):
    """25 one-unit fulfillments of a fresh order, oldest first, and that order."""
    order = add_order(sandbox, make_order(25))
    item_id = order["items"][0]["id"]
    ids = []
    for number in range(25):
        response = sandbox_http.post(
            "/fulfillments",
            json={
                "orderId": order["id"],
                "items": [{"itemId": item_id, "quantity": 1}],
                "trackingNumber": f"T{number}",
            },
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids, order["id"]


def page(client, **params):
    response = client.get("/fulfillments", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [entry["id"] for entry in body["data"]], body["hasMore"]


def test_first_page_newest_first(sandbox_http, created):
    ids, order_id = created

    data, has_more = page(sandbox_http, orderId=order_id)

    assert data == ids[::-1][:10]
    assert has_more is True


def test_starting_after_walks_to_end(sandbox_http, created):
    ids, order_id = created
    newest_first = ids[::-1]

    first, _ = page(sandbox_http, orderId=order_id, limit=10)
    second, second_more = page(
        sandbox_http, orderId=order_id, limit=10, startingAfter=first[-1]
    )
    third, third_more = page(
        sandbox_http, orderId=order_id, limit=10, startingAfter=second[-1]
    )

    assert second == newest_first[10:20]
    assert second_more is True
    assert third == newest_first[20:]
    assert third_more is False


def test_ending_before_walks_back(sandbox_http, created):
    ids, order_id = created
    newest_first = ids[::-1]

    previous, previous_more = page(
        sandbox_http, orderId=order_id, limit=10, endingBefore=newest_first[20]
    )
    first, first_more = page(
        sandbox_http, orderId=order_id, limit=10, endingBefore=newest_first[10]
    )

    assert previous == newest_first[10:20]
    assert previous_more is True
    assert first == newest_first[:10]
    assert first_more is False


def test_exact_multiple_has_no_more(sandbox_http, created):
    ids, order_id = created

    data, has_more = page(sandbox_http, orderId=order_id, limit=5, startingAfter=ids[5])

    assert data == ids[4::-1]
    assert has_more is False


def test_limit_bounds(sandbox_http, created):
    ids, order_id = created

    one, one_more = page(sandbox_http, orderId=order_id, limit=1)
    every, every_more = page(sandbox_http, orderId=order_id, limit=100)

    assert one == [ids[-1]]
    assert one_more is True
    assert every == ids[::-1]
    assert every_more is False


def test_order_filter_excludes_other_orders(sandbox_http, created):
    _, order_id = created
    other = sandbox_http.post(
        "/fulfillments",
        json={
            "orderId": "240012340337",
            "items": [{"itemId": "170012340340", "quantity": 1}],
        },
    ).json()["id"]

    mine, _ = page(sandbox_http, orderId=order_id, limit=100)
    theirs, theirs_more = page(sandbox_http, orderId="240012340337")
    everything, _ = page(sandbox_http, limit=100)

    assert other not in mine
    assert theirs == [other]
    assert theirs_more is False
    assert len(everything) == 26


def test_unknown_order_lists_nothing(sandbox_http):
    assert page(sandbox_http, orderId="no-such-order") == ([], False)


def test_ids_filter(sandbox_http, created):
    ids, _ = created

    repeated = sandbox_http.get(
        "/fulfillments", params=[("ids", ids[0]), ("ids", ids[3])]
    )
    comma, _ = page(sandbox_http, ids=f"{ids[0]},{ids[3]}")

    assert [entry["id"] for entry in repeated.json()["data"]] == [ids[3], ids[0]]
    assert comma == [ids[3], ids[0]]


def test_tracking_and_sku_filters(sandbox_http, created):
    ids, _ = created

    by_tracking, _ = page(sandbox_http, trackingNumber="T7")
    by_sku, _ = page(sandbox_http, skuId="SKU-1", limit=100)

    assert by_tracking == [ids[7]]
    assert set(by_sku) == set(ids)


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1", "1.5", "²"])
def test_invalid_limit(sandbox_http, limit):
    response = sandbox_http.get("/fulfillments", params={"limit": limit})

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["parameter"] == "limit"
    assert error["code"] == "invalid_parameter"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"startingAfter": "ful_nope"}, "startingAfter"),
        ({"endingBefore": "ful_nope"}, "endingBefore"),
        ({"startingAfter": "a", "endingBefore": "b"}, "endingBefore"),
        ({"order_id": "1"}, "order_id"),
        ({"createdTime[gt]": "2024-01-01T00:00:00Z"}, "createdTime[gt]"),
        ([("orderId", "1"), ("orderId", "2")], "orderId"),
    ],
    ids=[
        "unknown-after",
        "unknown-before",
        "both-cursors",
        "unknown-parameter",
        "created-time",
        "repeated",
    ],
)
def test_invalid_query(sandbox_http, params, parameter):
    response = sandbox_http.get("/fulfillments", params=params)

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["parameter"] == parameter


def test_retrieve_includes_order_details(sandbox_http):
    created = sandbox_http.post(
        "/fulfillments",
        json={
            "orderId": "240012340337",
            "items": [{"itemId": "170012340340", "quantity": 2}],
        },
    ).json()

    response = sandbox_http.get(f"/fulfillments/{created['id']}")

    assert response.status_code == 200
    body = response.json()
    assert {
        key: value for key, value in body.items() if key != "orderDetails"
    } == created
    assert body["orderDetails"]["id"] == "240012340337"
    assert body["orderDetails"]["state"] == "fulfilled"


def test_retrieve_unknown_fulfillment(sandbox_http):
    response = sandbox_http.get("/fulfillments/ful_missing")

    assert response.status_code == 404
    (error,) = response.json()["errors"]
    assert error["code"] == "not_found"
    assert "'ful_missing'" in error["message"]
