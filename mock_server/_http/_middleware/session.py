"""express-session's ``connect.sid``, and the request's :class:`RequestContext`.

The signed cookie names a stored session (a bad signature or an unknown id: a new, empty one).
The session, and the context every later layer and handler shares, are put in the ASGI scope
under ``SCOPE_KEY``. When the answer starts, the session is saved if a handler changed it (or
destroyed), and ``Set-Cookie`` is sent for a new or changed session (a rolling 10-hour expiry).
Sessions are the chosen sandbox's (``_sandboxes.py``; the middleware's own services outside the
app); a sandbox chosen by a path prefix gets its cookie with that prefix as ``Path``, so that a
browser keeps one session per sandbox.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..._domain.services import Services
from ..._domain.sessions import SESSION_TTL
from .._context import SCOPE_KEY, RequestContext
from .._sandboxes import Selection
from .._session import RequestSession, read_cookie, set_cookie_header, unsign
from ._asgi import header, response_headers, selection_of, services_of


class SessionMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        self.secret = services.settings.cookie_secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        selection: Selection | None = selection_of(scope)
        services: Services = services_of(scope, self.services)
        path = (selection.prefix if selection is not None else "") or "/"
        session = self._load(scope, services)
        scope[SCOPE_KEY] = RequestContext(services=services, session=session,
                                          selection=selection)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = self._finish(session, services, path)
                if cookie is not None:
                    response_headers(message).append((b"set-cookie", cookie))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _load(self, scope: Scope, services: Services) -> RequestSession:
        sessions = services.sessions
        raw = read_cookie(header(scope, b"cookie"))
        sid = unsign(raw, self.secret) if raw else None
        if sid is None:
            return RequestSession(sid=sessions.new_id(), data={}, is_new=True)
        data = sessions.load(sid)
        return RequestSession(sid=sid, data=data, is_new=False, original=dict(data))

    def _finish(self, session: RequestSession, services: Services, path: str) -> bytes | None:
        """Save the session; the Set-Cookie header value when express-session would send one."""
        sessions = services.sessions
        if session.destroyed:
            sessions.destroy(session.sid)
            return None
        if session.modified:
            sessions.save(session.sid, session.data)
        if session.is_new or session.modified:
            return set_cookie_header(session.sid, self.secret,
                                     services.clock.time() + SESSION_TTL, path=path)
        return None
