"""Serve the sandbox with uvicorn, in a background thread or in the foreground.

``SandboxServer`` binds its own socket, so its URL is known before it serves:
with the default port 0 the operating system picks a free port.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, Self

import uvicorn

from plugin.sandbox.app import create_app
from plugin.sandbox.errors import SandboxError
from plugin.sandbox.models import Order
from plugin.sandbox.seed import parse_order
from plugin.sandbox.state import SandboxState

__all__ = ["DEFAULT_API_KEY", "SandboxServer"]

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "sk_test_sandbox"


class _PromptServer(uvicorn.Server):
    """A uvicorn server that notices ``should_exit`` within 10 ms.

    Uvicorn's own loop checks every 100 ms, which made each start and stop
    of a test sandbox take about 0.2 s instead of 0.1 s.
    """

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            await asyncio.sleep(0.01)


class SandboxServer:
    """A Digital River sandbox on ``host:port``; also a context manager.

    ``start()`` serves in a daemon thread and returns once the socket accepts
    connections; ``run()`` serves in the calling thread until interrupted.
    ``orders`` (``Order`` objects or seed-format objects) are added to
    ``state``. ``api_key`` is a key the state accepts, for clients to send.
    """

    def __init__(
        self,
        state: SandboxState | None = None,
        *,
        orders: Iterable[Order | Mapping[str, Any]] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        startup_timeout: float = 10.0,
    ) -> None:
        self.state = state if state is not None else SandboxState()
        if not self.state.accepts_key(api_key):
            raise ValueError(
                "the sandbox state does not accept api_key; pass api_key= with one "
                "of the keys given to SandboxState(api_keys=...)"
            )
        for order in orders:
            self.add_order(order)
        self.api_key = api_key
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self._socket: socket.socket | None = None
        self._address: tuple[str, int] | None = None
        self._server: _PromptServer | None = None
        self._thread: threading.Thread | None = None

    def add_order(self, order: Order | Mapping[str, Any]) -> Order:
        """Add an order, given as an ``Order`` or in the seed format; return it.

        Raises ``SeedError`` for an invalid seed and ``SandboxError`` when the
        order id is taken.
        """
        if not isinstance(order, Order):
            order = parse_order(order, self.state.now)
        self.state.add_order(order)
        return order

    @property
    def url(self) -> str:
        """Base URL, such as ``http://127.0.0.1:54321``; binds if needed."""
        if self._address is None:
            self.bind()
        assert self._address is not None
        host, port = self._address
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def bind(self) -> socket.socket:
        """Bind the listening socket once and return it."""
        if self._socket is None:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            # IPPROTO_TCP lets asyncio set TCP_NODELAY on accepted connections;
            # without it each response waited about 40 ms for a delayed ACK here.
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, self.port))
            except OSError as exc:
                sock.close()
                raise SandboxError(
                    f"cannot listen on {self.host}:{self.port} ({exc}); choose "
                    "another port or 0 for a free one"
                ) from None
            self._socket = sock
            self._address = sock.getsockname()[:2]
        return self._socket

    def _new_server(self) -> _PromptServer:
        config = uvicorn.Config(
            create_app(self.state),
            lifespan="off",
            # Leave logging to the host program; the gateway logs each request.
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self._server = _PromptServer(config)
        return self._server

    def start(self) -> Self:
        """Serve in a background thread; return once connections are accepted."""
        if self._thread is not None:
            raise SandboxError("the sandbox server is already started")
        sock = self.bind()
        server = self._new_server()
        self._thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name="dr-sandbox",
            daemon=True,
        )
        self._thread.start()
        self._wait_until_serving(server)
        logger.info("sandbox started url=%s", self.url)
        return self

    def _wait_until_serving(self, server: _PromptServer) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while not server.started:
            if self._thread is None or not self._thread.is_alive():
                self.stop()
                raise SandboxError(
                    "the sandbox server stopped while starting; see its log"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxError(
                    f"the sandbox server did not start within {self.startup_timeout} s"
                )
            time.sleep(0.01)
        with socket.create_connection(
            self.bind().getsockname()[:2], timeout=self.startup_timeout
        ):
            pass

    def stop(self) -> None:
        """Stop serving, wait for the thread and close the socket."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                logger.warning("sandbox server thread did not stop within 10 s")
        if self._socket is not None:
            self._socket.close()
        self._server, self._thread, self._socket = None, None, None
        logger.info("sandbox stopped")

    def run(self) -> None:
        """Serve in the calling thread until interrupted (Ctrl+C or SIGTERM)."""
        sock = self.bind()
        try:
            self._new_server().run(sockets=[sock])
        except KeyboardInterrupt:
            # Uvicorn shuts down on SIGINT, then raises it again for the caller.
            logger.info("sandbox interrupted url=%s", self.url)
        finally:
            sock.close()
            self._socket = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
