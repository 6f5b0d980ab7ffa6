"""A bare Starlette endpoint at the webhook path, served as ``dr-distributor serve`` serves the app.

It reads the body and returns 200, nothing else: the baseline of the webhook
intake benchmark. ``uvicorn.run`` gets the same arguments as in ``serve``.

    python -m bench.bare_app --port 8001
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from plugin.app.config import WEBHOOK_PATH


async def accept(request: Request) -> Response:
    await request.body()
    return JSONResponse({"accepted": True})


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route(WEBHOOK_PATH, accept, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the bare webhook endpoint.")
    parser.add_argument(
        "--port", type=int, required=True, help="TCP port on 127.0.0.1."
    )
    args = parser.parse_args()
    uvicorn.run(
        app, host="127.0.0.1", port=args.port, log_level="warning", log_config=None
    )


if __name__ == "__main__":
    main()
