"""Small ASGI helpers the middlewares share."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._errors import JSON_CONTENT_TYPE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods whose handlers never write to the store (tests/test_read_cache.py checks every GET
operation of the document); any other request may."""


SERVICES_KEY = "medusa_mock.services"
"""Scope key of the :class:`Services` a request is served by, when not the app's own (a
sandbox's); :func:`services_of` reads it."""
SANDBOX_KEY = "medusa_mock.sandbox"
"""Scope key of the name of the named sandbox a request is served in (absent for the default
one)."""
SELECTION_KEY = "medusa_mock.selection"
"""Scope key of the sandbox middleware's :class:`~.._sandboxes.Selection` (the sandbox, its
registry, the path prefix); :func:`selection_of` reads it."""
FAULT_KEY = "medusa_mock.fault"
"""Scope key of the id of the fault rule that took the request, if any (for the journal)."""


def services_of(scope: Scope, default: Any) -> Any:
    """The services that serve this request: a sandbox's, else ``default`` (the app's)."""
    return scope.get(SERVICES_KEY, default)


def selection_of(scope: Scope) -> Any:
    """The sandbox selection of this request (``None`` without the sandbox middleware)."""
    return scope.get(SELECTION_KEY)


async def send_json(send: Send, status: int, body: bytes,
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """One whole JSON answer."""
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", JSON_CONTENT_TYPE.encode()),
        (b"content-length", str(len(body)).encode()), *(headers or ())]})
    await send({"type": "http.response.body", "body": body})


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
