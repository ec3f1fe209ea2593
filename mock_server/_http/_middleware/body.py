"""JSON bodies read like ``express.json()`` (body-parser, ``strict``) and ``JSON.parse``.

Mounted before every route, as Medusa's app-level parser is: the body of any method is read when
there is one; other content types and empty bodies become ``{}``; bodies over 100 kB answer 413
and bodies that are not a JSON object or array answer 400, both in Medusa's error shape, before
routing and authentication (quirks ``body-too-large-json-413``, ``malformed-json-body``). A
POST/PUT/PATCH goes on with its value re-serialized, so every later reader sees the same value
(see :func:`parse_json_body`).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import _etag
from .._context import SCOPE_KEY
from .._errors import JSON_CONTENT_TYPE, dumps, error_body
from ._asgi import header

BODY_LIMIT = 100 * 1024  # body-parser's default "100kb"
# The control plane's state import takes whole saved states (its own route, not Medusa's).
BODY_LIMITS = {("PUT", "/_mock/state"): 512 * 1024 * 1024}
# Deeper bodies are refused (quirk "body-nesting-limit"): Medusa's JSON.parse reads any depth, but
# Python code recursing over such a value (validation, copies, answers) would overflow its stack.
MAX_BODY_DEPTH = 64
_JS_MAX_INT_DIGITS = 309  # more digits than any finite double: JSON.parse gives Infinity
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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


def has_body(scope: Scope) -> bool:
    """type-is's ``hasBody``: a Transfer-Encoding header or a Content-Length."""
    length = header(scope, b"content-length")
    return header(scope, b"transfer-encoding") is not None or (
        length is not None and length.strip() not in ("", "0"))


class BodyRulesMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (scope["method"] in BODY_METHODS or has_body(scope)):
            await self.app(scope, receive, send)
            return
        replay = await self._read_body(scope, receive, send)
        if replay is not None:
            await self.app(scope, replay, send)

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """The body read whole (a ``receive`` that hands it on), or ``None`` once refused."""
        chunks = []
        size = 0
        limit = BODY_LIMITS.get((scope["method"], scope["path"]), BODY_LIMIT)
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _reject(scope, send, 413, "request entity too large")
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        value: Any = {}
        if _is_json(header(scope, b"content-type")) and body:
            try:
                value = parse_json_body(body)
            except BodyError as exc:
                await _reject(scope, send, 400, str(exc))
                return None
        if scope["method"] in BODY_METHODS:
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

        return replay


async def _reject(scope: Scope, send: Send, status: int, message: str) -> None:
    """body-parser's errors (413, 400), in Medusa's JSON error shape instead of Express's
    HTML page, answered by Express's final handler before the store router (no CORS)."""
    context = scope.get(SCOPE_KEY)
    if context is not None:
        context.before_router = True
    payload = dumps(error_body("invalid_data", message)[1])
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", JSON_CONTENT_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
        (_etag.FINAL_HANDLER, b"1"),
    ]})
    await send({"type": "http.response.body", "body": payload})
