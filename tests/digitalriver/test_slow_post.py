"""A POST that times out while Digital River still works on it is not sent twice."""

import asyncio

import httpx

from plugin.digitalriver.client import DigitalRiverClient
from plugin.digitalriver.models import FulfillmentRequest, FulfillmentRequestItem
from plugin.settings import DigitalRiverSettings


class SlowFirstPost(httpx.AsyncBaseTransport):
    """Delivers the first POST late, after telling the client it timed out."""

    def __init__(self, delay: float) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.delay = delay
        self.late: list[asyncio.Task[httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and not self.late:
            body = await request.aread()
            copy = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            self.late.append(asyncio.create_task(self._deliver_later(copy)))
            await asyncio.sleep(0.05)
            raise httpx.ReadTimeout("timed out", request=request)
        return await self.inner.handle_async_request(request)

    async def _deliver_later(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.delay)
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def aclose(self) -> None:
        await asyncio.gather(*self.late)
        await self.inner.aclose()


async def test_slow_post_found_instead_of_resent(sandbox):
    sandbox.add_order(
        {
            "id": "ord-slow",
            "currency": "USD",
            "items": [{"id": "it-1", "skuId": "TEE", "quantity": 3}],
        }
    )
    transport = SlowFirstPost(delay=0.3)
    settings = DigitalRiverSettings(read_timeout=0.6, requests_per_second=1000)
    request = FulfillmentRequest(
        order_id="ord-slow",
        currency="USD",
        items=[
            FulfillmentRequestItem(item_id="it-1", quantity=1, subfulfiller_id="d1")
        ],
        metadata={"requestKey": "sfr_slow"},
    )

    async with DigitalRiverClient(
        settings, api_key=sandbox.api_key, base_url=sandbox.url, transport=transport
    ) as client:
        result = await client.create_fulfillment(request)

    assert result.created is False
    assert len(sandbox.state.fulfillments) == 1
