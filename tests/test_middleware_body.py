"""The body middleware: ``express.json()``'s rules, before routing and authentication.

(Every operation's answers to hostile bodies, end to end, are in ``test_hostile_input.py``.)
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from mock_server._http._context import SCOPE_KEY
from mock_server._http._etag import FINAL_HANDLER
from mock_server._http._middleware.body import (
    BODY_LIMIT,
    MAX_BODY_DEPTH,
    BodyError,
    BodyRulesMiddleware,
    parse_json_body,
)

from ._asgi import Endpoint, call, lifespan_passes_through, scope

JSON = {"Content-Type": "application/json"}


def send(method: str, body: bytes | list[bytes], headers: dict[str, str] | None = None
         ) -> tuple[Endpoint, object, dict]:
    inner = Endpoint()
    the_scope = scope(method, "/store/carts", headers)
    the_scope[SCOPE_KEY] = SimpleNamespace(before_router=False)
    answer = call(BodyRulesMiddleware(inner), body=body, request_scope=the_scope)
    return inner, answer, the_scope


def test_a_json_body_is_handed_on_re_serialized_with_its_length() -> None:
    inner, answer, _ = send("POST", [b'{"a": 1,', b' "b": ["\\u00e9"]}'], JSON)
    assert answer.status == 200 and inner.received == b'{"a":1,"b":["\\u00e9"]}'
    headers = dict(inner.scope["headers"])
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"content-length"] == str(len(inner.received)).encode()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_other_content_types_and_empty_bodies_become_an_empty_object(content_type: str | None
                                                                   ) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    inner, _, _ = send("POST", b"x=1&y", headers)
    assert inner.received == b"{}"
    assert dict(inner.scope["headers"])[b"content-type"] == b"application/json"
    empty, _, _ = send("PUT", b"", JSON)
    assert empty.received == b"{}"


def test_a_body_over_100_kb_is_refused_with_413_before_the_app() -> None:
    chunk = b"x" * (BODY_LIMIT // 2)
    inner, answer, the_scope = send("POST", [chunk, chunk, b"xx"], {"Content-Type": "text/plain"})
    assert inner.calls == 0 and answer.status == 413
    assert json.loads(answer.body) == {"type": "invalid_data",
                                       "message": "request entity too large"}
    assert (FINAL_HANDLER, b"1") in answer.headers
    assert the_scope[SCOPE_KEY].before_router  # so no CORS headers (body-parser is app-level)


@pytest.mark.parametrize(("raw", "message"), [
    (b'{"a": ', "Unexpected end of JSON input"),
    (b'"text"', "Unexpected token \" in JSON at position 0"),
    (b'  {"a": NaN}', "Unexpected token N in JSON"),
    (b"   ", "Unexpected end of JSON input"),
])
def test_malformed_json_is_a_400_in_medusas_shape(raw: bytes, message: str) -> None:
    inner, answer, the_scope = send("POST", raw, JSON)
    assert inner.calls == 0 and answer.status == 400
    assert json.loads(answer.body) == {"type": "invalid_data", "message": message}
    assert the_scope[SCOPE_KEY].before_router


def test_a_get_with_a_body_is_read_and_checked_too() -> None:
    inner, answer, _ = send("GET", b"{oops", {**JSON, "Content-Length": "5"})
    assert inner.calls == 0 and answer.status == 400
    inner, answer, _ = send("GET", b'{"a":1}', {**JSON, "Content-Length": "7"})
    assert answer.status == 200 and inner.calls == 1
    assert dict(inner.scope["headers"])[b"content-length"] == b"7"  # left as sent


def test_a_get_without_a_body_is_not_read() -> None:
    inner = Endpoint()
    call(BodyRulesMiddleware(inner), "GET", body=b"never read")
    assert inner.calls == 1 and inner.received == b""


def test_parse_json_body_reads_numbers_as_javascript_does() -> None:
    assert parse_json_body(b"\xef\xbb\xbf[1]") == [1]  # a BOM is dropped
    assert parse_json_body(b"[" + b"9" * 400 + b"]") == [float("inf")]
    assert parse_json_body(b'["\xff"]') == ["\ufffd"]
    with pytest.raises(BodyError, match="nested deeper"):
        parse_json_body(b"[" * (MAX_BODY_DEPTH + 1) + b"]" * (MAX_BODY_DEPTH + 1))
    assert parse_json_body(b"[" * MAX_BODY_DEPTH + b"]" * MAX_BODY_DEPTH)


def test_other_scopes_pass_through() -> None:
    assert lifespan_passes_through(BodyRulesMiddleware)
