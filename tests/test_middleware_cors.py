"""The CORS middleware: the ``cors`` package as Medusa mounts it on the store router."""

from __future__ import annotations

from types import SimpleNamespace

from mock_server._http._context import SCOPE_KEY
from mock_server._http._middleware.cors import CORSMiddleware

from ._asgi import Endpoint, call, lifespan_passes_through, scope

ALLOWED = "http://localhost:8000"


def cors(inner: Endpoint) -> CORSMiddleware:
    return CORSMiddleware(inner, allows_origin=lambda origin: origin == ALLOWED)


def test_store_answers_get_vary_and_credentials_and_an_allowed_origin_first() -> None:
    inner = Endpoint()
    answer = call(cors(inner), headers={"Origin": ALLOWED})
    assert answer.headers[:3] == [(b"access-control-allow-origin", ALLOWED.encode()),
                                  (b"vary", b"Origin"),
                                  (b"access-control-allow-credentials", b"true")]
    assert answer.headers[3:] == inner.headers


def test_an_origin_not_allowed_is_not_echoed() -> None:
    answer = call(cors(Endpoint()), headers={"Origin": "https://evil.example"})
    assert answer.header("access-control-allow-origin") is None
    assert answer.names[:2] == ["vary", "access-control-allow-credentials"]


def test_only_store_routes_get_cors() -> None:
    inner = Endpoint()
    answer = call(cors(inner), path="/_mock/events", headers={"Origin": ALLOWED})
    assert answer.headers == inner.headers


def test_a_preflight_is_answered_here_with_204() -> None:
    inner = Endpoint()
    answer = call(cors(inner), "OPTIONS", "/store/carts", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-publishable-api-key"})
    assert inner.calls == 0
    assert (answer.status, answer.body) == (204, b"")
    assert answer.headers == [
        (b"access-control-allow-origin", ALLOWED.encode()),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-allow-methods", b"GET,HEAD,PUT,PATCH,POST,DELETE"),
        (b"access-control-allow-headers", b"content-type,x-publishable-api-key"),
        (b"vary", b"Origin, Access-Control-Request-Headers"),
        (b"content-length", b"0")]


def test_a_preflight_without_requested_headers_varies_on_origin_only() -> None:
    answer = call(cors(Endpoint()), "OPTIONS", "/store/carts",
                  headers={"Access-Control-Request-Method": "GET"})
    assert answer.header("vary") == "Origin"
    assert answer.header("access-control-allow-headers") is None
    assert answer.header("access-control-allow-origin") is None


def test_an_options_request_that_is_no_preflight_reaches_the_app() -> None:
    inner = Endpoint(status=404)
    answer = call(cors(inner), "OPTIONS", "/store/carts", headers={"Origin": ALLOWED})
    assert inner.calls == 1
    assert answer.status == 404 and answer.header("access-control-allow-origin") == ALLOWED


def test_answers_given_before_the_router_get_no_cors() -> None:
    def body_parser_refused(scope: dict) -> None:
        scope[SCOPE_KEY].before_router = True

    inner = Endpoint(status=400, before=body_parser_refused)
    the_scope = scope("POST", "/store/carts", {"Origin": ALLOWED})
    the_scope[SCOPE_KEY] = SimpleNamespace(before_router=False)
    answer = call(cors(inner), request_scope=the_scope)
    assert answer.headers == inner.headers


def test_other_scopes_pass_through() -> None:
    assert lifespan_passes_through(cors)
