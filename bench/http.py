"""A minimal HTTP/1.1 keep-alive client on asyncio streams, for the load generator.

httpx costs far more CPU per request than the mock itself on this size of machine; this client
only writes a request, reads the status line and headers, and reads the body by Content-Length
(or chunks). Enough for JSON APIs on loopback, nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

READ_LIMIT = 8 * 1024 * 1024


class HTTPError(Exception):
    """A transport problem (connection refused or reset, malformed answer, time-out)."""


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body)


def split_base_url(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"only plain http://host:port base URLs are supported: {base_url!r}")
    return parts.hostname, parts.port or 80


class Connection:
    """One keep-alive connection; reconnects by itself after the server closes it."""

    def __init__(self, host: str, port: int, *, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._host_header = f"{host}:{port}".encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()

    async def request(self, method: str, path: str, body: Any = None,
                      headers: dict[str, str] | None = None) -> Response:
        """Send one request and read the whole answer. Raises :class:`HTTPError`."""
        try:
            return await asyncio.wait_for(self._exchange(method, path, body, headers),
                                          self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                TimeoutError) as exc:
            await self.close()
            raise HTTPError(f"{type(exc).__name__}: {exc}") from None

    async def _exchange(self, method: str, path: str, body: Any,
                        headers: dict[str, str] | None) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, limit=READ_LIMIT)
        reader, writer = self._reader, self._writer
        assert reader is not None
        payload = b""
        lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._host_header,
                 b"User-Agent: medusa-mock-bench", b"Accept: application/json"]
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            lines.append(b"Content-Type: application/json")
        if body is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(b"Content-Length: " + str(len(payload)).encode())
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}".encode())
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + payload)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ValueError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        status = int(parts[1])
        found: dict[str, str] = {}
        for line in header_lines:
            key, _, value = line.partition(b":")
            found[key.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
        close = (found.get("connection", "").lower() == "close"
                 or parts[0] == b"HTTP/1.0" and found.get("connection", "").lower() != "keep-alive")
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            data = b""
        elif "chunked" in found.get("transfer-encoding", "").lower():
            data = await _read_chunked(reader)
        elif "content-length" in found:
            data = await reader.readexactly(int(found["content-length"]))
        else:
            data = await reader.read()
            close = True
        if close:
            await self.close()
        return Response(status, found, data)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
