"""Drive one ASGI middleware directly: exact header lists (order included), no server."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

Headers = list[tuple[bytes, bytes]]


@dataclass
class Answer:
    status: int
    headers: Headers
    body: bytes
    messages: list[dict[str, Any]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((v.decode("latin-1") for k, v in self.headers if k == name.encode()), None)

    @property
    def names(self) -> list[str]:
        return [k.decode() for k, _ in self.headers]


def scope(method: str = "GET", path: str = "/store/regions", headers: dict[str, str] | None = None,
          query: bytes = b"") -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": query, "root_path": "",
            "headers": [(k.lower().encode(), v.encode("latin-1"))
                        for k, v in (headers or {}).items()],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 9000)}


def call(app: Any, method: str = "GET", path: str = "/store/regions",
         headers: dict[str, str] | None = None, body: bytes | list[bytes] = b"",
         request_scope: dict[str, Any] | None = None) -> Answer:
    """One request through ``app``; ``body`` as one chunk or a list of chunks."""
    chunks = [body] if isinstance(body, bytes) else list(body)
    the_scope = request_scope or scope(method, path, headers)

    async def run() -> Answer:
        pending = list(chunks)

        async def receive() -> dict[str, Any]:
            if pending:
                chunk = pending.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
            return {"type": "http.disconnect"}

        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(the_scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body_out = b"".join(m.get("body", b"") for m in sent
                            if m["type"] == "http.response.body")
        return Answer(start["status"], list(start.get("headers", [])), body_out, sent)

    return asyncio.run(run())


class Endpoint:
    """An inner app: answers ``status``/``headers``/``body`` (in ``parts`` chunks) and records
    what reached it (scope, body, calls)."""

    def __init__(self, status: int = 200, headers: Headers | None = None,
                 body: bytes = b'{"ok":true}', parts: int = 1, before: Any = None) -> None:
        self.status = status
        self.headers = headers if headers is not None else [
            (b"content-type", b"application/json; charset=utf-8")]
        self.body = body
        self.parts = parts
        self.before = before
        self.calls = 0
        self.scope: dict[str, Any] | None = None
        self.received = b""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        self.scope = scope
        if scope["type"] != "http":
            return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            received = []
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                received.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            self.received = b"".join(received)
        if self.before is not None:
            self.before(scope)
        await send({"type": "http.response.start", "status": self.status,
                    "headers": list(self.headers)})
        size = max(1, -(-len(self.body) // self.parts))
        pieces = [self.body[i:i + size] for i in range(0, len(self.body), size)] or [b""]
        for index, piece in enumerate(pieces):
            await send({"type": "http.response.body", "body": piece,
                        "more_body": index < len(pieces) - 1})


def lifespan_passes_through(middleware: Any) -> bool:
    """A non-HTTP scope reaches the inner app untouched."""
    inner = Endpoint()
    app = middleware(inner)

    async def run() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "lifespan.startup"}

        async def send(message: dict[str, Any]) -> None:
            raise AssertionError(f"sent {message}")

        await app({"type": "lifespan"}, receive, send)

    asyncio.run(run())
    return inner.calls == 1 and inner.scope == {"type": "lifespan"}
