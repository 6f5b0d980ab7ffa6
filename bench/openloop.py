"""An open-loop HTTP/1.1 load generator on raw asyncio streams.

Request ``i`` is sent at ``start + i / rate`` whatever happened to the
earlier ones. Its latency runs from that scheduled time to the end of its
response, so a slow server cannot slow the sender down and hide its own
queueing (coordinated omission). A request goes out on an idle keep-alive
connection, or on a new one when all are busy. The requests are pre-built
bytes, so the generator spends little time per request next to an httpx
client.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

__all__ = ["Response", "run_open_loop"]


@dataclass(frozen=True)
class Response:
    """Status (0 when the connection failed) and seconds since the scheduled send."""

    status: int
    latency: float


class _Connections:
    """Keep-alive connections to one server, opened on demand."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def exchange(self, request: bytes) -> int:
        """Send one request, read the response and return its status, or 0 on failure.

        A reused connection that the server closed while idle (uvicorn's
        keep-alive timeout is 5 s) is replaced once by a new one.
        """
        while self.idle:
            reader, writer = self.idle.pop()
            status = await self._exchange_on(reader, writer, request)
            if status:
                return status
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        return await self._exchange_on(reader, writer, request)

    async def _exchange_on(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> int:
        try:
            writer.write(request)
            status = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            writer.close()
            return 0
        self.idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    parts = status_line.split()
    if len(parts) < 2:
        raise ValueError("connection closed before the status line")
    status = int(parts[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def run_open_loop(
    host: str, port: int, requests: list[bytes], rate: float
) -> tuple[list[Response], int]:
    """Send ``requests`` at ``rate`` a second; return the responses in order and the connections opened."""
    loop = asyncio.get_running_loop()
    connections = _Connections(host, port)
    start = loop.time() + 0.2

    async def send(index: int, request: bytes) -> Response:
        scheduled = start + index / rate
        status = await connections.exchange(request)
        return Response(status, loop.time() - scheduled)

    tasks = []
    for index, request in enumerate(requests):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(index, request)))
    responses = await asyncio.gather(*tasks)
    connections.close()
    return list(responses), connections.opened
