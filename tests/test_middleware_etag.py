"""The ETag middleware: ``res.send``'s weak ETag and 304s, on whole answers.

(The ETag rules themselves, against values seen on real Medusa, are in ``test_etag.py``.)
"""

from __future__ import annotations

from mock_server._http._etag import FINAL_HANDLER, NO_ETAG, weak_etag
from mock_server._http._middleware.etag import ETagMiddleware

from ._asgi import Endpoint, call, lifespan_passes_through

BODY = b'{"regions":[]}'
JSON = (b"content-type", b"application/json; charset=utf-8")


def test_an_answer_sent_in_pieces_is_sent_whole_with_its_etag_last() -> None:
    answer = call(ETagMiddleware(Endpoint(body=BODY, parts=3, headers=[JSON])))
    bodies = [m for m in answer.messages if m["type"] == "http.response.body"]
    assert len(bodies) == 1 and bodies[0]["body"] == BODY
    assert answer.headers == [JSON, (b"etag", weak_etag(BODY))]


def test_a_fresh_conditional_get_is_a_304_without_body_or_content_headers() -> None:
    inner = Endpoint(body=BODY, headers=[JSON, (b"content-length", b"14"), (b"x-other", b"1")])
    etag = weak_etag(BODY).decode()
    for method in ("GET", "HEAD"):
        answer = call(ETagMiddleware(inner), method, headers={"If-None-Match": etag})
        assert (answer.status, answer.body) == (304, b"")
        assert answer.headers == [(b"x-other", b"1"), (b"etag", etag.encode())]


def test_a_stale_or_uncached_conditional_get_is_answered_in_full() -> None:
    etag = weak_etag(BODY).decode()
    for headers in ({"If-None-Match": 'W/"0-other"'},
                    {"If-None-Match": etag, "Cache-Control": "no-cache"}):
        answer = call(ETagMiddleware(Endpoint(body=BODY)), headers=headers)
        assert (answer.status, answer.body) == (200, BODY)
    post = call(ETagMiddleware(Endpoint(body=BODY)), "POST", headers={"If-None-Match": etag})
    assert (post.status, post.body) == (200, BODY)


def test_an_etag_already_there_is_kept() -> None:
    kept = (b"etag", b'W/"e-kept"')
    answer = call(ETagMiddleware(Endpoint(body=BODY, headers=[JSON, kept])),
                  headers={"If-None-Match": 'W/"e-kept"'})
    assert answer.status == 304 and answer.headers == [kept]


def test_passports_401_gets_no_etag_and_loses_its_marker() -> None:
    answer = call(ETagMiddleware(Endpoint(status=401, body=b"Unauthorized",
                                          headers=[(NO_ETAG, b"1")])))
    assert (answer.status, answer.headers, answer.body) == (401, [], b"Unauthorized")


def test_the_final_handlers_answers_get_its_headers_instead_of_an_etag() -> None:
    answer = call(ETagMiddleware(Endpoint(status=404, headers=[JSON, (FINAL_HANDLER, b"1")])))
    assert answer.headers == [(b"content-security-policy", b"default-src 'none'"),
                              (b"x-content-type-options", b"nosniff"), JSON]


def test_other_scopes_pass_through() -> None:
    assert lifespan_passes_through(ETagMiddleware)
