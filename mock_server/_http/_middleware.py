"""The outer ASGI middleware: what Express and Medusa's loaders do before any route runs.

* reads and re-issues the ``connect.sid`` session cookie (express-session);
* resolves the acting customer from the session, then from a store bearer JWT (passport);
* reads JSON bodies like ``express.json()``: other content types and empty bodies become ``{}``,
  bodies over 100 kB answer 413 in Medusa's error shape;
* answers CORS like the ``cors`` package on Medusa's store router (``store_cors`` origins,
  credentials allowed, preflights with 204);
* gzips answers when ``http_compression`` is on (the ``compression`` package's rules: the client
  accepts gzip, no ``x-no-compression`` header, a body of at least 1 kB);
* adds ``X-Powered-By: Express`` like the real server.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._domain.services import Services
from .._domain.sessions import SESSION_TTL
from .._domain.tokens import TokenError
from ._context import SCOPE_KEY, RequestContext
from ._errors import JSON_CONTENT_TYPE, dumps, error_body
from ._session import RequestSession, read_cookie, set_cookie_header, unsign

BODY_LIMIT = 100 * 1024  # body-parser's default "100kb"
COMPRESSION_THRESHOLD = 1024  # the compression package's default threshold
_BODY_METHODS = {"POST", "PUT", "PATCH"}
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


class MedusaHTTPMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

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

        if scope["method"] in _BODY_METHODS:
            receive, ok = await self._read_body(scope, receive, send)
            if not ok:
                return

        if self.services.settings.http_compression and _wants_gzip(scope):
            send = _GzipSender(send).send

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-powered-by", b"Express"))
                if cors is not None:
                    headers.extend(cors)
                cookie = self._finish_session(session)
                if cookie is not None:
                    headers.append((b"set-cookie", cookie))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)

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
                await self._reject_too_large(send)
                return receive, False
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if not _is_json(_header(scope, b"content-type")) or not body.strip():
            body = b"{}"
        headers = [(k, v) for k, v in scope["headers"]
                   if k not in (b"content-type", b"content-length")]
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

    async def _reject_too_large(self, send: Send) -> None:
        status, body = error_body("invalid_data", "request entity too large")
        payload = dumps(body)
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", JSON_CONTENT_TYPE.encode()),
            (b"content-length", str(len(payload)).encode()),
            (b"x-powered-by", b"Express"),
        ]})
        await send({"type": "http.response.body", "body": payload})
