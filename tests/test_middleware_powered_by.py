"""The powered-by middleware: ``X-Powered-By: Express`` first on every answer."""

from __future__ import annotations

from mock_server._http._middleware.powered_by import PoweredByMiddleware

from ._asgi import Endpoint, call, lifespan_passes_through


def test_every_answer_says_express_first() -> None:
    for status in (200, 304, 401, 404, 500):
        inner = Endpoint(status=status, headers=[(b"content-type", b"text/plain")])
        answer = call(PoweredByMiddleware(inner))
        assert answer.headers == [(b"x-powered-by", b"Express"),
                                  (b"content-type", b"text/plain")]
        assert answer.status == status


def test_an_answer_without_headers_gets_one() -> None:
    answer = call(PoweredByMiddleware(Endpoint(headers=[])))
    assert answer.headers == [(b"x-powered-by", b"Express")]
    assert answer.body == b'{"ok":true}'


def test_other_scopes_pass_through() -> None:
    assert lifespan_passes_through(PoweredByMiddleware)
