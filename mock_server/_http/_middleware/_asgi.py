"""Small ASGI helpers the middlewares share."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods whose handlers never write to the store (tests/test_read_cache.py checks every GET
operation of the document); any other request may."""


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (``name`` in lower case), or ``None``."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def response_headers(message: Message) -> list[tuple[bytes, bytes]]:
    """The header list of an ``http.response.start`` message, to change in place (as Starlette's
    own middleware does with ``MutableHeaders``)."""
    headers = message.get("headers")
    if type(headers) is not list:
        headers = message["headers"] = list(headers or ())
    return headers


class HTTPMiddleware:
    """A pure ASGI middleware that acts on HTTP requests only (others pass through untouched):
    subclasses implement :meth:`handle`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
