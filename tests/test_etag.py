"""ETags and 304s as Express 4's ``res.send`` gives them (the ETags below were read off a real
Medusa 1.20.11 answering the same bodies)."""

from __future__ import annotations

import pytest

from mock_server._http._etag import is_fresh, weak_etag

from .conftest import Mock

# (body, the ETag real Medusa 1.20.11 sent with it)
RECORDED = [
    (b"OK", 'W/"2-nOO9QiTIwXgNtWtBJezz8kv3SLc"'),  # res.sendStatus(200)
    (b"No Content", 'W/"a-bAsFyilMr4Ra1hIU5PyoyFRunpI"'),  # res.sendStatus(204), body dropped
    (b"", 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"'),
]


@pytest.mark.parametrize(("body", "etag"), RECORDED)
def test_weak_etags_are_the_etag_package_s(body: bytes, etag: str) -> None:
    assert weak_etag(body).decode() == etag


def test_every_res_send_answer_has_its_etag(mock: Mock) -> None:
    c = mock.client
    wrong = c.post("/store/auth", json={"email": "x@y.z", "password": "nope"})
    assert wrong.status_code == 400
    assert wrong.headers["etag"] == 'W/"3a-OzCaKypiJA3PX/e5EqZdQVWPblw"'  # as real Medusa's
    out = c.delete("/store/auth")
    assert (out.status_code, out.text) == (200, "OK")
    assert out.headers["etag"] == RECORDED[0][1]
    reset = c.post("/store/customers/password-token", json={"email": "nobody@example.com"})
    assert reset.status_code == 204 and reset.content == b""
    assert reset.headers["etag"] == RECORDED[1][1]
    regions = c.get("/store/regions")
    assert regions.headers["etag"] == weak_etag(regions.content).decode()


def test_answers_outside_res_send_have_none(mock: Mock) -> None:
    c = mock.client
    unauthorized = c.get("/store/customers/me")
    unknown = c.get("/store/no-such-route")
    preflight = c.options("/store/regions", headers={
        "Origin": "http://localhost:8000", "Access-Control-Request-Method": "GET"})
    assert (unauthorized.status_code, unknown.status_code, preflight.status_code) == (
        401, 404, 204)
    for answer in (unauthorized, unknown, preflight):
        assert "etag" not in answer.headers
        assert "x-medusa-mock-no-etag" not in answer.headers


def test_a_current_copy_is_a_304_without_a_body(mock: Mock) -> None:
    c = mock.client
    first = c.get("/store/regions")
    etag = first.headers["etag"]
    c.cookies.clear()  # a new visitor: a new session, whose cookie comes with the 304
    again = c.get("/store/regions", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert "content-type" not in again.headers and "content-length" not in again.headers
    assert again.headers["x-powered-by"] == "Express"  # the rest of the answer stays
    assert again.headers["set-cookie"].startswith("connect.sid=")
    for headers in ({"If-None-Match": f'W/"0-x", {etag}'}, {"If-None-Match": "*"},
                    {"If-None-Match": etag.removeprefix("W/")}):
        assert c.get("/store/regions", headers=headers).status_code == 304, headers


@pytest.mark.parametrize("headers", [
    {"If-None-Match": 'W/"0-not-it"'},
    {"Cache-Control": "no-cache"},
    {"If-Modified-Since": "Sun, 29 Nov 2099 00:00:00 GMT"},  # res.send sets no Last-Modified
], ids=["other-etag", "no-cache", "if-modified-since"])
def test_a_stale_or_refused_copy_gets_the_whole_answer(mock: Mock, headers: dict) -> None:
    etag = mock.client.get("/store/regions").headers["etag"]
    if "Cache-Control" in headers:
        headers = {**headers, "If-None-Match": etag}
    answer = mock.client.get("/store/regions", headers=headers)
    assert answer.status_code == 200 and answer.json()["regions"]


def test_only_successful_gets_become_304s(mock: Mock) -> None:
    c = mock.client
    missing = c.get("/store/regions/reg_nope")
    assert c.get("/store/regions/reg_nope",
                 headers={"If-None-Match": missing.headers["etag"]}).status_code == 404
    body = {"email": "x@y.z", "password": "nope"}
    refused = c.post("/store/auth", json=body)
    assert c.post("/store/auth", json=body, headers={
        "If-None-Match": refused.headers["etag"]}).status_code == 400


def test_head_hashes_the_body_it_does_not_send(mock: Mock) -> None:
    get = mock.client.get("/store/products?limit=2")
    head = mock.client.head("/store/products?limit=2")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


def test_freshness_rules() -> None:
    tag = b'W/"2-abc"'
    assert is_fresh("GET", 200, 'W/"2-abc"', None, None, tag)
    assert is_fresh("HEAD", 204, '"2-abc"', None, None, tag)
    assert not is_fresh("POST", 200, 'W/"2-abc"', None, None, tag)
    assert not is_fresh("GET", 404, 'W/"2-abc"', None, None, tag)
    assert not is_fresh("GET", 200, None, None, None, tag)
    assert not is_fresh("GET", 200, 'W/"2-abc"', None, "max-age=0, no-cache", tag)
    assert is_fresh("GET", 200, 'W/"2-abc"', None, "max-age=0", tag)
    assert not is_fresh("GET", 200, "*", "Sun, 29 Nov 2099 00:00:00 GMT", None, tag)
    assert not is_fresh("GET", 200, 'W/"2-abc"', None, None, None)


def test_final_handler_answers_carry_its_headers_and_body_parser_ones_no_cors(
        mock: Mock) -> None:
    """As real Medusa 1.20.11 answered: the final handler adds its two security headers; the
    JSON body parser fails before the store router, so without the router's CORS headers."""
    c = mock.client
    origin = {"Origin": "http://localhost:8000"}
    unknown = c.get("/store/no-such-route", headers=origin)
    malformed = c.post("/store/auth", content=b'{"email":', headers={
        **origin, "Content-Type": "application/json"})
    too_large = c.post("/store/auth", content=b'{"a":"' + b"x" * 120_000 + b'"}', headers={
        **origin, "Content-Type": "application/json"})
    assert (unknown.status_code, malformed.status_code, too_large.status_code) == (404, 400, 413)
    for answer in (unknown, malformed, too_large):
        assert answer.headers["content-security-policy"] == "default-src 'none'"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-powered-by"] == "Express"
        assert "etag" not in answer.headers
        assert "x-medusa-mock-final-handler" not in answer.headers
    assert unknown.headers["access-control-allow-origin"] == "http://localhost:8000"
    for answer in (malformed, too_large):
        assert "vary" not in answer.headers
        assert "access-control-allow-origin" not in answer.headers
    ordinary = c.get("/store/regions", headers=origin)
    assert "content-security-policy" not in ordinary.headers
