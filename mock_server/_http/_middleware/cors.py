"""CORS like the ``cors`` package on Medusa's store router.

Only paths under ``/store`` get CORS headers: ``Vary: Origin``, credentials allowed, and the
request's ``Origin`` echoed when ``Settings.store_cors`` allows it. A preflight (an ``OPTIONS``
with ``Access-Control-Request-Method``) is answered here with 204, before the session, the body
and the router. Answers given before the store router (body-parser's errors, marked
``RequestContext.before_router``) get no CORS headers, as in Express.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._context import SCOPE_KEY
from ._asgi import header, response_headers

ALLOWED_METHODS = b"GET,HEAD,PUT,PATCH,POST,DELETE"


class CORSMiddleware:
    def __init__(self, app: ASGIApp, allows_origin: Callable[[str], bool]) -> None:
        self.app = app
        self.allows_origin = allows_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/store"):
            await self.app(scope, receive, send)
            return
        cors = [(b"vary", b"Origin"), (b"access-control-allow-credentials", b"true")]
        origin = header(scope, b"origin")
        if origin and self.allows_origin(origin):
            cors.insert(0, (b"access-control-allow-origin", origin.encode("latin-1")))
        if scope["method"] == "OPTIONS" and header(scope, b"access-control-request-method"):
            await self._preflight(scope, send, cors)
            return

        async def send_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                context = scope.get(SCOPE_KEY)
                if context is None or not context.before_router:
                    response_headers(message)[0:0] = cors
            await send(message)

        await self.app(scope, receive, send_cors)

    @staticmethod
    async def _preflight(scope: Scope, send: Send, cors: list[tuple[bytes, bytes]]) -> None:
        headers = [h for h in cors if h[0] != b"vary"]
        headers.append((b"access-control-allow-methods", ALLOWED_METHODS))
        requested = header(scope, b"access-control-request-headers")
        vary = b"Origin"
        if requested:
            headers.append((b"access-control-allow-headers", requested.encode("latin-1")))
            vary = b"Origin, Access-Control-Request-Headers"
        headers += [(b"vary", vary), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
