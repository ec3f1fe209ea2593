"""The ``connect.sid`` session cookie, signed as express-session / cookie-signature sign it.

Cookie value: ``s:<sid>.<base64(HMAC-SHA256(secret, sid)) without padding>``, URL-encoded.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import quote, unquote

COOKIE_NAME = "connect.sid"
# A signed cookie value holds only these characters (a url-safe session id, "s:", ".", base64);
# of them, quote(value, safe="") escapes exactly ":", "+", "/" and "=". A fast path: every
# answer to a client without a session sets a cookie, a replayed answer included.
_COOKIE_CHARS = re.compile(r"[A-Za-z0-9_.~:+/=-]*")


def encode_component(value: str) -> str:
    """``quote(value, safe="")`` (the cookie value's URL encoding)."""
    if _COOKIE_CHARS.fullmatch(value):
        return (value.replace(":", "%3A").replace("+", "%2B").replace("/", "%2F")
                .replace("=", "%3D"))
    return quote(value, safe="")


@functools.lru_cache(maxsize=8)
def _http_date_of_second(second: int) -> str:
    return formatdate(second, usegmt=True)


def http_date(epoch: float) -> str:
    """``formatdate(epoch, usegmt=True)``, formatted once per second."""
    second = int(epoch)
    if epoch < 0 or epoch - second >= 0.9999994:
        # formatdate rounds to the microsecond first, which may carry into the next second
        return formatdate(epoch, usegmt=True)
    return _http_date_of_second(second)


def sign(sid: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), sid.encode(), hashlib.sha256).digest()
    return "s:" + sid + "." + base64.b64encode(mac).decode().rstrip("=")


def unsign(value: str, secret: str) -> str | None:
    """The session id inside a signed cookie value, or ``None`` if it was not signed by us."""
    if not value.startswith("s:"):
        return None
    body = value[2:]
    sid, dot, _ = body.rpartition(".")
    if not dot or not sid:
        return None
    expected = sign(sid, secret)
    return sid if hmac.compare_digest(expected.encode(), value.encode()) else None


def read_cookie(cookie_header: str | None) -> str | None:
    """The raw ``connect.sid`` value from a Cookie header (first one wins, as in Express)."""
    if not cookie_header:
        return None
    for part in cookie_header.split(";"):
        name, eq, value = part.strip().partition("=")
        if eq and name == COOKIE_NAME:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            try:
                return unquote(value, errors="strict")
            except UnicodeDecodeError:
                return value
    return None


def set_cookie_header(sid: str, secret: str, expires_epoch: float, path: str = "/") -> bytes:
    value = encode_component(sign(sid, secret))
    expires = http_date(expires_epoch)
    return f"{COOKIE_NAME}={value}; Path={path}; Expires={expires}; HttpOnly".encode("latin-1")


@dataclass
class RequestSession:
    """The session of one request. Handlers change ``data``; the middleware saves it."""

    sid: str
    data: dict[str, Any]
    is_new: bool
    original: dict[str, Any] = field(default_factory=dict)
    destroyed: bool = False

    @property
    def modified(self) -> bool:
        return self.data != self.original

    def destroy(self) -> None:
        self.destroyed = True
        self.data = {}
