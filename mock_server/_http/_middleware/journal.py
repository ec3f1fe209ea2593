"""The request journal: one entry per request the mock answers (``GET /_mock/requests``),
control-plane requests excepted.

Outermost but for the control guard (and the sandbox selection), so that an entry holds what
the client got: a replayed answer, a faulted one (its rule's id), a dropped connection (no
status). Recording is kept small, as it runs on every request: the entry is a tuple of
references to strings and bytes (method, path, the raw query string, the status, the first bytes
of each body, the answer's content type), formatted only when read (``_http/_journal.py``): no
container the garbage collector would have to walk again and again while the entry lives in the
ring (a kept list of headers per entry cost more than the rest of the recording together). A
body longer than the journal keeps is cut once per body object: a replayed answer is the same
object every time, so its cut is shared by every entry of it (no copy per request, and the
journal's memory stays bounded by its size times the cut).
"""

from __future__ import annotations

from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..._domain.services import Services
from .._journal import BODY_LIMIT
from .._operations import is_control
from ._asgi import (
    FAULT_KEY,
    SAFE_METHODS,
    SANDBOX_KEY,
    HTTPMiddleware,
    services_of,
)


class JournalMiddleware(HTTPMiddleware):
    def __init__(self, app: ASGIApp, services: Services) -> None:
        super().__init__(app)
        self.services = services
        self._cut: tuple[bytes, bytes] = (b"", b"")  # the last long body and its cut

    def _keep(self, body: bytes) -> bytes:
        """The first ``BODY_LIMIT`` bytes of a long body, cut once per body object."""
        whole, cut = self._cut
        if body is not whole:
            cut = body[:BODY_LIMIT]
            self._cut = (body, cut)
        return cut

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # (``handle`` inlined: one coroutine fewer on every request's path)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        journal = services_of(scope, self.services).journal
        path = scope["path"]
        if not journal.enabled or is_control(path):
            await self.app(scope, receive, send)
            return
        at = journal.clock.time()
        started = perf_counter()
        answer: list = [None, None, b""]  # status, content type, body (first BODY_LIMIT bytes)
        request_body = b""

        async def journal_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer[0] = message["status"]
                for key, value in message.get("headers") or ():
                    if key == b"content-type":
                        answer[1] = value
                        break
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if not answer[2]:
                    answer[2] = self._keep(body) if len(body) > BODY_LIMIT else body
                elif len(answer[2]) < BODY_LIMIT:
                    answer[2] = (answer[2] + body)[:BODY_LIMIT]
            await send(message)

        if scope["method"] in SAFE_METHODS:
            journal_receive = receive
        else:
            async def journal_receive() -> Message:
                nonlocal request_body
                message = await receive()
                if len(request_body) < BODY_LIMIT and message["type"] == "http.request":
                    request_body = (request_body + message.get("body", b""))[:BODY_LIMIT]
                return message

        try:
            await self.app(scope, journal_receive, journal_send)
        finally:
            journal.record((journal.next_id(), at, scope["method"], path,
                            scope.get("query_string", b""), answer[0], perf_counter() - started,
                            request_body, answer[2], answer[1], scope.get(SANDBOX_KEY),
                            scope.get(FAULT_KEY)))
