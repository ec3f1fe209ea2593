"""Which sandbox serves the request (``_http/_sandboxes.py``): the ``X-Medusa-Mock-Sandbox``
header or the ``/_sandbox/NAME/`` path prefix, else the default one.

First of the outer middleware. The prefix is taken off ``path`` and ``raw_path`` (the original
path stays in the selection), so every later layer, the control guard and the router included,
sees the route itself. The sandbox's services go into the scope under ``_asgi.SERVICES_KEY``
(what ``services_of`` reads: the journal, faults, session, identity, answer cache and index
check all use them), a named sandbox's name under ``SANDBOX_KEY`` (the journal's entries show
it), and the :class:`Selection` under ``SELECTION_KEY``. A bad name (or a header and a prefix
naming different sandboxes) is answered 400 in Medusa's error shape here.

A sandbox is made on its first use, but not by a control-plane request the guard refuses: for
one, the guard's checks (``admits``) are asked first and, when they refuse, the request goes on
to the guard without a sandbox and is refused there.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from .._errors import dumps, error_body
from .._operations import is_control
from .._sandboxes import HEADER, PREFIX, SandboxError, Sandboxes, Selection
from ._asgi import SANDBOX_KEY, SELECTION_KEY, SERVICES_KEY, header, send_json


class SandboxMiddleware:
    def __init__(self, app: ASGIApp, sandboxes: Sandboxes,
                 admits: Callable[[Scope], bool] | None = None) -> None:
        self.app = app
        self.sandboxes = sandboxes
        self.admits = admits
        self._default = Selection(sandboxes.default, sandboxes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = header(scope, HEADER)
        path: str = scope["path"]
        if name is None and not path.startswith(PREFIX):
            self.sandboxes.default.last_used = self.sandboxes.clock.time()
            scope[SERVICES_KEY] = self.sandboxes.default.services
            scope[SELECTION_KEY] = self._default
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
        name = name.strip()
        if (self.admits is not None and is_control(scope["path"])
                and not self.sandboxes.exists(name) and not self.admits(scope)):
            await self.app(scope, receive, send)  # the guard refuses it
            return
        try:
            sandbox = self.sandboxes.get(name)
        except SandboxError as exc:
            await _refuse(send, str(exc))
            return
        scope[SERVICES_KEY] = sandbox.services
        if sandbox is not self.sandboxes.default:
            scope[SANDBOX_KEY] = sandbox.name
        scope[SELECTION_KEY] = Selection(sandbox, self.sandboxes, prefix, path)
        await self.app(scope, receive, send)


def _strip(scope: Scope, prefix: str, path: str) -> bytes:
    raw: bytes | None = scope.get("raw_path")
    head = prefix.encode()
    if raw is not None and raw.startswith(head):
        rest = raw[len(head):]
        return rest if rest.startswith(b"/") else b"/" + rest
    return quote(path).encode()


async def _refuse(send: Send, message: str) -> None:
    await send_json(send, 400, dumps(error_body("invalid_data", message)[1]))
