"""``X-Powered-By: Express`` on every answer, as Express's ``expressInit`` sets it first."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import response_headers

POWERED_BY = (b"x-powered-by", b"Express")


class PoweredByMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_powered(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers(message).insert(0, POWERED_BY)
            await send(message)

        await self.app(scope, receive, send_powered)
