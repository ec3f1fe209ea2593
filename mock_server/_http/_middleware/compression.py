"""gzip like the ``compression`` package, when ``Settings.http_compression`` is on: the client
accepts gzip (or ``*``), sent no ``x-no-compression`` header, and the body is at least 1 kB and
not encoded already."""

from __future__ import annotations

import gzip

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import header

COMPRESSION_THRESHOLD = 1024  # the compression package's default threshold


def wants_gzip(scope: Scope) -> bool:
    if header(scope, b"x-no-compression") is not None:
        return False
    accepted = (header(scope, b"accept-encoding") or "").lower()
    return any(part.split(";")[0].strip() in ("gzip", "*") for part in accepted.split(","))


class CompressionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not wants_gzip(scope):
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, _GzipSender(send).send)


class _GzipSender:
    """Buffers one answer and sends it gzipped when it is large enough to be worth it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._start: Message | None = None
        self._chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        self._chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(self._chunks)
        headers = [(k, v) for k, v in self._start.get("headers", [])]
        names = {k.lower() for k, _ in headers}
        if len(body) >= COMPRESSION_THRESHOLD and b"content-encoding" not in names:
            body = gzip.compress(body, compresslevel=6)
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"),
                        (b"content-length", str(len(body)).encode())]
        await self._send({**self._start, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})
