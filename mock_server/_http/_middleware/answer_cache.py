"""Kept answers of pure reads replayed (``_http/_answer_cache.py``), and the store's write
generation moved around every request that may write.

A GET whose key is kept at the store's current generation is answered from the cache without
routing, validation or Flask; otherwise the pipeline runs and a 200 of a handler that declared
itself pure (``RequestContext.cacheable``) is kept, its ETag hashed once for every replay. In
``verify`` mode a hit runs the pipeline anyway and a replay that differs becomes a 500 with
``X-Medusa-Mock-Stale-Answer``. A request that may write (not GET, HEAD or OPTIONS) moves the
generation before and after it runs: a read computed meanwhile is kept under a generation that
is then already gone (both read caches rely on this; see ARCHITECTURE.md).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..._domain.read_cache import MISSING
from ..._state.store import Store
from .. import _etag
from .._answer_cache import Answer, AnswerCache
from .._context import SCOPE_KEY, RequestContext
from .._errors import JSON_CONTENT_TYPE, dumps, error_body
from ._asgi import SAFE_METHODS, selection_of

log = logging.getLogger("medusa_mock")
STALE_ANSWER_HEADER = b"x-medusa-mock-stale-answer"


async def _send_answer(send: Send, answer: Answer) -> None:
    await send({"type": "http.response.start", "status": answer.status,
                "headers": list(answer.headers)})
    await send({"type": "http.response.body", "body": answer.body})


class AnswerCacheMiddleware:
    def __init__(self, app: ASGIApp, store: Store, answers: AnswerCache) -> None:
        self.app = app
        self.store = store
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        selection = selection_of(scope)
        sandbox = selection.sandbox if selection is not None else None
        store, answers = ((sandbox.services.store, sandbox.answers) if sandbox is not None
                          else (self.store, self.answers))
        if scope["method"] in SAFE_METHODS:
            context: RequestContext | None = scope.get(SCOPE_KEY)
            key = answers.key(scope, context.customer_id if context else None)
            if key is None or context is None:
                await self.app(scope, receive, send)
            else:
                await self._replay_or_run(scope, receive, send, context, key, store, answers)
            return
        store.changed()
        try:
            await self.app(scope, receive, send)
        finally:
            store.changed()

    async def _replay_or_run(self, scope: Scope, receive: Receive, send: Send,
                             context: RequestContext, key: Any, store: Store,
                             answers: AnswerCache) -> None:
        replay = answers.lookup(key)
        if replay is not MISSING and answers.mode != "verify":
            await _send_answer(send, replay)
            return
        generation = store.generation
        captured: dict[str, Any] = {"body": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["start"] = message
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))

        await self.app(scope, receive, capture)
        start = captured.get("start")
        if start is None:
            return
        body = b"".join(captured["body"])
        headers = list(start.get("headers", ()))
        if context.cacheable and start["status"] == 200:
            headers.append((b"etag", _etag.weak_etag(body)))  # hashed once for every replay
        fresh = Answer(start["status"], tuple(headers), body)
        if replay is not MISSING and replay != fresh:  # verify mode: a stale replay is a bug
            log.error("answer cache: the replay of %s %s differs from a fresh answer",
                      scope["method"], scope["path"])
            fresh = Answer(500, ((b"content-type", JSON_CONTENT_TYPE.encode()),
                                 (STALE_ANSWER_HEADER, b"1")),
                           dumps(error_body(None, "")[1]))
        elif (context.cacheable and fresh.status == 200
              and store.generation == generation):
            answers.remember(key, generation, fresh)
        await _send_answer(send, fresh)
