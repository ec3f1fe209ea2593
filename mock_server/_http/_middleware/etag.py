"""``res.send``'s ETags and 304s (rules in ``_http/_etag.py``).

Each answer is held until its body is whole (the ETag hashes the body), then given its weak
ETag, or turned into ``304 Not Modified`` for a fresh conditional GET or HEAD; answers marked as
passport's 401 or Express's final handler get no ETag (the final handler's own headers instead).
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from .. import _etag
from ._asgi import HTTPMiddleware

_CONDITIONAL = (b"if-none-match", b"if-modified-since", b"cache-control")


def conditional_headers(scope: Scope) -> dict[bytes, str]:
    return {key: value.decode("latin-1") for key, value in scope["headers"]
            if key in _CONDITIONAL}


class ETagMiddleware(HTTPMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started: list[Message] = []
        chunks: list[bytes] = []

        async def send_whole(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message)
                return
            if message["type"] != "http.response.body" or not started:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            start = started.pop()
            status, headers, body = _etag.finish(
                scope["method"], conditional_headers(scope), start["status"],
                list(start.get("headers", ())), b"".join(chunks))
            chunks.clear()
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_whole)
