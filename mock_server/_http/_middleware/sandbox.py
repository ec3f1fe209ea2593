"""Which sandbox serves the request (``_http/_sandboxes.py``): the ``X-Medusa-Mock-Sandbox``
header or the ``/_sandbox/NAME/`` path prefix, else the default one.

The prefix is taken off ``path`` and ``raw_path`` (the original path stays in the selection), so
every later layer, the router included, sees the route itself; the :class:`Selection` is put in
the scope under ``SCOPE_KEY`` for them. A bad name (or a header and a prefix naming different
sandboxes) is answered 400 in Medusa's error shape here.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from .._errors import JSON_CONTENT_TYPE, dumps, error_body
from .._sandboxes import HEADER, PREFIX, SCOPE_KEY, SandboxError, Sandboxes, Selection
from ._asgi import header


class SandboxMiddleware:
    def __init__(self, app: ASGIApp, sandboxes: Sandboxes) -> None:
        self.app = app
        self.sandboxes = sandboxes
        self._default = Selection(sandboxes.default, sandboxes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = header(scope, HEADER)
        path: str = scope["path"]
        if name is None and not path.startswith(PREFIX):
            self.sandboxes.default.last_used = self.sandboxes.clock.time()
            scope[SCOPE_KEY] = self._default
            await self.app(scope, receive, send)
            return
        prefix = ""
        if path.startswith(PREFIX):
            in_path, _, rest = path[len(PREFIX):].partition("/")
            if name is not None and name.strip() != in_path:
                await _refuse(send, f"The sandbox header names {name.strip()!r} but the path "
                                    f"names {in_path!r}")
                return
            name, prefix = in_path, PREFIX + in_path
            scope = dict(scope, path="/" + rest, raw_path=_strip(scope, prefix, "/" + rest))
        assert name is not None
        try:
            sandbox = self.sandboxes.get(name.strip())
        except SandboxError as exc:
            await _refuse(send, str(exc))
            return
        scope[SCOPE_KEY] = Selection(sandbox, self.sandboxes, prefix, path)
        await self.app(scope, receive, send)


def _strip(scope: Scope, prefix: str, path: str) -> bytes:
    raw: bytes | None = scope.get("raw_path")
    head = prefix.encode()
    if raw is not None and raw.startswith(head):
        rest = raw[len(head):]
        return rest if rest.startswith(b"/") else b"/" + rest
    return quote(path).encode()


async def _refuse(send: Send, message: str) -> None:
    payload = dumps(error_body("invalid_data", message)[1])
    await send({"type": "http.response.start", "status": 400, "headers": [
        (b"content-type", JSON_CONTENT_TYPE.encode()),
        (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
