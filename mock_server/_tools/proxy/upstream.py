"""The proxy's HTTP/1.1 client towards the upstream: keep-alive connections on asyncio streams,
framed by h11 (the sans-I/O HTTP/1.1 implementation uvicorn and httpcore build on).

It hands over what the upstream sent: status, reason, every header in order, and the body's
bytes as they were encoded (only the transfer framing is undone; ``Content-Encoding`` stays).
Nothing is retried but a request whose kept-alive connection turns out to have been closed by
the upstream before it answered anything (a race every keep-alive client meets), and nothing is
added to the request but ``Host`` and the body's framing. Every step towards the upstream is
bounded by ``timeout``.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

import h11

T = TypeVar("T")

READ_SIZE = 65536


class UpstreamError(Exception):
    """The upstream could not be reached, did not answer in time, or broke the protocol."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(our_role=h11.CLIENT)
        self.received = False

    async def send(self, event: h11.Event) -> None:
        data = self.h11.send(event)
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def next_event(self) -> h11.Event:
        while True:
            event = self.h11.next_event()
            if event is h11.PAUSED:  # bytes past the answer, which nothing asked for
                raise h11.RemoteProtocolError("the upstream sent more than its answer")
            if event is not h11.NEED_DATA:
                assert isinstance(event, h11.Event)
                return event
            data = await self.reader.read(READ_SIZE)
            if data:
                self.received = True
            self.h11.receive_data(data)

    @property
    def reusable(self) -> bool:
        return self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE

    def close(self) -> None:
        self.writer.close()


@dataclass
class UpstreamAnswer:
    status: int
    reason: str
    headers: list[tuple[bytes, bytes]]
    _connection: _Connection
    _pool: Upstream
    _done: bool = field(default=False)

    async def body(self) -> AsyncIterator[bytes]:
        """The body's bytes as the upstream encoded them, chunk by chunk."""
        connection = self._connection
        while not self._done:
            event = await self._pool.bounded(connection.next_event())
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._done = True
                self._pool.release(connection)
            else:
                raise UpstreamError(f"unexpected {type(event).__name__} in the answer's body")

    async def aclose(self) -> None:
        """Give the connection back (answer read to its end) or close it (not read)."""
        if not self._done:
            self._done = True
            self._connection.close()


class Upstream:
    """A pool of keep-alive connections to one origin."""

    def __init__(self, url: str, *, timeout: float, max_idle: int = 64) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the upstream must be an http:// or https:// URL, not {url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        default_port = self.port == (443 if parts.scheme == "https" else 80)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.authority = host if default_port else f"{host}:{self.port}"
        self.prefix = parts.path.rstrip("/")
        self.base = f"{parts.scheme}://{self.authority}{self.prefix}"
        self.timeout = timeout
        self.max_idle = max_idle
        self._ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self._idle: list[_Connection] = []

    async def bounded(self, awaitable: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self.timeout):
                return await awaitable
        except TimeoutError:
            raise UpstreamError(f"no answer within {self.timeout:g} s") from None

    async def _open(self) -> _Connection:
        try:
            reader, writer = await self.bounded(asyncio.open_connection(
                self.host, self.port, ssl=self._ssl, limit=READ_SIZE,
                server_hostname=self.host if self._ssl else None))
        except OSError as exc:
            raise UpstreamError(f"{type(exc).__name__}: {exc}") from None
        return _Connection(reader, writer)

    def _kept(self) -> _Connection | None:
        """An idle connection the upstream has not closed meanwhile (as far as we know)."""
        while self._idle:
            connection = self._idle.pop()
            if not (connection.reader.at_eof() or connection.writer.is_closing()):
                return connection
            connection.close()
        return None

    def release(self, connection: _Connection) -> None:
        if connection.reusable and len(self._idle) < self.max_idle:
            connection.h11.start_next_cycle()
            self._idle.append(connection)
        else:
            connection.close()

    async def send(self, method: str, target: str, headers: list[tuple[str, str]],
                   body: bytes | AsyncIterator[bytes], length: int | None = None
                   ) -> UpstreamAnswer:
        """Send one request (``target``: path and query as sent) and read the answer's head."""
        framing: list[tuple[str, str]] = []
        if isinstance(body, bytes):
            if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
                framing = [("content-length", str(len(body)))]
        elif length is not None:
            framing = [("content-length", str(length))]
        else:
            framing = [("transfer-encoding", "chunked")]
        request = h11.Request(method=method, target=self.prefix + target,
                              headers=[("host", self.authority), *headers, *framing])
        for attempt in (1, 2):
            connection = self._kept() if attempt == 1 else None
            reused = connection is not None
            connection = connection or await self._open()
            try:
                return await self._exchange(connection, request, body)
            except UpstreamError:
                connection.close()
                raise
            except (OSError, h11.ProtocolError, asyncio.IncompleteReadError) as exc:
                connection.close()
                stale = reused and not connection.received and isinstance(body, bytes)
                if stale and attempt == 1:
                    continue  # the upstream closed a kept-alive connection: a fresh one
                raise UpstreamError(f"{type(exc).__name__}: {exc or 'connection closed'}"
                                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(self, connection: _Connection, request: h11.Request,
                        body: bytes | AsyncIterator[bytes]) -> UpstreamAnswer:
        await self.bounded(connection.send(request))
        if isinstance(body, bytes):
            if body:
                await self.bounded(connection.send(h11.Data(data=body)))
        else:
            async for chunk in body:
                if chunk:
                    await self.bounded(connection.send(h11.Data(data=chunk)))
        await self.bounded(connection.send(h11.EndOfMessage()))
        while True:
            event = await self.bounded(connection.next_event())
            if isinstance(event, h11.InformationalResponse):
                continue  # 100 Continue and friends: the final answer follows
            if isinstance(event, h11.Response):
                return UpstreamAnswer(event.status_code, event.reason.decode("latin-1"),
                                      list(event.headers.raw_items()), connection, self)
            if isinstance(event, h11.ConnectionClosed):
                raise h11.RemoteProtocolError("the upstream closed the connection")
            raise UpstreamError(f"unexpected {type(event).__name__} before the answer")

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
