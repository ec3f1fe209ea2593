"""The sandbox middleware: which sandbox serves a request, and the path every later layer sees."""

from __future__ import annotations

import pytest

from mock_server import Settings
from mock_server._domain.services import Services
from mock_server._http._answer_cache import AnswerCache
from mock_server._http._middleware._asgi import SANDBOX_KEY, SELECTION_KEY, SERVICES_KEY
from mock_server._http._middleware.sandbox import SandboxMiddleware
from mock_server._http._sandboxes import Sandboxes, Selection
from mock_server._seed import build_services

from ._asgi import Endpoint, call, lifespan_passes_through, scope


@pytest.fixture(scope="module")
def services() -> Services:
    return build_services(Settings(frozen_time=1_700_000_000.0))


def registry(services: Services) -> Sandboxes:
    return Sandboxes(services, AnswerCache(services.store))


def selection_of(inner: Endpoint) -> Selection:
    assert inner.scope is not None
    found = inner.scope[SELECTION_KEY]
    assert isinstance(found, Selection)
    assert inner.scope[SERVICES_KEY] is found.sandbox.services  # what services_of reads
    assert inner.scope.get(SANDBOX_KEY) == (None if found.sandbox.name == "default"
                                            else found.sandbox.name)
    return found


def test_without_header_or_prefix_the_default_sandbox_serves(services: Services) -> None:
    inner = Endpoint()
    sandboxes = registry(services)
    call(SandboxMiddleware(inner, sandboxes), path="/store/regions")
    chosen = selection_of(inner)
    assert chosen.sandbox is sandboxes.default and chosen.sandbox.services is services
    assert chosen.prefix == "" and inner.scope["path"] == "/store/regions"  # type: ignore[index]


def test_a_prefix_is_taken_off_the_path_and_kept_in_the_selection(services: Services) -> None:
    inner = Endpoint()
    sandboxes = registry(services)
    request = scope("GET", "/_sandbox/alice/store/carts/cart_1")
    request["raw_path"] = b"/_sandbox/alice/store/carts/cart%5F1"
    call(SandboxMiddleware(inner, sandboxes), request_scope=request)
    assert inner.scope is not None
    assert inner.scope["path"] == "/store/carts/cart_1"
    assert inner.scope["raw_path"] == b"/store/carts/cart%5F1"  # its own encoding kept
    chosen = selection_of(inner)
    assert chosen.sandbox.name == "alice" and chosen.prefix == "/_sandbox/alice"
    assert chosen.original_path == "/_sandbox/alice/store/carts/cart_1"
    assert chosen.sandbox.services is not services
    assert request["path"] == "/_sandbox/alice/store/carts/cart_1"  # the caller's scope unchanged


def test_the_header_chooses_without_changing_the_path(services: Services) -> None:
    inner = Endpoint()
    sandboxes = registry(services)
    middleware = SandboxMiddleware(inner, sandboxes)
    call(middleware, path="/store/regions", headers={"X-Medusa-Mock-Sandbox": "bob"})
    first = selection_of(inner)
    call(middleware, path="/_sandbox/bob", headers={"X-Medusa-Mock-Sandbox": " bob "})
    again = selection_of(inner)
    assert first.sandbox is again.sandbox and first.prefix == ""
    assert inner.scope["path"] == "/"  # type: ignore[index]


def test_a_refused_name_never_reaches_the_app(services: Services) -> None:
    inner = Endpoint()
    answer = call(SandboxMiddleware(inner, registry(services)), path="/_sandbox/a%20b/store")
    assert inner.calls == 0
    assert answer.status == 400
    assert answer.names == ["content-type", "content-length"]


def test_a_control_request_the_guard_refuses_makes_no_sandbox(services: Services) -> None:
    inner = Endpoint()
    sandboxes = registry(services)
    middleware = SandboxMiddleware(inner, sandboxes, admits=lambda scope: False)
    call(middleware, "POST", "/_sandbox/carol/_mock/reset")
    assert inner.calls == 1 and not sandboxes.exists("carol")  # passed on, for the guard
    assert inner.scope is not None and SELECTION_KEY not in inner.scope
    assert inner.scope["path"] == "/_mock/reset"
    call(middleware, "GET", "/_sandbox/carol/store/regions")  # a Store request makes it
    assert sandboxes.exists("carol")
    call(middleware, "POST", "/_sandbox/carol/_mock/reset")  # and then it serves
    assert selection_of(inner).sandbox.name == "carol"


def test_other_scopes_pass_through(services: Services) -> None:
    assert lifespan_passes_through(lambda app: SandboxMiddleware(app, registry(services)))
