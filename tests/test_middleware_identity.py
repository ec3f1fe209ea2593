"""The identity middleware: the acting customer, as passport resolves Medusa's ``req.user``."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server._domain.tokens import TokenService
from mock_server._http._context import SCOPE_KEY, RequestContext
from mock_server._http._middleware.identity import IdentityMiddleware
from mock_server._http._session import RequestSession
from mock_server._state.clock import Clock

from ._asgi import Endpoint, call, lifespan_passes_through, scope

CLOCK = Clock(frozen_at=1_700_000_000.0)
TOKENS = TokenService("jwt-secret", CLOCK)


def identify(headers: dict[str, str], session: dict[str, Any] | None = None) -> RequestContext:
    context = RequestContext(services=None,  # type: ignore[arg-type]
                             session=RequestSession(sid="s", data=session or {}, is_new=False))
    the_scope = scope("GET", "/store/customers/me", headers)
    the_scope[SCOPE_KEY] = context
    inner = Endpoint()
    call(IdentityMiddleware(inner, TOKENS), request_scope=the_scope)
    assert inner.scope is the_scope
    return context


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_session_customer_comes_first() -> None:
    token = TOKENS.sign({"customer_id": "cus_bearer", "domain": "store"})
    context = identify(bearer(token), session={"customer_id": "cus_session"})
    assert (context.customer_id, context.auth_via) == ("cus_session", "session")


def test_a_store_bearer_token_names_the_customer() -> None:
    context = identify(bearer(TOKENS.sign({"customer_id": "cus_1", "domain": "store"})))
    assert (context.customer_id, context.auth_via) == ("cus_1", "bearer")
    lower = identify({"Authorization": "bearer " + TOKENS.sign(
        {"customer_id": "cus_1", "domain": "store"})})
    assert lower.customer_id == "cus_1"


@pytest.mark.parametrize("headers", [
    {},
    bearer(TokenService("another-secret", CLOCK).sign({"customer_id": "c", "domain": "store"})),
    bearer(TOKENS.sign({"customer_id": "cus_admin", "domain": "admin"})),
    bearer(TOKENS.sign({"domain": "store"})),
    bearer(TOKENS.sign({"customer_id": "cus_1", "domain": "store"}, expires_in=-1)),
    bearer("not-a-jwt"),
    {"Authorization": "Basic " + TOKENS.sign({"customer_id": "cus_1", "domain": "store"})},
    {"Authorization": "Bearer   "},
], ids=["none", "other-secret", "admin-domain", "no-customer", "expired", "garbage", "basic",
        "blank"])
def test_anything_else_leaves_the_request_anonymous(headers: dict[str, str]) -> None:
    context = identify(headers)
    assert (context.customer_id, context.auth_via) == (None, None)


def test_other_scopes_pass_through() -> None:
    assert lifespan_passes_through(lambda app: IdentityMiddleware(app, TOKENS))
