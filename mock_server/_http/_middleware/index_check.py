"""``verify`` mode only (``Settings.read_cache``): after every request that may write, the chosen
sandbox's store indexes are compared with a scan of their tables (``Store.index_problems``).

A difference means some code changed an indexed column in place without storing the row again:
the answer becomes a 500 with ``X-Medusa-Mock-Stale-Index`` naming the first stale entry (and the
log says which), and the indexes are rebuilt, so the test that made the request fails there.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..._state.store import Store
from .._errors import JSON_CONTENT_TYPE, dumps, error_body
from ._asgi import SAFE_METHODS, services_of

log = logging.getLogger("medusa_mock")
STALE_INDEX_HEADER = b"x-medusa-mock-stale-index"


class IndexCheckMiddleware:
    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        services = services_of(scope, None)
        store: Store = services.store if services is not None else self.store
        replaced = False

        async def checked_send(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start":
                problems = store.index_problems()
                if problems:
                    log.error("stale index after %s %s: %s", scope["method"], scope["path"],
                              "; ".join(problems))
                    store.reindex()
                    replaced = True
                    payload = dumps(error_body(None, "")[1])
                    await send({"type": "http.response.start", "status": 500, "headers": [
                        (b"content-type", JSON_CONTENT_TYPE.encode()),
                        (b"content-length", str(len(payload)).encode()),
                        (STALE_INDEX_HEADER, problems[0].encode("utf-8", "replace")[:500])]})
                    await send({"type": "http.response.body", "body": payload})
                    return
            if not replaced:
                await send(message)

        await self.app(scope, receive, checked_send)
