"""The control plane refuses every other web page: origins, content types, the control token.

The state-changing routes are read from the control document, so a route added later is
covered without editing this file."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server._spec import control_spec_path, routes

from .conftest import Mock, make_mock

EVIL = "http://evil.example"
STOREFRONT = "http://localhost:8000"
CHANGING = [(method, template) for method, template, _ in routes(control_spec_path())
            if method not in ("GET", "HEAD", "OPTIONS")]
EVERY = [(method, template) for method, template, _ in routes(control_spec_path())]


def test_the_document_has_state_changing_routes() -> None:
    assert ("POST", "/_mock/reset") in CHANGING and ("DELETE", "/_mock/faults/{id}") in CHANGING
    assert len(CHANGING) >= 6


def _busy_mock() -> tuple[Mock, str]:
    """A mock with something in every piece of state a control route could change."""
    mock = make_mock()
    client = mock.client
    client.post("/store/customers/password-token", json={"email": "jane@example.com"})
    client.post("/store/carts", json={})
    rule = client.post("/_mock/faults", json={"operation": "GetRegionsRegion", "status": 500})
    client.post("/_mock/clock", json={"advance_seconds": 60})
    return mock, rule.json()["fault"]["id"]


def _state(mock: Mock) -> Any:
    services = mock.services
    return (services.store.snapshot(), services.outbox.list(), services.clock.offset,
            [(r.id, r.hits) for r in services.faults.list()], services.journal.entries())


def _path(template: str, fault_id: str) -> str:
    return template.replace("{id}", fault_id).replace("{file}", "console.js")


@pytest.mark.parametrize(("method", "template"), CHANGING)
def test_a_simple_cross_origin_post_changes_nothing(method: str, template: str) -> None:
    """What any web page can send without a preflight: a text/plain POST (and the route's own
    method with a text/plain body), from another origin: 403, and the state is as it was."""
    mock, fault_id = _busy_mock()
    before = _state(mock)
    for verb in dict.fromkeys(("POST", method)):
        answer = mock.client.request(verb, _path(template, fault_id), content=b'{"x":1}',
                                     headers={"Origin": EVIL, "Content-Type": "text/plain"})
        assert answer.status_code == 403, (verb, template, answer.text)
        assert answer.json()["type"] == "not_allowed" and EVIL in answer.json()["message"]
    assert _state(mock) == before


@pytest.mark.parametrize(("method", "template"), CHANGING)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_non_json_bodies_are_refused(method: str, template: str, content_type: str | None
                                     ) -> None:
    mock, fault_id = _busy_mock()
    before = _state(mock)
    headers = {"Content-Type": content_type} if content_type else {}
    answer = mock.client.request(method, _path(template, fault_id), content=b"a=1",
                                 headers=headers)
    assert answer.status_code == 415, answer.text
    assert answer.json() == {"type": "invalid_data", "message": "the control plane takes JSON "
                             "bodies only (Content-Type: application/json)"}
    assert _state(mock) == before


@pytest.mark.parametrize("origin", [None, STOREFRONT, "http://localhost:9000",
                                    "http://127.0.0.1:9000", "http://[::1]:9000"])
def test_json_from_the_mocks_own_or_a_storefront_origin_is_taken(origin: str | None) -> None:
    mock = make_mock()
    headers = {"Origin": origin} if origin else {}
    answer = mock.client.post("/_mock/clock", json={"advance_seconds": 5}, headers=headers)
    assert answer.status_code == 200
    assert mock.client.post("/_mock/reset", headers=headers).status_code == 200  # no body


@pytest.mark.parametrize("origin", [EVIL, "null", "http://localhost:9001", "https://localhost:9000"])
def test_other_origins_are_refused(origin: str) -> None:
    mock = make_mock()
    answer = mock.client.post("/_mock/clock", json={"advance_seconds": 5},
                              headers={"Origin": origin})
    assert answer.status_code == 403
    assert mock.services.clock.offset == 0


def test_the_public_url_is_an_own_origin() -> None:
    mock = make_mock(public_url="https://mock.example.test", store_cors=())
    own = mock.client.post("/_mock/reset", headers={"Origin": "https://mock.example.test"})
    assert own.status_code == 200
    assert mock.client.post("/_mock/reset", headers={"Origin": STOREFRONT}).status_code == 403


def test_reads_are_not_origin_checked(mock: Mock) -> None:
    # a browser lets no other page read them (no CORS headers under /_mock)
    answer = mock.client.get("/_mock/events", headers={"Origin": EVIL})
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers


# -- the control token -------------------------------------------------------------------------
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def guarded() -> Mock:
    return make_mock(control_token=TOKEN)


@pytest.mark.parametrize(("method", "template"), EVERY)
def test_every_control_route_needs_the_token(guarded: Mock, method: str, template: str) -> None:
    path = _path(template, "fault_1")
    for headers in ({}, {"X-Medusa-Mock-Control-Token": "wrong"},
                    {"Authorization": f"Bearer {TOKEN}x"}, {"Cookie": "medusa_mock_control=no"}):
        answer = guarded.client.request(method, path, headers=headers)
        assert answer.status_code == 401, (method, path, headers)
        assert answer.json()["type"] == "unauthorized"


@pytest.mark.parametrize("headers", [
    {"X-Medusa-Mock-Control-Token": TOKEN}, {"Authorization": f"Bearer {TOKEN}"},
    {"Cookie": f"connect.sid=x; medusa_mock_control={TOKEN}"}])
def test_the_token_opens_the_control_plane(guarded: Mock, headers: dict) -> None:
    assert guarded.client.get("/_mock/clock", headers=headers).status_code == 200
    assert guarded.client.post("/_mock/clock", json={"advance_seconds": 1},
                               headers=headers).status_code == 200


def test_the_token_does_not_lift_the_origin_check(guarded: Mock) -> None:
    answer = guarded.client.post("/_mock/reset", headers={
        "X-Medusa-Mock-Control-Token": TOKEN, "Origin": EVIL, "Content-Type": "text/plain"})
    assert answer.status_code == 403


def test_the_console_logs_in_with_a_cookie_only_its_own_pages_send(guarded: Mock) -> None:
    answer = guarded.client.get(f"/_mock/?token={TOKEN}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/_mock/"
    cookie = answer.headers["set-cookie"]
    assert cookie == f"medusa_mock_control={TOKEN}; Path=/_mock; HttpOnly; SameSite=Strict"
    opened = guarded.client.get("/_mock/")  # the client keeps the cookie
    assert opened.status_code == 200 and "text/html" in opened.headers["content-type"]
    fresh = guarded.app.test_client()
    wrong = fresh.get("/_mock/?token=nope", follow_redirects=False)
    assert wrong.status_code == 401
    elsewhere = fresh.get(f"/_mock/events?token={TOKEN}", follow_redirects=False)
    assert elsewhere.status_code == 401  # the query string opens the console's page only


def test_the_store_and_the_images_need_no_token(guarded: Mock) -> None:
    assert guarded.client.get("/store/regions").status_code == 200
    assert guarded.client.get("/uploads/backpack.png").status_code == 200
