"""Cost of each webhook intake step, called one at a time in one thread.

Times the store and signature calls that the webhook endpoint makes for
each delivery, called directly in a loop with no concurrency. The steps are
the installation read (with the store's cipher), the RS256 signature check
with a cached key set, the payload parse, and the job insert. Next to ``bench.webhook_intake``,
which measures them under load, it shows how much of the per-delivery CPU is
the work itself.

    python -m bench.profile_intake --deliveries 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.fixtures import make_deliveries
from bench.report import print_table, write_results
from plugin.context import utc_now
from plugin.saleor.jwks import JwksCache
from plugin.saleor.payload import parse_fulfillment_created
from plugin.store import SecretCipher, Store
from tests.support.saleor_double import SaleorDouble


def per_call_ms(count: int, call: Callable[[int], object]) -> float:
    """Return the mean milliseconds of ``call(i)`` for i in range(count)."""
    started = time.perf_counter()
    for index in range(count):
        call(index)
    return round((time.perf_counter() - started) * 1000 / count, 3)


async def verify_ms(
    cache: JwksCache, api_url: str, signed: list[tuple[bytes, str]]
) -> float:
    started = time.perf_counter()
    for body, signature in signed:
        await cache.verify(api_url, body, signature)
    return round((time.perf_counter() - started) * 1000 / len(signed), 3)


def measure(saleor: SaleorDouble, directory: Path, count: int) -> dict[str, float]:
    deliveries = make_deliveries(count, prefix="steps")
    signed = [(delivery.raw, saleor.sign(delivery.raw)) for delivery in deliveries]
    cipher = SecretCipher(SecretCipher.generate_key())
    store = Store.open(f"sqlite:///{directory / 'steps.sqlite3'}", cipher=cipher)
    store.save_installation(
        saleor.api_url, "QXBwOjE=", "bench-token", json.dumps(saleor.jwks)
    )
    cache = JwksCache(initial={saleor.api_url: saleor.jwks})
    events = [parse_fulfillment_created(body) for body, _ in signed]
    now = utc_now()

    def enqueue(index: int) -> object:
        event = events[index]
        body = signed[index][0].decode()
        return store.enqueue_job(
            saleor.api_url,
            event.fulfillment.id,
            event.order.id,
            event.order.number,
            "fulfillment_created",
            body,
            now,
        )

    figures = {
        "get_installation_ms": per_call_ms(
            count, lambda i: store.get_installation(saleor.api_url)
        ),
        "verify_signature_ms": asyncio.run(verify_ms(cache, saleor.api_url, signed)),
        "parse_payload_ms": per_call_ms(
            count, lambda i: parse_fulfillment_created(signed[i][0])
        ),
        "enqueue_job_new_ms": per_call_ms(count, enqueue),
        "enqueue_job_duplicate_ms": per_call_ms(count, enqueue),
    }
    store.close()
    asyncio.run(cache.aclose())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--deliveries", type=int, default=2000, help="Calls timed per step."
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="Also write bench/results/profile_intake.json.",
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="bench-steps-") as directory,
        SaleorDouble() as saleor,
    ):
        figures = measure(saleor, Path(directory), args.deliveries)
    print_table(
        "Webhook intake steps, one at a time (SQLite store)", list(figures.items())
    )
    if args.json:
        print(f"\nwrote {write_results('profile_intake', figures)}")


if __name__ == "__main__":
    main()
