"""The answer-cache middleware: kept answers of pure reads, and the store's write generation.

(End to end, against every catalog read of a storefront, in ``test_read_cache.py``.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server._http._answer_cache import AnswerCache
from mock_server._http._context import SCOPE_KEY, RequestContext
from mock_server._http._etag import weak_etag
from mock_server._http._middleware.answer_cache import (
    STALE_ANSWER_HEADER,
    AnswerCacheMiddleware,
)
from mock_server._http._session import RequestSession
from mock_server._state.store import Store

from ._asgi import Endpoint, call, lifespan_passes_through, scope

BODY = b'{"products":[]}'


def pure(request_scope: dict[str, Any]) -> None:
    request_scope[SCOPE_KEY].cacheable = True


def request(app: Any, method: str = "GET", customer: str | None = None,
            query: bytes = b"limit=12", headers: dict[str, str] | None = None) -> Any:
    the_scope = scope(method, "/store/products", headers, query)
    the_scope[SCOPE_KEY] = RequestContext(
        services=None,  # type: ignore[arg-type]
        session=RequestSession(sid="s", data={}, is_new=True), customer_id=customer)
    return call(app, request_scope=the_scope)


def stack(mode: str = "on", **endpoint: Any) -> tuple[Store, Endpoint, AnswerCacheMiddleware]:
    store = Store()
    inner = Endpoint(body=BODY, **endpoint)
    return store, inner, AnswerCacheMiddleware(inner, store, AnswerCache(store, mode))


def test_a_pure_200_is_replayed_with_its_etag_without_running_the_app() -> None:
    _, inner, app = stack(before=pure)
    first, second = request(app), request(app)
    assert inner.calls == 1 and app.answers.hits == 1
    assert first.headers == second.headers == [*inner.headers, (b"etag", weak_etag(BODY))]
    assert first.body == second.body == BODY


def test_the_customer_query_and_headers_are_part_of_the_key() -> None:
    _, inner, app = stack(before=pure)
    request(app)
    request(app, customer="cus_1")
    request(app, query=b"limit=13")
    request(app, headers={"x-publishable-api-key": "pk_1"})
    assert inner.calls == 4
    request(app, customer="cus_1", headers={"cookie": "connect.sid=other"})  # same customer
    assert inner.calls == 4


@pytest.mark.parametrize(("endpoint", "method"), [
    ({}, "GET"),  # the handler did not declare itself pure
    ({"before": pure, "status": 404}, "GET"),
    ({"before": pure}, "HEAD"),
])
def test_nothing_else_is_kept(endpoint: dict[str, Any], method: str) -> None:
    _, inner, app = stack(**endpoint)
    request(app, method)
    request(app, method)
    assert inner.calls == 2 and app.answers.hits == 0


def test_a_request_that_may_write_moves_the_generation_before_and_after() -> None:
    seen: list[int] = []
    store, inner, app = stack(before=lambda s: seen.append(store.generation))
    request(app, "GET")
    assert store.generation == 0
    for method in ("POST", "DELETE", "PUT"):
        before = store.generation
        request(app, method)
        assert seen[-1] == before + 1 and store.generation == before + 2


def test_a_write_ends_every_kept_answer() -> None:
    _, inner, app = stack(before=pure)
    request(app)
    request(app, "POST")
    request(app)
    assert inner.calls == 3


def test_an_answer_computed_while_the_store_changed_is_not_kept() -> None:
    store = Store()

    def pure_but_written_meanwhile(request_scope: dict[str, Any]) -> None:
        pure(request_scope)
        store.changed()

    inner = Endpoint(body=BODY, before=pure_but_written_meanwhile)
    app = AnswerCacheMiddleware(inner, store, AnswerCache(store))
    request(app)
    request(app)
    assert inner.calls == 2


def test_verify_mode_recomputes_every_hit_and_a_stale_replay_is_a_500() -> None:
    _, inner, app = stack("verify", before=pure)
    assert request(app).status == request(app).status == 200
    assert inner.calls == 2 and app.answers.hits == 1
    inner.body = b'{"products":["changed behind the cache"]}'
    stale = request(app)
    assert stale.status == 500 and (STALE_ANSWER_HEADER, b"1") in stale.headers
    assert json.loads(stale.body)["type"] == "unknown_error"


def test_off_mode_keeps_nothing() -> None:
    _, inner, app = stack("off", before=pure)
    request(app)
    request(app)
    assert inner.calls == 2 and app.answers.hits == 0


def test_other_scopes_pass_through() -> None:
    store = Store()
    assert lifespan_passes_through(lambda a: AnswerCacheMiddleware(a, store, AnswerCache(store)))
