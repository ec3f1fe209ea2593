"""The outer ASGI middleware: what Express and Medusa's loaders do before any route runs.

* reads and re-issues the ``connect.sid`` session cookie (express-session);
* resolves the acting customer from the session, then from a store bearer JWT (passport);
* reads JSON bodies like ``express.json()`` (body-parser, ``strict``) and ``JSON.parse``: other
  content types and empty bodies become ``{}``, bodies over 100 kB answer 413 and bodies that are
  not a JSON object or array answer 400, both in Medusa's error shape (before routing, as the
  app-level parser does); what passes is handed on re-serialized, so every later reader sees
  the same value (see :func:`parse_json_body`);
* answers CORS like the ``cors`` package on Medusa's store router (``store_cors`` origins,
  credentials allowed, preflights with 204);
* gzips answers when ``http_compression`` is on (the ``compression`` package's rules: the client
  accepts gzip, no ``x-no-compression`` header, a body of at least 1 kB);
* adds ``X-Powered-By: Express`` like the real server.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._domain.read_cache import MISSING
from .._domain.services import Services
from .._domain.sessions import SESSION_TTL
from .._domain.tokens import TokenError
from . import _etag
from ._answer_cache import Answer, AnswerCache
from ._context import SCOPE_KEY, RequestContext
from ._errors import JSON_CONTENT_TYPE, dumps, error_body
from ._session import RequestSession, read_cookie, set_cookie_header, unsign

log = logging.getLogger("medusa_mock")
BODY_LIMIT = 100 * 1024  # body-parser's default "100kb"
# Deeper bodies are refused (quirk "body-nesting-limit"): Medusa's JSON.parse reads any depth, but
# Python code recursing over such a value (validation, copies, answers) would overflow its stack.
MAX_BODY_DEPTH = 64
_JS_MAX_INT_DIGITS = 309  # more digits than any finite double: JSON.parse gives Infinity
COMPRESSION_THRESHOLD = 1024  # the compression package's default threshold
_BODY_METHODS = {"POST", "PUT", "PATCH"}
# Methods whose handlers never write to the store (tests/test_read_cache.py checks every GET
# operation of the document); any other request may.
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_CORS_METHODS = b"GET,HEAD,PUT,PATCH,POST,DELETE"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json"


class BodyError(Exception):
    """A body ``express.json()`` refuses (400 ``invalid_data``)."""


def _reject_constant(name: str) -> Any:
    # JSON.parse knows no NaN/Infinity literals (Python's json module does).
    raise BodyError(f"Unexpected token {name[0]} in JSON")


def _js_int(digits: str) -> Any:
    # JSON.parse reads every number as a double; only integers past the double range differ
    # from Python's exact ints in a way that matters (Python refuses > 4300 digits outright).
    return float(digits) if len(digits.lstrip("-")) > _JS_MAX_INT_DIGITS else int(digits)


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False


def parse_json_body(raw: bytes) -> Any:
    """A JSON request body as ``express.json()`` reads it, or :class:`BodyError`.

    body-parser decodes UTF-8 leniently (invalid bytes become U+FFFD, a BOM is dropped), reads an
    empty body as ``{}`` and, being ``strict``, accepts only an object or an array; ``JSON.parse``
    refuses ``NaN``/``Infinity`` and turns integers past the double range into ``Infinity``.
    Bodies nested deeper than :data:`MAX_BODY_DEPTH` are refused too (a mock limit).
    """
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not text:
        return {}
    stripped = text.lstrip(" \t\n\r")
    if not stripped:
        raise BodyError("Unexpected end of JSON input")
    if stripped[0] not in "{[":
        raise BodyError(f"Unexpected token {stripped[0]} in JSON at position "
                        f"{len(text) - len(stripped)}")
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_int=_js_int)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip(" \t\n\r")):
            raise BodyError("Unexpected end of JSON input") from None
        raise BodyError(f"Unexpected token {text[exc.pos]} in JSON at position {exc.pos}"
                        ) from None
    except RecursionError:
        too_deep = True
    else:
        too_deep = _too_deep(value, MAX_BODY_DEPTH)
    if too_deep:
        raise BodyError(f"request body nested deeper than {MAX_BODY_DEPTH} levels")
    return value


def _has_body(scope: Scope) -> bool:
    """type-is's ``hasBody``: a Transfer-Encoding header or a Content-Length."""
    length = _header(scope, b"content-length")
    return _header(scope, b"transfer-encoding") is not None or (
        length is not None and length.strip() not in ("", "0"))


def _conditional_headers(scope: Scope) -> dict[bytes, str]:
    return {key: value.decode("latin-1") for key, value in scope["headers"]
            if key in (b"if-none-match", b"if-modified-since", b"cache-control")}


def _wants_gzip(scope: Scope) -> bool:
    if _header(scope, b"x-no-compression") is not None:
        return False
    accepted = (_header(scope, b"accept-encoding") or "").lower()
    return any(part.split(";")[0].strip() in ("gzip", "*") for part in accepted.split(","))


class _GzipSender:
    """Buffers one response and sends it gzipped when it is large enough to be worth it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._start: Message | None = None
        self._chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        self._chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(self._chunks)
        headers = [(k, v) for k, v in self._start.get("headers", [])]
        names = {k.lower() for k, _ in headers}
        if len(body) >= COMPRESSION_THRESHOLD and b"content-encoding" not in names:
            import gzip

            body = gzip.compress(body, compresslevel=6)
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"),
                        (b"content-length", str(len(body)).encode())]
        await self._send({**self._start, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})


async def _send_answer(send: Send, answer: Answer) -> None:
    await send({"type": "http.response.start", "status": answer.status,
                "headers": list(answer.headers)})
    await send({"type": "http.response.body", "body": answer.body})


class MedusaHTTPMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        self.answers = AnswerCache(services.store, services.settings.read_cache)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        services = self.services
        session = self._session(scope)
        context = RequestContext(services=services, session=session)
        self._identify(scope, context)
        scope[SCOPE_KEY] = context

        cors = self._cors_headers(scope)
        if cors is not None and scope["method"] == "OPTIONS" and _header(
                scope, b"access-control-request-method"):
            await self._preflight(scope, send, cors)
            return

        if self.services.settings.http_compression and _wants_gzip(scope):
            send = _GzipSender(send).send

        started: list[Message] = []
        chunks: list[bytes] = []

        async def send_wrapper(message: Message) -> None:
            # The answer is held until its body is whole: its ETag is a hash of the body.
            if message["type"] == "http.response.start":
                started.append(message)
                return
            if message["type"] != "http.response.body" or not started:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            start = started.pop()
            before_router = (_etag.FINAL_HANDLER, _etag.BEFORE_ROUTER) in start.get("headers", ())
            status, headers, body = _etag.finish(
                scope["method"], _conditional_headers(scope), start["status"],
                list(start.get("headers", [])), b"".join(chunks))
            chunks.clear()
            headers.insert(0, (b"x-powered-by", b"Express"))
            if cors is not None and not before_router:
                headers[1:1] = cors
            cookie = self._finish_session(session)
            if cookie is not None:
                headers.append((b"set-cookie", cookie))
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        if scope["method"] in _BODY_METHODS or _has_body(scope):
            receive, ok = await self._read_body(scope, receive, send_wrapper)
            if not ok:
                return
        if scope["method"] in _SAFE_METHODS:
            key = self.answers.key(scope, context.customer_id)
            if key is None:
                await self.app(scope, receive, send_wrapper)
            else:
                await self._replay_or_run(scope, receive, send_wrapper, context, key)
            return
        # A request that may write moves the store's generation before and after it runs: a
        # read computed meanwhile is cached under a generation that is then already gone.
        store = services.store
        store.changed()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            store.changed()

    # -- the answer cache ----------------------------------------------------------------------
    async def _replay_or_run(self, scope: Scope, receive: Receive, send: Send,
                             context: RequestContext, key: Any) -> None:
        answers = self.answers
        replay = answers.lookup(key)
        if replay is not MISSING and answers.mode != "verify":
            await _send_answer(send, replay)
            return
        generation = self.services.store.generation
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
                                 (b"x-medusa-mock-stale-answer", b"1")),
                           dumps(error_body(None, "")[1]))
        elif (context.cacheable and fresh.status == 200
              and self.services.store.generation == generation):
            answers.remember(key, generation, fresh)
        await _send_answer(send, fresh)

    # -- CORS ----------------------------------------------------------------------------------
    def _cors_headers(self, scope: Scope) -> list[tuple[bytes, bytes]] | None:
        """Headers the ``cors`` middleware adds on the store router, or ``None`` elsewhere."""
        if not scope["path"].startswith("/store"):
            return None
        headers = [(b"vary", b"Origin"), (b"access-control-allow-credentials", b"true")]
        origin = _header(scope, b"origin")
        if origin and self.services.settings.allows_origin(origin):
            headers.insert(0, (b"access-control-allow-origin", origin.encode("latin-1")))
        return headers

    async def _preflight(self, scope: Scope, send: Send,
                         cors: list[tuple[bytes, bytes]]) -> None:
        headers = [h for h in cors if h[0] != b"vary"]
        headers.append((b"access-control-allow-methods", _CORS_METHODS))
        requested = _header(scope, b"access-control-request-headers")
        vary = b"Origin"
        if requested:
            headers.append((b"access-control-allow-headers", requested.encode("latin-1")))
            vary = b"Origin, Access-Control-Request-Headers"
        headers += [(b"vary", vary), (b"content-length", b"0"), (b"x-powered-by", b"Express")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    # -- session and identity ------------------------------------------------------------------
    def _session(self, scope: Scope) -> RequestSession:
        sessions = self.services.sessions
        secret = self.services.settings.cookie_secret
        raw = read_cookie(_header(scope, b"cookie"))
        sid = unsign(raw, secret) if raw else None
        if sid is None:
            return RequestSession(sid=sessions.new_id(), data={}, is_new=True)
        data = sessions.load(sid)
        return RequestSession(sid=sid, data=data, is_new=False, original=dict(data))

    def _identify(self, scope: Scope, context: RequestContext) -> None:
        customer_id = context.session.data.get("customer_id")
        if customer_id:
            context.customer_id, context.auth_via = customer_id, "session"
            return
        authorization = _header(scope, b"authorization")
        if not authorization:
            return
        kind, _, token = authorization.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            return
        try:
            claims = self.services.tokens.verify(token.strip())
        except TokenError:
            return
        if claims.get("domain") == "store" and claims.get("customer_id"):
            context.customer_id, context.auth_via = claims["customer_id"], "bearer"

    def _finish_session(self, session: RequestSession) -> bytes | None:
        """Save the session; the Set-Cookie header value when express-session would send one."""
        sessions = self.services.sessions
        if session.destroyed:
            sessions.destroy(session.sid)
            return None
        if session.modified:
            sessions.save(session.sid, session.data)
        if session.is_new or session.modified:
            return set_cookie_header(session.sid, self.services.settings.cookie_secret,
                                     self.services.clock.time() + SESSION_TTL)
        return None

    # -- body ----------------------------------------------------------------------------------
    async def _read_body(self, scope: Scope, receive: Receive,
                         send: Send) -> tuple[Receive, bool]:
        """``express.json()``, mounted before every route: the body of any method is read when
        there is one; POST/PUT/PATCH go on with a JSON body (``{}`` unless JSON was sent)."""
        chunks = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > BODY_LIMIT:
                await self._reject(send, 413, "request entity too large")
                return receive, False
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        value: Any = {}
        if _is_json(_header(scope, b"content-type")) and body:
            try:
                value = parse_json_body(body)
            except BodyError as exc:
                await self._reject(send, 400, str(exc))
                return receive, False
        if scope["method"] in _BODY_METHODS:
            # Re-serialized (ASCII, lone surrogates as escapes), so the validator and the
            # handler read exactly the value checked here.
            body = json.dumps(value, separators=(",", ":")).encode()
            headers = [(k, v) for k, v in scope["headers"]
                       if k not in (b"content-type", b"content-length", b"transfer-encoding")]
            headers += [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())]
            scope["headers"] = headers
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay, True

    async def _reject(self, send: Send, status: int, message: str) -> None:
        """body-parser's errors (413, 400), in Medusa's JSON error shape instead of Express's
        HTML page (quirks "body-too-large-json-413", "malformed-json-body")."""
        payload = dumps(error_body("invalid_data", message)[1])
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", JSON_CONTENT_TYPE.encode()),
            (b"content-length", str(len(payload)).encode()),
            (_etag.FINAL_HANDLER, _etag.BEFORE_ROUTER),  # as Express's final handler answers
        ]})
        await send({"type": "http.response.body", "body": payload})
