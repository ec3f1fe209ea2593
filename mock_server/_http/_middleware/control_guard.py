"""The control plane's guard: no other web page can use ``/_mock``.

A browser lets any page send a "simple" cross-origin request (a form, or ``fetch`` with a
``text/plain`` body) without asking the server first; it only hides the answer. So, for every
request under ``/_mock``:

1. with ``Settings.control_token`` set, the token is required: ``X-Medusa-Mock-Control-Token:
   TOKEN``, ``Authorization: Bearer TOKEN``, or the console's cookie. ``GET /_mock/?token=TOKEN``
   (the console's address) sets that cookie (``HttpOnly``, ``SameSite=Strict``, path ``/_mock``:
   never sent by another site's page) and redirects to ``/_mock/``, so the token leaves the
   address bar and the history. Without it: 401;
2. a request that may change state (not ``GET``, ``HEAD``, ``OPTIONS``) whose ``Origin`` is not
   the mock's own (its public URL's, or ``http://localhost|127.0.0.1|[::1]:<port>``) nor an
   allowed storefront origin (``Settings.store_cors``) is refused with 403;
3. such a request must carry JSON or nothing: a declared content type that is not JSON, or a
   body without a content type, is refused with 415.

Every refusal is in Medusa's error shape and happens before anything runs, so no state changes.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from ..._settings import Settings
from .._errors import dumps, status_error_body
from .._operations import is_control
from ._asgi import SAFE_METHODS, HTTPMiddleware, header, send_json

TOKEN_HEADER = b"x-medusa-mock-control-token"
TOKEN_COOKIE = "medusa_mock_control"
CONSOLE_PATH = "/_mock/"
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def own_origins(settings: Settings) -> frozenset[str]:
    """The origins the mock is reached at: its public URL's, and loopback at its port."""
    base = settings.base_url
    scheme, _, rest = base.partition("://")
    origins = {f"{scheme}://{rest.split('/', 1)[0]}".lower()}
    origins.update(f"http://{host}:{settings.port}" for host in _LOOPBACK)
    if settings.host not in ("0.0.0.0", "::", ""):
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        origins.add(f"http://{host}:{settings.port}")
    return frozenset(origins)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/")
                                           and media.endswith("+json"))


def _cookie(scope: Scope, name: str) -> str | None:
    for part in (header(scope, b"cookie") or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None


class ControlGuard:
    """The guard's checks on a control-plane request, by the mock's settings. The middleware
    below applies them; the sandbox middleware asks them too before it makes a sandbox for a
    control request (a refused request makes nothing)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.token = settings.control_token
        self.origins = own_origins(settings)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """``(status, message)`` of the refusal of a control-plane request, ``None`` when it
        may pass."""
        if self.token is not None and not self._has_token(scope):
            return 401, ("the control plane needs its token: an X-Medusa-Mock-Control-Token "
                         "header, Authorization: Bearer, or the console opened at "
                         "/_mock/?token=TOKEN")
        if scope["method"] not in SAFE_METHODS:
            origin = header(scope, b"origin")
            if origin is not None and not self._allowed(origin):
                return 403, (f"the control plane refuses requests from the origin {origin!r} "
                             f"(allowed: the mock's own and the store CORS origins)")
            content_type = header(scope, b"content-type")
            length = (header(scope, b"content-length") or "").strip()
            has_body = header(scope, b"transfer-encoding") is not None or length not in ("",
                                                                                        "0")
            if (content_type is not None and not _is_json(content_type)) or (
                    content_type is None and has_body):
                return 415, ("the control plane takes JSON bodies only "
                             "(Content-Type: application/json)")
        return None

    def _allowed(self, origin: str) -> bool:
        return origin.lower() in self.origins or self.settings.allows_origin(origin)

    def _has_token(self, scope: Scope) -> bool:
        assert self.token is not None
        given = header(scope, TOKEN_HEADER)
        if given is None:
            kind, _, value = (header(scope, b"authorization") or "").partition(" ")
            given = value.strip() if kind.lower() == "bearer" else None
        if given is None:
            given = _cookie(scope, TOKEN_COOKIE)
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())


class ControlGuardMiddleware(HTTPMiddleware):
    def __init__(self, app: ASGIApp, guard: ControlGuard) -> None:
        super().__init__(app)
        self.guard = guard
        self.token = guard.token

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_control(scope["path"]):
            await self.app(scope, receive, send)
            return
        refusal = self.guard.refusal(scope)
        if refusal is not None:
            status, message = refusal
            if status == 401 and await self._console_login(scope, send):
                return
            await _refuse(send, status, message)
            return
        await self.app(scope, receive, send)

    async def _console_login(self, scope: Scope, send: Send) -> bool:
        """``GET /_mock/?token=TOKEN``: set the console's cookie and redirect to ``/_mock/``."""
        if scope["method"] != "GET" or scope["path"] != CONSOLE_PATH:
            return False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = (query.get("token") or [""])[0]
        assert self.token is not None
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return False
        cookie = (f"{TOKEN_COOKIE}={self.token}; Path=/_mock; HttpOnly; SameSite=Strict")
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", CONSOLE_PATH.encode()), (b"set-cookie", cookie.encode("latin-1")),
            (b"cache-control", b"no-store"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return True


async def _refuse(send: Send, status: int, message: str) -> None:
    await send_json(send, status, dumps(status_error_body(status, message)))
