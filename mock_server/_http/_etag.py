"""ETags and conditional GETs as Express 4 answers them.

``res.send`` (behind ``res.json`` and ``res.sendStatus``) gives every answer a weak ETag computed by
the ``etag`` package: ``W/"<byte length in hex>-<base64 SHA-1 of the body, 27 characters>"``.
For a GET or HEAD answered 2xx whose ETag the client already holds (``If-None-Match``, ``fresh``
package rules), the answer becomes ``304 Not Modified`` with no body and no Content-Type or
Content-Length. Answers that do not go through ``res.send`` carry none: passport's 401 (marked
:data:`NO_ETAG`), the final handler's 404 for an unknown route and its body-parser errors (marked
:data:`FINAL_HANDLER`; they get its ``Content-Security-Policy`` and ``X-Content-Type-Options``)
and CORS preflights. The markers never leave the server. ``res.sendStatus(204)`` hashes the
reason phrase it then drops (``No Content``): see :func:`send_status_etag`.
"""

from __future__ import annotations

import base64
import hashlib
import re

NO_ETAG = b"x-medusa-mock-no-etag"
# Answers of Express's final handler (unknown routes; body-parser's errors): no ETag, and the
# final handler's own headers.
FINAL_HANDLER = b"x-medusa-mock-final-handler"
_FINAL_HANDLER_HEADERS = [(b"content-security-policy", b"default-src 'none'"),
                          (b"x-content-type-options", b"nosniff")]
_NO_CACHE = re.compile(r"(?:^|,)\s*?no-cache\s*?(?:,|$)")
_CONTENT_HEADERS = frozenset({b"content-type", b"content-length", b"transfer-encoding"})


def weak_etag(body: bytes) -> bytes:
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode()[:27]
    return f'W/"{len(body):x}-{digest}"'.encode()


def send_status_etag(status_phrase: str) -> str:
    return weak_etag(status_phrase.encode()).decode()


def is_fresh(method: str, status: int, if_none_match: str | None,
             if_modified_since: str | None, cache_control: str | None, etag: bytes | None) -> bool:
    """Express's ``req.fresh``: the client's copy is current, so the answer is a 304."""
    if method not in ("GET", "HEAD") or not (200 <= status < 300 or status == 304):
        return False
    if not if_none_match and not if_modified_since:
        return False
    if cache_control and _NO_CACHE.search(cache_control):
        return False
    if if_none_match and if_none_match != "*":
        if not etag:
            return False
        tag = etag.decode("latin-1")
        tokens = [t.strip() for t in if_none_match.split(",") if t.strip()]
        if not any(t == tag or "W/" + t == tag or t == "W/" + tag for t in tokens):
            return False
    # res.send sets no Last-Modified, so an If-Modified-Since is always stale
    return not if_modified_since


def finish(method: str, request_headers: dict[bytes, str], status: int,
           headers: list[tuple[bytes, bytes]], body: bytes
           ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """What ``res.send`` makes of an answer: its ETag added, and a 304 when the client's copy
    is fresh."""
    names = {k.lower() for k, _ in headers}
    if FINAL_HANDLER in names:
        return status, [*_FINAL_HANDLER_HEADERS, *(
            (k, v) for k, v in headers if k.lower() != FINAL_HANDLER)], body
    if NO_ETAG in names:
        return status, [(k, v) for k, v in headers if k.lower() != NO_ETAG], body
    if b"etag" not in names:
        headers = [*headers, (b"etag", weak_etag(body))]
    etag = next((v for k, v in headers if k.lower() == b"etag"), None)
    if is_fresh(method, status, request_headers.get(b"if-none-match"),
                request_headers.get(b"if-modified-since"),
                request_headers.get(b"cache-control"), etag):
        return 304, [(k, v) for k, v in headers if k.lower() not in _CONTENT_HEADERS], b""
    return status, headers, body
