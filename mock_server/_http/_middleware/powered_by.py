"""``X-Powered-By: Express`` on every answer, as Express's ``expressInit`` sets it first."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from ._asgi import HTTPMiddleware, response_headers

POWERED_BY = (b"x-powered-by", b"Express")


class PoweredByMiddleware(HTTPMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_powered(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers(message).insert(0, POWERED_BY)
            await send(message)

        await self.app(scope, receive, send_powered)
