"""The session middleware: express-session's ``connect.sid`` and the request's context."""

from __future__ import annotations

from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server import Settings
from mock_server._domain.services import Services
from mock_server._domain.sessions import SESSION_TTL
from mock_server._http._context import SCOPE_KEY, RequestContext
from mock_server._http._middleware.session import SessionMiddleware
from mock_server._http._session import encode_component, set_cookie_header, sign, unsign
from mock_server._seed import build_services

from ._asgi import Endpoint, call, lifespan_passes_through

SECRET = "cookie-secret"


@pytest.fixture(scope="module")
def services() -> Services:
    return build_services(Settings(cookie_secret=SECRET, frozen_time=1_700_000_000.0))


def cookie_of(answer: object) -> str:
    value = answer.header("set-cookie")  # type: ignore[attr-defined]
    assert value is not None
    return value


def sid_of(set_cookie: str) -> str | None:
    raw = unquote(set_cookie.split(";", 1)[0].split("=", 1)[1])
    return unsign(raw, SECRET)


def test_a_new_session_is_created_shared_and_sent_last(services: Services) -> None:
    inner = Endpoint()
    answer = call(SessionMiddleware(inner, services))
    context = inner.scope[SCOPE_KEY]
    assert isinstance(context, RequestContext) and context.services is services
    assert context.session.is_new and context.session.data == {}
    assert answer.names[-1] == "set-cookie" and answer.headers[:-1] == inner.headers
    cookie = cookie_of(answer)
    assert sid_of(cookie) == context.session.sid
    assert cookie.startswith("connect.sid=s%3A") and cookie.endswith("; HttpOnly")
    assert "; Path=/; Expires=" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=", 1)[1].split(";", 1)[0])
    assert expires.timestamp() == services.clock.time() + SESSION_TTL  # a rolling 10 hours


def test_a_changed_session_is_saved_and_read_back_by_its_cookie(services: Services) -> None:
    def log_in(scope: dict) -> None:
        scope[SCOPE_KEY].session.data["customer_id"] = "cus_1"

    first = call(SessionMiddleware(Endpoint(before=log_in), services))
    sid = sid_of(cookie_of(first))
    assert services.sessions.load(sid) == {"customer_id": "cus_1"}

    inner = Endpoint()
    again = call(SessionMiddleware(inner, services),
                 headers={"Cookie": f"connect.sid={sign(sid, SECRET)}"})
    session = inner.scope[SCOPE_KEY].session
    assert (session.sid, session.is_new, session.data) == (sid, False, {"customer_id": "cus_1"})
    assert again.header("set-cookie") is None  # unchanged: nothing to send


def test_a_cookie_signed_with_another_secret_starts_a_new_session(services: Services) -> None:
    inner = Endpoint()
    call(SessionMiddleware(inner, services),
         headers={"Cookie": f"connect.sid={sign('stolen', 'other-secret')}"})
    session = inner.scope[SCOPE_KEY].session
    assert session.is_new and session.sid != "stolen"


def test_a_destroyed_session_is_removed_and_no_cookie_is_sent(services: Services) -> None:
    def log_in(scope: dict) -> None:
        scope[SCOPE_KEY].session.data["customer_id"] = "cus_2"

    sid = sid_of(cookie_of(call(SessionMiddleware(Endpoint(before=log_in), services))))

    def log_out(scope: dict) -> None:
        scope[SCOPE_KEY].session.destroy()

    answer = call(SessionMiddleware(Endpoint(before=log_out), services),
                  headers={"Cookie": f"connect.sid={sign(sid, SECRET)}"})
    assert answer.header("set-cookie") is None
    assert services.sessions.load(sid) == {}


def test_other_scopes_pass_through(services: Services) -> None:
    assert lifespan_passes_through(lambda app: SessionMiddleware(app, services))


@given(st.text(max_size=40) | st.from_regex(r"s:[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9+/=]{0,43}",
                                             fullmatch=True))
def test_cookie_values_are_url_encoded_as_quote_does(value: str) -> None:
    assert encode_component(value) == quote(value, safe="")


@given(st.floats(min_value=0, max_value=4e9))
def test_cookie_expiry_dates_are_formatdates(epoch: float) -> None:
    cookie = set_cookie_header("sid", SECRET, epoch).decode()
    assert f"Expires={formatdate(epoch, usegmt=True)};" in cookie
