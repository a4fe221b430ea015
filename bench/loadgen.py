"""A lean HTTP/1.1 load generator: keep-alive connections on asyncio streams, nothing else.

The server and the clients share this machine's two cores, so every millisecond of client CPU
is taken from the server. httpx's ``AsyncClient`` spent about 5 ms of CPU a request here (its
connection pool, anyio and header models), which capped ``POST /bench/insert`` at about
150 requests/s while ``wrk`` measured over 700/s on the same server. This client encodes each
request once and reads the answer by ``Content-Length`` (or chunks): well under 0.5 ms a
request.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit


class ResponseError(RuntimeError):
    pass


def encode(method: str, host: str, path: str, headers: dict[str, str], body: Any) -> bytes:
    """One request, ready to write: a JSON body when ``body`` is not None."""
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if body is not None:
        lines.append("Content-Type: application/json")
    lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


def parse_head(head: bytes) -> tuple[int, int, bool]:
    """Status, Content-Length and whether the body is chunked, from a response's head."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    return status, length, chunked


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of the next response on a keep-alive connection."""
    status, length, chunked = parse_head(await reader.readuntil(b"\r\n\r\n"))
    if not chunked:
        return status, await reader.readexactly(length)
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, bytes(body)
        body += chunk[:-2]


async def post_all(
    base_url: str,
    path: str,
    headers: dict[str, str],
    bodies: Sequence[Any],
    *,
    clients: int,
    expect: int = 201,
) -> float:
    """Requests per second for posting ``bodies`` from ``clients`` keep-alive connections."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = [encode("POST", parts.netloc, path, headers, body) for body in bodies]
    connections = [await asyncio.open_connection(host, port) for _ in range(clients)]
    queue = iter(requests)

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for request in queue:
            writer.write(request)
            status, answer = await read_response(reader)
            if status != expect:
                raise ResponseError(f"{path} answered {status}: {answer[:500]!r}")

    try:
        start = time.perf_counter()
        await asyncio.gather(*(client(r, w) for r, w in connections))
        return len(requests) / (time.perf_counter() - start)
    finally:
        for _, writer in connections:
            writer.close()


class KeepAliveClient:
    """One keep-alive connection, one request at a time: for latency, not load.

    The latency figures time the server, so the client must cost next to nothing: httpx's
    ``Client`` added about 2 to 3 ms of CPU to each list request on this machine, as much as
    the whole server-side overhead being measured.
    """

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self.netloc = parts.netloc
        self.headers = headers
        self.socket = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.socket.makefile("rb")

    def get(self, path: str, params: dict[str, Any] | None = None) -> tuple[int, bytes]:
        target = f"{path}?{urlencode(params)}" if params else path
        self.socket.sendall(encode("GET", self.netloc, target, self.headers, None))
        return self._read()

    def _read(self) -> tuple[int, bytes]:
        head = bytearray()
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            head += line
        status, length, chunked = parse_head(bytes(head))
        if not chunked:
            return status, self.reader.read(length)
        body = bytearray()
        while size := int(self.reader.readline().split(b";")[0], 16):
            body += self.reader.read(size)
            self.reader.readline()
        self.reader.readline()
        return status, bytes(body)

    def close(self) -> None:
        self.reader.close()
        self.socket.close()

    def __enter__(self) -> KeepAliveClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
