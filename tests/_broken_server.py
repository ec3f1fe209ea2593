"""A deliberately broken Store API for the audit's own tests: the mock, except that
``GET /store/auth/{email}`` answers ``{"exists": "yes"}`` (a string, where the document says
boolean).

Run: python tests/_broken_server.py PORT
"""

from __future__ import annotations

import sys

import uvicorn

from mock_server import Settings, create_app


class BreakOneOperation:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope["method"] != "GET"
                or not scope["path"].startswith("/store/auth/")):
            await self.app(scope, receive, send)
            return
        body = b'{"exists":"yes"}'

        async def send_broken(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k != b"content-length"]
                message = {**message, "headers": [*headers,
                                                  (b"content-length", str(len(body)).encode())]}
            elif message["type"] == "http.response.body":
                message = {**message, "body": body, "more_body": False}
            await send(message)

        await self.app(scope, receive, send_broken)


if __name__ == "__main__":
    app = BreakOneOperation(create_app(Settings()))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
