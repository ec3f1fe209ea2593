"""Fault rules and latency applied to every request but the control plane's.

A request that a fault rule takes (``_state/faults.py``, added with ``POST /_mock/faults``) is
delayed by the rule's ``delay_ms``, then answered with the rule's status, body and headers, or
dropped (the connection closed without an answer), or, for a rule with a delay only, answered
by the mock as usual; each such answer carries ``X-Medusa-Mock-Fault: <rule id>``.
``Settings.latency`` (``serve --latency MIN-MAX``) delays every answer by a uniform draw from
the range on top. Delays are awaited (``Faults.sleep``), never slept in a thread, so the event
loop serves other requests meanwhile; ``Faults.rng`` draws the latency and the probabilities.

Dropping needs the server's transport: ``serve``'s protocol (``_http/_server.py``) puts a
``drop`` function into the scope's extensions. Without one (an in-process ASGI client), the
request ends without any answer: the client gets no response (Starlette's test client and httpx
raise an error, as a client of a closed connection does).

Placed inside ``cors`` and ``powered_by``, so that a browser storefront sees a faulted answer as
it would see a real error (CORS headers, ``X-Powered-By``), not as a CORS failure.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..._domain.services import Services
from .._faults import FAULT_HEADER
from .._operations import is_control, operation_id
from ._asgi import FAULT_KEY, HTTPMiddleware, response_headers, services_of

DROP_EXTENSION = "medusa_mock.drop"


class FaultsMiddleware(HTTPMiddleware):
    def __init__(self, app: ASGIApp, services: Services) -> None:
        super().__init__(app)
        self.services = services

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        services = services_of(scope, self.services)
        faults = services.faults
        latency = services.settings.latency
        path = scope["path"]
        if (not faults and latency is None) or is_control(path):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        rule = faults.pick(method, path, lambda: operation_id(method, path)) if faults else None
        delay = faults.rng.uniform(*latency) if latency is not None else 0.0
        if rule is not None:
            delay += rule.spec.get("delay_ms") or 0
        if delay > 0:
            await faults.sleep(delay / 1000)
        if rule is None:
            await self.app(scope, receive, send)
            return
        scope[FAULT_KEY] = rule.id
        if rule.spec.get("drop"):
            drop = scope.get("extensions", {}).get(DROP_EXTENSION)
            if drop is not None:
                drop["drop"]()
            return
        answer = rule.extra.get("answer")
        if answer is not None:
            status, headers, body = answer
            await send({"type": "http.response.start", "status": status,
                        "headers": list(headers)})
            await send({"type": "http.response.body", "body": body})
            return
        marker = (FAULT_HEADER, rule.id.encode())

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers(message).append(marker)
            await send(message)

        await self.app(scope, receive, send_marked)
