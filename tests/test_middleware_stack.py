"""The outer middleware composed: one ordered list, and what each answer gets from it."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Settings, create_app
from mock_server._http._middleware import middlewares
from mock_server._http._middleware.answer_cache import AnswerCacheMiddleware
from mock_server._http._middleware.body import BodyRulesMiddleware
from mock_server._http._middleware.compression import CompressionMiddleware
from mock_server._http._middleware.control_guard import ControlGuardMiddleware
from mock_server._http._middleware.cors import CORSMiddleware
from mock_server._http._middleware.etag import ETagMiddleware
from mock_server._http._middleware.faults import FaultsMiddleware
from mock_server._http._middleware.identity import IdentityMiddleware
from mock_server._http._middleware.journal import JournalMiddleware
from mock_server._http._middleware.powered_by import PoweredByMiddleware
from mock_server._http._middleware.session import SessionMiddleware
from mock_server._http._middleware.uploads import UploadsMiddleware

from ._asgi import call

ORIGIN = "http://localhost:8000"


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Settings(read_cache="on", id_seed=3))


def test_the_layers_in_order(app: Any) -> None:
    assert [layer.cls for layer in middlewares(app.services, app.answer_cache)] == [
        ControlGuardMiddleware, JournalMiddleware, PoweredByMiddleware, CORSMiddleware,
        FaultsMiddleware, UploadsMiddleware, SessionMiddleware, IdentityMiddleware,
        ETagMiddleware, BodyRulesMiddleware, AnswerCacheMiddleware]


def test_a_store_answer_and_its_replay_get_every_layers_headers_in_order(app: Any) -> None:
    for _ in range(2):  # computed, then replayed from the answer cache
        answer = call(app, "GET", "/store/regions", headers={"Origin": ORIGIN})
        assert answer.status == 200
        assert answer.names == [
            "x-powered-by", "access-control-allow-origin", "vary",
            "access-control-allow-credentials", "content-type", "content-length", "etag",
            "set-cookie"]
    assert app.answer_cache.hits >= 1


def test_a_body_parser_error_gets_a_cookie_but_no_cors_headers(app: Any) -> None:
    answer = call(app, "POST", "/store/carts", body=b"{oops",
                  headers={"Origin": ORIGIN, "Content-Type": "application/json"})
    assert answer.status == 400
    assert answer.names == ["x-powered-by", "content-security-policy", "x-content-type-options",
                            "content-type", "content-length", "set-cookie"]


def test_an_unknown_store_route_gets_cors_and_the_final_handlers_headers(app: Any) -> None:
    answer = call(app, "GET", "/store/nowhere", headers={"Origin": ORIGIN})
    assert answer.status == 404
    assert answer.names[:6] == [
        "x-powered-by", "access-control-allow-origin", "vary",
        "access-control-allow-credentials", "content-security-policy", "x-content-type-options"]
    assert "etag" not in answer.names and answer.names[-1] == "set-cookie"


def test_a_preflight_gets_no_session(app: Any) -> None:
    answer = call(app, "OPTIONS", "/store/carts", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert answer.status == 204
    assert answer.names == ["x-powered-by", "access-control-allow-origin",
                            "access-control-allow-credentials", "access-control-allow-methods",
                            "vary", "content-length"]


def test_compression_wraps_everything_when_on() -> None:
    app = create_app(Settings(http_compression=True))
    assert middlewares(app.services, app.answer_cache)[1].cls is CompressionMiddleware
    answer = call(app, "GET", "/store/products", headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.names[0] == "x-powered-by"
    assert answer.names[-3:] == ["content-encoding", "vary", "content-length"]
