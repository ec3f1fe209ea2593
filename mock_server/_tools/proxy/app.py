"""The proxy itself: an ASGI app that forwards every request to the upstream and judges it.

A request goes on as it came (method, path and query as sent, every header but the hop-by-hop
ones, the body); ``Host`` names the upstream and the body is framed again (``Content-Length`` or
chunked). The answer comes back as the upstream gave it (status, every header, ``Set-Cookie``
included, the body's bytes as sent, compressed or not), with ``X-Medusa-Mock-Violations: N``
added. To count the answer's violations before its head is sent, the proxy reads the whole
answer first; one larger than ``max_checked_body`` is streamed on as it comes, judged on its
head alone. Request bodies are read the same way (larger ones are streamed to the upstream
unchecked). ``upstream.py`` is the client towards the upstream.

``strict``: an answer with a violation outside the baseline is not forwarded; the client gets 502
in Medusa's error shape with the violations. An upstream that cannot be reached (refused, no
such host, no answer within ``timeout``) is a 502 in the same shape, never a hang.
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .conformance import (
    UNDOCUMENTED_OPERATION_ID,
    Answer,
    Document,
    Operation,
    Request,
    Violation,
    judged,
)
from .report import Tally, curl
from .upstream import Upstream, UpstreamAnswer, UpstreamError

LOG = logging.getLogger("medusa_mock.proxy")
VIOLATIONS_HEADER = "x-medusa-mock-violations"
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "proxy-connection", "te", "trailer", "trailers", "transfer-encoding",
                        "upgrade"})
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class ProxySettings:
    upstream: str
    timeout: float = 30.0
    strict: bool = False
    max_checked_body: int = 16 * 1024 * 1024


class ProxyApp:
    def __init__(self, settings: ProxySettings, document: Document, tally: Tally) -> None:
        self.settings = settings
        self.upstream = Upstream(settings.upstream, timeout=settings.timeout)  # ValueError
        self.base = self.upstream.base
        self.document = document
        self.tally = tally

    async def aclose(self) -> None:
        await self.upstream.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._exchange(scope, receive, send)
        else:  # websockets: the Store API has none
            await send({"type": "websocket.close", "code": 1003})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- one exchange --------------------------------------------------------------------------
    async def _exchange(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        method = scope["method"]
        raw_path = (scope.get("raw_path") or quote(scope["path"]).encode()).decode("latin-1")
        raw_path = raw_path.split("?", 1)[0]
        query = scope.get("query_string", b"").decode("latin-1")
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        body, rest = await _read_body(receive, self.settings.max_checked_body)
        target = raw_path + (f"?{query}" if query else "")
        request = Request(method, raw_path, query, _joined_headers(pairs), body,
                          self.base + target)
        forwarded = _forwarded_headers(pairs)
        operation = self.document.match(method, raw_path)
        op_id = operation.operation_id if operation else UNDOCUMENTED_OPERATION_ID
        length = request.headers.get("content-length")
        content: Any = body if rest is None else rest
        try:
            response = await self.upstream.send(
                method, target, forwarded, content,
                int(length) if rest is not None and length and length.isdigit() else None)
        except UpstreamError as exc:
            await self._unreachable(send, op_id, request, forwarded, exc)
            return
        try:
            await self._answer(send, request, forwarded, operation, op_id, response, started)
        finally:
            await response.aclose()

    async def _answer(self, send: Send, request: Request, forwarded: list[tuple[str, str]],
                      operation: Operation | None, op_id: str, response: UpstreamAnswer,
                      started: float) -> None:
        chunks: list[bytes] = []
        size = 0
        stream = response.body()
        whole = True
        try:
            async for chunk in stream:
                chunks.append(chunk)
                size += len(chunk)
                if size > self.settings.max_checked_body:
                    whole = False
                    break
        except UpstreamError as exc:
            await self._unreachable(send, op_id, request, forwarded, exc)
            return
        raw = b"".join(chunks)
        status = response.status
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]
        encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
        is_judged = judged(request, status)
        violations: list[Violation] = []
        body_checked = whole
        if is_judged:
            try:
                violations = self.document.check_request(operation, request)
                if operation is not None:
                    decoded = _decoded(raw, encoding) if whole else None
                    body_checked = decoded is not None
                    answer = Answer(status, response.reason, _header_lists(headers), decoded)
                    violations += self.document.check_answer(operation, request, answer)
            except Exception:  # a checker's fault must not cost the client its answer
                LOG.exception("%s: the exchange could not be judged; forwarded as it is",
                              request.label)
                is_judged, violations = False, []
        fresh = [v for v in violations if not self.tally.known(op_id, v.check)]
        reproduce = curl(request, forwarded) if violations else None
        self.tally.record(op_id, request.label, request, status, violations, reproduce,
                          judged=is_judged, body_checked=body_checked)
        self._log(request, op_id, status, violations, fresh, started)
        if self.settings.strict and any(not v.on_request for v in fresh):
            await _error(send, 502, {
                "type": "proxy_error", "code": "nonconforming_answer",
                "message": f"medusa-mock proxy: the upstream's {status} answer to "
                           f"{request.label} does not conform to the document: "
                           + "; ".join(f"{v.check}: {v.message}" for v in fresh),
                "upstream_status": status,
                "violations": [{"check": v.check, "message": v.message} for v in violations]},
                extra=[(k, v) for k, v in headers if k.lower().startswith("access-control-")
                       or k.lower() == "vary"], violations=len(violations))
            return
        dropped = _hop_by_hop(headers)
        out = [(k, v) for k, v in headers if k.lower() not in dropped]
        out.append((VIOLATIONS_HEADER, str(len(violations))))
        _expose(out)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out]})
        if whole:
            await send({"type": "http.response.body", "body": raw, "more_body": False})
            return
        await send({"type": "http.response.body", "body": raw, "more_body": True})
        try:
            async for chunk in stream:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except UpstreamError as exc:  # the head is gone: all that is left is to stop
            LOG.warning("%s: the upstream broke off its answer: %s", request.label, exc)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _unreachable(self, send: Send, op_id: str, request: Request,
                           forwarded: list[tuple[str, str]], exc: UpstreamError) -> None:
        why = str(exc)
        message = f"medusa-mock proxy: cannot reach the upstream {self.base}: {why}"
        LOG.error("%s: %s", request.label, message)
        self.tally.upstream_error(op_id, request, why, curl(request, forwarded))
        await _error(send, 502, {"type": "proxy_error", "code": "upstream_unreachable",
                                 "message": message})

    def _log(self, request: Request, op_id: str, status: int, violations: list[Violation],
             fresh: list[Violation], started: float) -> None:
        took = (time.perf_counter() - started) * 1000
        LOG.info("%s %s -> %d (%s) %d violation(s) %.1f ms", request.method, request.raw_path,
                 status, op_id, len(violations), took)
        for violation in violations:
            known = "" if violation in fresh else " [baseline]"
            LOG.warning("%s %s -> %d: %s%s: %s", request.method, request.raw_path, status,
                        violation.check, known, violation.message)


# -- helpers ------------------------------------------------------------------------------------
async def _read_body(receive: Receive, limit: int) -> tuple[bytes | None, AsyncIterator[bytes]
                                                            | None]:
    """The whole body (and ``None``), or, past ``limit``, ``None`` and the body as a stream."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), None
        if size > limit:
            return None, _rest(chunks, receive)


async def _rest(head: list[bytes], receive: Receive) -> AsyncIterator[bytes]:
    for chunk in head:
        yield chunk
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def _hop_by_hop(headers: list[tuple[str, str]]) -> set[str]:
    """The hop-by-hop headers, and those a ``Connection`` header names."""
    named = {token.strip().lower() for k, v in headers if k.lower() == "connection"
             for token in v.split(",") if token.strip()}
    return set(HOP_BY_HOP) | named


def _forwarded_headers(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What goes to the upstream: every header but the hop-by-hop ones, ``Host`` (the
    upstream's own is sent) and ``Content-Length`` (the client's, framed again as sent)."""
    dropped = _hop_by_hop(pairs) | {"host", "content-length"}
    return [(k, v) for k, v in pairs if k.lower() not in dropped]


def _joined_headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key in out:
            out[key] += ("; " if key == "cookie" else ", ") + value
        else:
            out[key] = value
    return out


def _header_lists(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name.lower(), []).append(value)
    return out


def _expose(headers: list[tuple[str, str]]) -> None:
    """Let a browser storefront read the violation count (CORS answers only)."""
    names = [k.lower() for k, _ in headers]
    if "access-control-allow-origin" not in names:
        return
    for i, (name, value) in enumerate(headers):
        if name.lower() == "access-control-expose-headers":
            headers[i] = (name, f"{value}, X-Medusa-Mock-Violations")
            return
    headers.append(("access-control-expose-headers", "X-Medusa-Mock-Violations"))


def _decoded(raw: bytes, encoding: str | None) -> bytes | None:
    """The body as the client reads it, or ``None`` for an encoding this proxy cannot read."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    body = raw
    try:
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
            elif coding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif coding != "identity":
                LOG.warning("an answer in Content-Encoding %s goes unchecked", coding)
                return None
    except zlib.error as exc:
        LOG.warning("an answer in Content-Encoding %s does not decode: %s", encoding, exc)
        return None
    return body


async def _error(send: Send, status: int, body: dict[str, Any], *,
                 extra: list[tuple[str, str]] | None = None,
                 violations: int | None = None) -> None:
    content = json.dumps(body).encode()
    headers = [("content-type", "application/json; charset=utf-8"),
               ("content-length", str(len(content))), *(extra or [])]
    if violations is not None:
        headers.append((VIOLATIONS_HEADER, str(violations)))
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]})
    await send({"type": "http.response.body", "body": content, "more_body": False})
