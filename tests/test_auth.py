"""Auth like Medusa: session cookie, bearer JWT, logout, exists, and the 401 shapes."""

from __future__ import annotations

from mock_server._http._session import sign, unsign

from .conftest import JANE, Mock, make_mock


def test_session_login_sets_signed_cookie_and_authenticates(mock: Mock) -> None:
    r = mock.client.post("/store/auth", json=JANE)
    assert r.status_code == 200
    body = r.json()["customer"]
    assert body["email"] == JANE["email"] and body["has_account"] is True
    assert "password_hash" not in r.text and "password" not in body
    assert {o["display_id"] for o in body["orders"]} == {5}
    assert all("items" in o for o in body["orders"])
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("connect.sid=s%3A") and "HttpOnly" in cookie and "Path=/" in cookie
    # The same client now carries the cookie.
    me = mock.client.get("/store/customers/me")
    assert me.status_code == 200 and me.json()["customer"]["email"] == JANE["email"]
    assert mock.client.get("/store/auth").status_code == 200


def test_cookie_signature_matches_express_session() -> None:
    # Expected value computed with the npm package cookie-signature that express-session uses.
    value = sign("abc", "keyboard cat")
    assert value == "s:abc.BpxCrWRpvZMh/wk/djl34N+m+VQEU7K/5WenLwJCgFU"
    assert unsign(value, "keyboard cat") == "abc"
    assert unsign(value, "other") is None
    assert unsign("abc", "keyboard cat") is None


def test_tampered_cookie_is_not_a_session(mock: Mock) -> None:
    mock.client.post("/store/auth", json=JANE)
    sid_cookie = mock.client.cookies.get("connect.sid")
    mock.client.cookies.clear()
    tampered = sid_cookie[:-3] + ("AAA" if not sid_cookie.endswith("AAA") else "BBB")
    r = mock.client.get("/store/customers/me", headers={"Cookie": f"connect.sid={tampered}"})
    assert (r.status_code, r.text, r.headers.get("content-type")) == (401, "Unauthorized", None)


def test_wrong_password_is_plain_401(mock: Mock) -> None:
    for path in ("/store/auth", "/store/auth/token"):
        r = mock.client.post(path, json={"email": JANE["email"], "password": "nope"})
        assert (r.status_code, r.text) == (401, "Unauthorized")
        assert r.headers["content-type"] == "text/plain; charset=utf-8"


def test_login_validation_messages(mock: Mock) -> None:
    r = mock.client.post("/store/auth", json={})
    assert r.status_code == 400
    assert r.json() == {"type": "invalid_data",
                        "message": "email must be an email, password should not be empty"}


def test_bearer_token_carries_what_medusa_puts_in_it(mock: Mock) -> None:
    r = mock.client.post("/store/auth/token", json=JANE)
    token = r.json()["access_token"]
    claims = mock.services.tokens.verify(token)
    assert claims["domain"] == "store"
    assert claims["customer_id"] == mock.customer(JANE["email"])["id"]
    assert claims["exp"] - claims["iat"] == 30 * 24 * 3600
    me = mock.client.get("/store/customers/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


def test_bearer_needs_store_domain_and_valid_signature(mock: Mock) -> None:
    jane = mock.customer(JANE["email"])["id"]
    cases = [
        mock.mint({"customer_id": jane, "domain": "admin"}),
        mock.mint({"customer_id": jane}),
        mock.mint({"customer_id": jane, "domain": "store"}, secret="wrong"),
        mock.mint({"customer_id": jane, "domain": "store"}, iat_offset=-100, expires_in=50),
    ]
    for token in cases:
        r = mock.client.get("/store/customers/me", headers={"Authorization": f"Bearer {token}"})
        assert (r.status_code, r.text) == (401, "Unauthorized"), token


def test_bearer_expires_with_the_mock_clock(mock: Mock) -> None:
    headers = mock.bearer()
    assert mock.client.get("/store/customers/me", headers=headers).status_code == 200
    mock.client.post("/_mock/clock", json={"advance_seconds": 30 * 24 * 3600})
    assert mock.client.get("/store/customers/me", headers=headers).status_code == 401


def test_logout_ends_the_session_and_needs_no_login(mock: Mock) -> None:
    mock.client.post("/store/auth", json=JANE)
    r = mock.client.delete("/store/auth")
    assert (r.status_code, r.text) == (200, "OK")
    assert mock.client.get("/store/customers/me").status_code == 401
    fresh = make_mock()
    assert fresh.client.delete("/store/auth").status_code == 200


def test_exists(mock: Mock) -> None:
    assert mock.client.get("/store/auth/jane@example.com").json() == {"exists": True}
    assert mock.client.get("/store/auth/JANE@example.com").json() == {"exists": True}
    assert mock.client.get("/store/auth/guest.one@example.com").json() == {"exists": False}
    assert mock.client.get("/store/auth/not-an-email").json() == {"exists": False}


def test_every_response_gets_a_session_cookie_once(mock: Mock) -> None:
    first = mock.client.get("/store/auth/x@example.com")
    assert "set-cookie" in first.headers
    second = mock.client.get("/store/auth/x@example.com")
    assert "set-cookie" not in second.headers  # the known session is kept, as express-session


def test_session_expires_after_ten_hours(mock: Mock) -> None:
    mock.client.post("/store/auth", json=JANE)
    mock.client.post("/_mock/clock", json={"advance_seconds": 10 * 3600 + 1})
    assert mock.client.get("/store/customers/me").status_code == 401


def test_http_compression_is_opt_in_like_medusa() -> None:
    plain = make_mock()
    r = plain.client.get("/store/customers/me/orders", headers={**plain.bearer(),
                                                                "Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers  # Medusa's default: http_compression off
    compressing = make_mock(http_compression=True)
    headers = {**compressing.bearer(), "Accept-Encoding": "gzip"}
    raw = compressing.client.get("/store/customers/me/orders", headers=headers)
    assert raw.headers["content-encoding"] == "gzip"
    assert int(raw.headers["content-length"]) < len(raw.content)  # smaller on the wire
    assert raw.json()["count"] == 1
    opted_out = compressing.client.get("/store/customers/me/orders",
                                       headers={**headers, "x-no-compression": "1"})
    assert "content-encoding" not in opted_out.headers
    small = compressing.client.get("/store/auth/jane@example.com", headers=headers)
    assert "content-encoding" not in small.headers  # under the 1 kB threshold
