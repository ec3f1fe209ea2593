"""Security: forged credentials, other customers' data, replayed tokens, secrets kept inside.

What Medusa 1.20.11 does is the reference (compiled code in ``@medusajs/medusa/dist``):

* bearer tokens: passport-jwt's ``store-bearer`` strategy (``loaders/passport.js``) verifies with
  jsonwebtoken and the JWT secret (HMAC algorithms only, ``exp``/``nbf`` checked), then requires
  ``domain === "store"`` and a truthy ``customer_id``; a failure on a route that needs a customer
  is passport's plain 401 ``Unauthorized``;
* ``connect.sid``: express-session with cookie-signature (``s:<sid>.<HMAC-SHA256>``); a cookie it
  cannot unsign is ignored (a new, anonymous session);
* addresses (``services/customer.js``): ``updateAddress`` finds the row by id *and* customer
  (400 ``Could not find address for customer``), ``removeAddress`` silently does nothing for a
  row of another customer and answers the caller's own customer;
* claim tokens (``orders/confirm-order-request.js``): ``jwt.verify(token, secret, {maxAge:
  "15m"})`` errors escape as 500 ``unknown_error`` (quirk ``claim-confirm-bad-token-500``, seen on
  the real server: ``/work/shared/reference/medusa-1.20.11-claim-confirm-observed.md``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import quote, unquote

import pytest

from mock_server._http._session import sign

from .conftest import JANE, SECRET, Mock, make_mock

UNAUTHORIZED = (401, "Unauthorized", None)
ME = "/store/customers/me"
CLAIM = "/store/orders/batch/customer/token"
CONFIRM = "/store/orders/customer/confirm"
BOB = {"email": "bob@example.com", "password": "bobs-secret-pw"}


@pytest.fixture(scope="module")
def shared() -> Mock:
    return make_mock()


@pytest.fixture
def mock(shared: Mock) -> Mock:
    """One app for the module, back to the seed (data, sessions, events, clock) for each test."""
    shared.services.reset()
    shared.client.cookies.clear()
    return shared


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(payload: dict[str, Any], *, secret: str = SECRET, alg: str = "HS256",
        header: dict[str, Any] | None = None, signature: str | None = None) -> str:
    """A JWT built by hand, so that it can be anything a forger could send."""
    head = _b64(json.dumps(header or {"alg": alg, "typ": "JWT"}).encode())
    body = _b64(json.dumps(payload).encode())
    if signature is None:
        digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384,
                  "HS512": hashlib.sha512}.get(alg, hashlib.sha256)
        signature = _b64(hmac.new(secret.encode(), f"{head}.{body}".encode(), digest).digest())
    return f"{head}.{body}.{signature}"


def _answer(r: Any) -> tuple[int, str, str | None]:
    return r.status_code, r.text, r.headers.get("content-type")


def _register(mock: Mock, account: dict[str, str]) -> dict[str, str]:
    r = mock.client.post("/store/customers", json=account)
    assert r.status_code == 200, r.text
    mock.client.cookies.clear()  # registering logs the client in; act by bearer only
    return mock.bearer(account["email"], account["password"])


# -- forged bearer tokens --------------------------------------------------------------------------
def _bearer_cases(mock: Mock) -> dict[str, str]:
    jane = mock.customer(JANE["email"])["id"]
    now = int(mock.services.clock.time())
    good = {"customer_id": jane, "domain": "store", "iat": now, "exp": now + 3600}
    valid = jwt(good)
    head, body, sig = valid.split(".")
    other = _register(mock, BOB)["Authorization"].split()[1]
    o_head, o_body, o_sig = other.split(".")
    return {
        "alg none, no signature": jwt(good, alg="none", signature=""),
        "alg None (capitalized)": jwt(good, header={"alg": "None", "typ": "JWT"}, signature=""),
        "alg none, real signature kept": jwt(good, header={"alg": "none"}, signature=sig),
        "alg RS256 with an HMAC signature": jwt(good, header={"alg": "RS256", "typ": "JWT"}),
        "no alg in the header": jwt(good, header={"typ": "JWT"}),
        "wrong key": jwt(good, secret="not-the-secret"),
        "empty key": jwt(good, secret=""),
        "signature of another token": f"{head}.{body}.{o_sig}",
        "payload swapped into a valid token": f"{o_head}.{body}.{o_sig}",
        "signature stripped": f"{head}.{body}.",
        "signature flipped": f"{head}.{body}.{sig[:-2]}{'A' if sig[-2] != 'A' else 'B'}{sig[-1]}",
        "expired": jwt({**good, "iat": now - 7200, "exp": now - 3600}),
        "expires this second": jwt({**good, "exp": now}),
        "exp not a number": jwt({**good, "exp": str(now + 3600)}),
        "not yet valid (nbf)": jwt({**good, "nbf": now + 3600}),
        "domain admin": jwt({**good, "domain": "admin"}),
        "domain admin with user_id": jwt({"user_id": "usr_1", "domain": "admin", "iat": now}),
        "domain missing": jwt({k: v for k, v in good.items() if k != "domain"}),
        "domain Store (case)": jwt({**good, "domain": "Store"}),
        "domain as a list": jwt({**good, "domain": ["store"]}),
        "customer_id missing": jwt({k: v for k, v in good.items() if k != "customer_id"}),
        "customer_id empty": jwt({**good, "customer_id": ""}),
        "payload not an object": jwt([jane, "store"]),  # type: ignore[arg-type]
        "two segments": f"{head}.{body}",
        "garbage": "garbage",
        "unicode": "\u202e" + valid,
    }


def test_forged_bearer_tokens_are_refused_like_passport(mock: Mock) -> None:
    cases = _bearer_cases(mock)
    assert len(cases) == 26
    for name, token in cases.items():
        for method, path in (("GET", ME), ("GET", "/store/auth"), ("POST", CLAIM)):
            r = mock.client.request(method, path,
                                    headers={"Authorization": f"Bearer {token}".encode()},
                                    json={"order_ids": []} if method == "POST" else None)
            assert _answer(r) == UNAUTHORIZED, (name, path, r.status_code, r.text[:200])


def test_bearer_sent_elsewhere_or_oddly_is_not_a_login(mock: Mock) -> None:
    token = mock.bearer()["Authorization"].split()[1]
    # passport-jwt reads only "Authorization: Bearer <token>" (the scheme in any case).
    assert mock.client.get(ME, headers={"Authorization": f"bearer {token}"}).status_code == 200
    for headers, url in (
        ({"Authorization": f"Token {token}"}, ME),
        ({"Authorization": f"Basic {token}"}, ME),
        ({"Authorization": token}, ME),
        ({"X-Medusa-Access-Token": token}, ME),
        ({}, f"{ME}?access_token={token}"),
        ({"Cookie": f"access_token={token}"}, ME),
    ):
        assert _answer(mock.client.get(url, headers=headers)) == UNAUTHORIZED, headers


def test_a_signed_token_of_an_unknown_customer_is_a_404_not_a_login(mock: Mock) -> None:
    # Only a holder of the secret can sign it; Medusa lets it through passport and the route
    # answers 404 (observed on the real server for the claim route).
    token = mock.mint({"customer_id": "cus_doesnotexist", "domain": "store"})
    r = mock.client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.json()) == (404, {
        "type": "not_found", "message": "Customer with id: cus_doesnotexist was not found"})


def test_other_hmac_algorithms_with_the_right_secret_are_accepted_like_jsonwebtoken(
        mock: Mock) -> None:
    jane = mock.customer(JANE["email"])["id"]
    now = int(mock.services.clock.time())
    for alg in ("HS384", "HS512"):
        token = jwt({"customer_id": jane, "domain": "store", "iat": now}, alg=alg)
        r = mock.client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, alg


def test_bearer_expiry_follows_the_control_plane_clock(mock: Mock) -> None:
    jane = mock.customer(JANE["email"])["id"]
    token = mock.mint({"customer_id": jane, "domain": "store"}, expires_in=60)
    headers = {"Authorization": f"Bearer {token}"}
    assert mock.client.get(ME, headers=headers).status_code == 200
    # The mock's clock is real time plus the offset: leave a margin for a slow machine.
    assert mock.client.post("/_mock/clock", json={"advance_seconds": 50}).status_code == 200
    assert mock.client.get(ME, headers=headers).status_code == 200
    mock.client.post("/_mock/clock", json={"advance_seconds": 11})
    assert _answer(mock.client.get(ME, headers=headers)) == UNAUTHORIZED


# -- tampered session cookies ----------------------------------------------------------------------
def _session_cookie(mock: Mock) -> str:
    """The raw (decoded) ``connect.sid`` value of a fresh session login as Jane."""
    r = mock.client.post("/store/auth", json=JANE)
    assert r.status_code == 200
    value = mock.client.cookies.get("connect.sid")
    mock.client.cookies.clear()
    return unquote(value)


def _with_cookie(mock: Mock, raw: str, path: str = ME) -> Any:
    return mock.client.get(path, headers={"Cookie": f"connect.sid={quote(raw, safe='')}"})


def test_tampered_session_cookies_are_anonymous(mock: Mock) -> None:
    cookie = _session_cookie(mock)
    assert _with_cookie(mock, cookie).status_code == 200  # the untouched cookie works
    sid, _, signature = cookie[2:].rpartition(".")
    raw_sig = bytearray(base64.b64decode(signature + "=" * (-len(signature) % 4)))
    other_sid = mock.services.sessions.new_id()
    cases = {"flipped signature byte": None, "signed with another secret":
             sign(sid, "another-secret"), "no s: prefix (unsigned)": cookie[2:],
             "bare session id": sid, "no signature": f"s:{sid}",
             "empty signature": f"s:{sid}.", "signature of another sid":
             f"s:{sid}.{sign(other_sid, SECRET).rpartition('.')[2]}",
             "sid changed, signature kept": f"s:{sid[:-1]}{'A' if sid[-1] != 'A' else 'B'}"
                                            f".{signature}",
             "signature truncated": f"s:{sid}.{signature[:-1]}",
             "signature doubled": f"s:{sid}.{signature}{signature}",
             "padding added": f"s:{sid}.{signature}=",
             "empty": "", "s: only": "s:", "unicode": f"s:{sid}\u202e.{signature}"}
    for index in (0, len(raw_sig) // 2, len(raw_sig) - 1):
        flipped = bytearray(raw_sig)
        flipped[index] ^= 0x01
        cases[f"flipped signature byte {index}"] = \
            f"s:{sid}.{base64.b64encode(bytes(flipped)).decode().rstrip('=')}"
    del cases["flipped signature byte"]
    for name, raw in cases.items():
        r = _with_cookie(mock, raw)
        assert _answer(r) == UNAUTHORIZED, (name, r.status_code)
        # A cookie that is not ours starts a new anonymous session, never reuses the sid.
        assert sid not in unquote(r.headers.get("set-cookie", "")), name


def test_first_session_cookie_wins_like_express(mock: Mock) -> None:
    cookie = quote(_session_cookie(mock), safe="")
    forged = quote(sign("forged", "another-secret"), safe="")
    both = mock.client.get(ME, headers={"Cookie": f"connect.sid={forged}; connect.sid={cookie}"})
    assert _answer(both) == UNAUTHORIZED
    good_first = mock.client.get(ME, headers={"Cookie": f"connect.sid={cookie}; "
                                                        f"connect.sid={forged}"})
    assert good_first.status_code == 200


def test_a_session_ends_with_logout_and_cannot_be_replayed(mock: Mock) -> None:
    cookie = _session_cookie(mock)
    assert _with_cookie(mock, cookie).status_code == 200
    r = mock.client.delete("/store/auth", headers={"Cookie": f"connect.sid={quote(cookie)}"})
    assert (r.status_code, r.text) == (200, "OK")
    assert _answer(_with_cookie(mock, cookie)) == UNAUTHORIZED
    assert mock.services.store.sessions.get(cookie[2:].rpartition(".")[0]) is None


def test_a_client_chosen_session_id_is_never_adopted(mock: Mock) -> None:
    # An unsigned cookie (session fixation attempt) is ignored: the login gets a new sid.
    r = mock.client.post("/store/auth", json=JANE,
                         headers={"Cookie": "connect.sid=attacker-chosen-sid"})
    assert r.status_code == 200
    assert "attacker-chosen-sid" not in unquote(r.headers["set-cookie"])
    assert mock.services.store.sessions.get("attacker-chosen-sid") is None
    forged = quote(sign("attacker-chosen-sid", "guessed-secret"), safe="")
    mock.client.cookies.clear()
    r = mock.client.post("/store/auth", json=JANE, headers={"Cookie": f"connect.sid={forged}"})
    assert "attacker-chosen-sid" not in unquote(r.headers["set-cookie"])


# -- other customers' data -------------------------------------------------------------------------
@pytest.fixture
def two(mock: Mock) -> tuple[Mock, dict[str, str], dict[str, str]]:
    """Jane (seeded) and Bob (registered, with an address and a claimed order)."""
    jane = mock.bearer()
    bob = _register(mock, BOB)
    r = mock.client.post(f"{ME}/addresses", headers=bob, json={"address": {
        "first_name": "Bob", "last_name": "B", "address_1": "Secret Lane 1", "city": "Oslo",
        "country_code": "NO", "postal_code": "0150"}})
    assert r.status_code == 200
    order = mock.order(2)  # guest.two's order, claimed by Bob
    assert mock.client.post(CLAIM, headers=bob, json={"order_ids": [order["id"]]}).text == "OK"
    token = mock.events()[-1]["data"]["token"]
    assert mock.client.post(CONFIRM, json={"token": token}).text == "OK"
    return mock, jane, bob


def _bob_address(mock: Mock) -> dict:
    bob = mock.customer(BOB["email"])
    return next(a for a in mock.services.store.addresses.values() if a["customer_id"] == bob["id"])


def test_a_customer_cannot_change_another_customers_address(two: Any) -> None:
    mock, jane, _ = two
    address = _bob_address(mock)
    before = mock.services.store.snapshot()
    r = mock.client.post(f"{ME}/addresses/{address['id']}", headers=jane,
                         json={"city": "Hacked", "address_1": "Evil Road"})
    assert (r.status_code, r.json()) == (400, {"type": "invalid_data",
                                                "message": "Could not find address for customer"})
    assert mock.services.store.snapshot() == before


def test_a_customer_cannot_delete_another_customers_address(two: Any) -> None:
    mock, jane, bob = two
    address = _bob_address(mock)
    before = mock.services.store.snapshot()
    r = mock.client.delete(f"{ME}/addresses/{address['id']}", headers=jane)
    # Medusa's removeAddress finds no row of Jane's and returns: 200 with Jane's own customer.
    assert r.status_code == 200
    assert r.json()["customer"]["email"] == JANE["email"]
    assert address["id"] not in r.text and "Secret Lane" not in r.text
    assert mock.services.store.snapshot() == before
    mine = mock.client.get(ME, headers=bob).json()["customer"]["shipping_addresses"]
    assert [a["id"] for a in mine] == [address["id"]]


def test_a_customer_cannot_link_or_overwrite_another_customers_address(two: Any) -> None:
    """Medusa links any address id as billing address (and a later billing update then writes into
    that row); the mock refuses ids that are not the customer's (quirk
    ``billing-address-foreign-id``), answering like an unknown id."""
    mock, jane, bob = two
    foreign = _bob_address(mock)
    bob_billing = mock.client.post(ME, headers=bob, json={"billing_address": {
        "first_name": "Bob", "address_1": "Billing Street 9", "city": "Oslo",
        "country_code": "no", "postal_code": "0150"}}).json()["customer"]["billing_address"]
    guest_order_address = mock.order(1)["shipping_address_id"]
    before = mock.services.store.snapshot()
    for address_id in (foreign["id"], bob_billing["id"], guest_order_address):
        r = mock.client.post(ME, headers=jane, json={"billing_address": address_id})
        assert (r.status_code, r.json()) == (404, {
            "type": "not_found", "message": f"Address with id {address_id} was not found"})
    assert mock.services.store.snapshot() == before
    # Jane's own rows can still be linked: her address book and her own orders' addresses.
    jane_row = next(a for a in mock.services.store.addresses.values()
                    if a["customer_id"] == mock.customer(JANE["email"])["id"])
    for address_id in (jane_row["id"], mock.order(5)["shipping_address_id"]):
        r = mock.client.post(ME, headers=jane, json={"billing_address": address_id})
        assert r.status_code == 200 and r.json()["customer"]["billing_address_id"] == address_id


def test_a_customer_sees_only_its_own_orders(two: Any) -> None:
    mock, jane, bob = two
    bobs = mock.order(2)
    assert bobs["customer_id"] == mock.customer(BOB["email"])["id"]
    for query in ({}, {"id": bobs["id"]}, {"email": BOB["email"]},
                  {"display_id": str(bobs["display_id"])}, {"q": "bob"},
                  {"cart_id": bobs["cart_id"]}, {"limit": 100}):
        r = mock.client.get(f"{ME}/orders", headers=jane, params=query)
        assert r.status_code == 200, (query, r.text)
        ids = {o["id"] for o in r.json()["orders"]}
        assert bobs["id"] not in ids and "bob@example.com" not in r.text, query
        assert all(o["customer_id"] == mock.customer(JANE["email"])["id"]
                   for o in r.json()["orders"])
    assert {o["id"] for o in mock.client.get(f"{ME}/orders", headers=bob).json()["orders"]} == \
        {bobs["id"]}
    for path in (ME, "/store/auth"):
        body = mock.client.get(path, headers=jane).text
        assert bobs["id"] not in body and "Secret Lane" not in body and "bob@" not in body


def test_a_session_is_bound_to_its_customer(two: Any) -> None:
    mock, jane, bob = two
    mock.client.post("/store/auth", json=BOB)  # the client's session is Bob's
    # A bearer does not switch the session's customer (passport tries the session first).
    r = mock.client.get(ME, headers=jane)
    assert r.json()["customer"]["email"] == BOB["email"]
    mock.client.delete("/store/auth")
    assert mock.client.get(ME, headers=jane).json()["customer"]["email"] == JANE["email"]


# -- claim tokens ----------------------------------------------------------------------------------
def _claim_token(mock: Mock, headers: dict[str, str], display_id: int) -> str:
    order = mock.order(display_id)
    r = mock.client.post(CLAIM, headers=headers, json={"order_ids": [order["id"]]})
    assert (r.status_code, r.text) == (200, "OK")
    return mock.events()[-1]["data"]["token"]


def _confirm(mock: Mock, token: str) -> Any:
    return mock.client.post(CONFIRM, json={"token": token})


def _refused_like_medusa(r: Any) -> None:
    # jsonwebtoken's error escapes Medusa's handler: 500 unknown_error (a documented quirk).
    assert r.status_code == 500, r.text
    assert r.json() == {"code": "unknown_error", "type": "unknown_error",
                        "message": "An unknown error occurred."}
    assert r.headers["x-medusa-mock-quirk"] == "claim-confirm-bad-token-500"


def test_claim_token_replayed_after_expiry_is_refused(mock: Mock) -> None:
    bob = _register(mock, BOB)
    token = _claim_token(mock, bob, 1)
    order = mock.order(1)
    guest = order["customer_id"]
    # The clock is real time plus the offset: stay 10 s clear of the boundary on a slow machine.
    assert mock.client.post("/_mock/clock", json={"advance_seconds": 890}).status_code == 200
    assert _confirm(mock, token).text == "OK"  # still inside the 15 minutes
    assert _confirm(mock, token).text == "OK"  # and replayable until then (as Medusa)
    assert mock.order(1)["customer_id"] == mock.customer(BOB["email"])["id"]
    # Put the order back, then replay the token once its 15 minutes are over.
    stored = mock.services.store.orders.get(order["id"])
    stored.update(customer_id=guest, email="guest.one@example.com")
    mock.services.store.orders.put(stored)  # filed again under its customer and e-mail
    before = mock.services.store.snapshot()
    mock.client.post("/_mock/clock", json={"advance_seconds": 11})
    _refused_like_medusa(_confirm(mock, token))
    mock.client.post("/_mock/clock", json={"advance_seconds": 86400})
    _refused_like_medusa(_confirm(mock, token))
    after = mock.services.store.snapshot()
    # a day later every session has expired and been swept; nothing else may change
    for state in (before, after):
        del state["tables"]["sessions"]
    assert after == before


def test_forged_claim_tokens_are_refused(mock: Mock) -> None:
    bob = _register(mock, BOB)
    bob_id = mock.customer(BOB["email"])["id"]
    token = _claim_token(mock, bob, 1)
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    now = int(mock.services.clock.time())
    stolen = {**claims, "claimingCustomerId": mock.customer(JANE["email"])["id"]}
    before = mock.services.store.snapshot()
    forged = {
        "payload swapped, signature kept": f"{head}.{_b64(json.dumps(stolen).encode())}.{sig}",
        "alg none": jwt(stolen, alg="none", signature=""),
        "wrong key": jwt(stolen, secret="nope"),
        "older than 15 minutes, no exp": mock.mint(
            {"claimingCustomerId": bob_id, "orders": claims["orders"]}, expires_in=None,
            iat_offset=-901),
        "no iat (maxAge needs it)": jwt({k: v for k, v in stolen.items() if k != "iat"}),
        "expired exp": jwt({**stolen, "iat": now - 10, "exp": now - 1}),
    }
    for name, forgery in forged.items():
        r = _confirm(mock, forgery)
        assert r.status_code == 500, name
        _refused_like_medusa(r)
    assert mock.services.store.snapshot() == before
    assert mock.order(1)["email"] == "guest.one@example.com"


def test_password_reset_tokens_are_single_use_and_expire(mock: Mock) -> None:
    def reset_token() -> str:
        assert mock.client.post("/store/customers/password-token",
                                json={"email": JANE["email"]}).status_code == 204
        return mock.events("customer.password_reset")[-1]["data"]["token"]

    def reset(token: str, password: str) -> Any:
        return mock.client.post("/store/customers/password-reset", json={
            "email": JANE["email"], "token": token, "password": password})

    first = reset_token()
    assert reset(first, "first-new-pw").status_code == 200
    # The token was signed with the old hash: once used, it no longer verifies (Medusa: 500).
    replay = reset(first, "second-new-pw")
    assert (replay.status_code, replay.headers["x-medusa-mock-quirk"]) == (
        500, "password-reset-bad-token-500")
    late = reset_token()
    mock.client.post("/_mock/clock", json={"advance_seconds": 15 * 60})
    assert reset(late, "third-new-pw").status_code == 500
    assert mock.client.post("/store/auth/token", json={
        "email": JANE["email"], "password": "first-new-pw"}).status_code == 200


# -- secrets never leave the server ----------------------------------------------------------------
def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_password_hashes_never_leave_the_server(mock: Mock) -> None:
    client = mock.client
    answers: list[Any] = []

    def record(r: Any) -> Any:
        answers.append(r)
        return r

    record(client.post("/store/customers", json={**BOB, "first_name": "Bob"}))
    client.cookies.clear()
    token = record(client.post("/store/auth/token", json=BOB)).json()["access_token"]
    bob = {"Authorization": f"Bearer {token}"}
    record(client.post("/store/auth", json=JANE))
    record(client.get("/store/auth"))
    record(client.get(ME))
    record(client.post(ME, json={"password": "jane-new-pw", "first_name": "Janet"}))
    record(client.post(ME, json={"password": "supersecret"}))
    record(client.get(f"{ME}/orders"))
    record(client.post(f"{ME}/addresses", json={"address": {
        "first_name": "J", "last_name": "D", "address_1": "Way 2", "city": "Kiel",
        "country_code": "DE", "postal_code": "24103"}}))
    client.cookies.clear()
    record(client.get(ME, headers=bob))
    record(client.get("/store/auth", headers=bob))
    record(client.get("/store/auth/jane@example.com"))
    record(client.post(CLAIM, headers=bob, json={"order_ids": [mock.order(1)["id"]]}))
    record(client.post(CONFIRM, json={"token": mock.events()[-1]["data"]["token"]}))
    record(client.get(f"{ME}/orders", headers=bob))
    record(client.get("/store/orders", params={"display_id": 1, "email": BOB["email"]}))
    record(client.get(f"/store/orders/{mock.order(1)['id']}"))
    record(client.post("/store/customers/password-token", json={"email": BOB["email"]}))
    token = mock.events("customer.password_reset")[-1]["data"]["token"]
    record(client.post("/store/customers/password-reset",
                       json={"email": BOB["email"], "token": token, "password": "bob-new-pw"}))
    record(client.post("/store/customers", json=BOB))  # 422 duplicate
    cart = record(client.post("/store/carts", headers=bob, json={"region_id": "reg_eu"}))
    if cart.status_code == 200:
        cart_id = cart.json()["cart"]["id"]
        record(client.get(f"/store/carts/{cart_id}", headers=bob))
        record(client.post(f"/store/carts/{cart_id}", headers=bob,
                           json={"email": BOB["email"]}))
    record(client.get("/_mock/events"))

    hashes = [c["password_hash"] for c in mock.services.store.customers.values()
              if c["password_hash"]]
    assert len(hashes) >= 2
    secrets = [*hashes, *(h.split("$")[-1] for h in hashes), *(h.split("$")[-2] for h in hashes),
               "scrypt$", "supersecret", "bobs-secret-pw", "jane-new-pw", "bob-new-pw"]
    assert all(r.status_code < 500 for r in answers), [r.text for r in answers]
    for r in answers:
        text = r.text
        leaked = [s for s in secrets if s in text]
        assert not leaked, (r.request.method, r.request.url, leaked)
        if r.headers.get("content-type", "").startswith("application/json"):
            keys = _keys(r.json())
            assert not keys & {"password", "password_hash", "passwordHash", "hash", "salt"}, (
                r.request.url, keys)
    assert len(answers) >= 20


def test_a_foreign_origin_gets_no_credentialed_cors(mock: Mock) -> None:
    headers = {**mock.bearer(), "Origin": "https://evil.example"}
    r = mock.client.get(ME, headers=headers)
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    preflight = mock.client.options(ME, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    allowed = mock.client.get(ME, headers={**headers, "Origin": "http://localhost:8000"})
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:8000"


def test_without_the_control_plane_no_token_is_readable() -> None:
    mock = make_mock(control=False)
    for method, path in (("GET", "/_mock/events"), ("POST", "/_mock/reset"),
                         ("POST", "/_mock/clock"), ("GET", "/_mock/clock")):
        r = mock.client.request(method, path, json={"advance_seconds": 1000}
                                if method == "POST" else None)
        assert (r.status_code, r.json()) == (404, {
            "type": "not_found", "message": f"Cannot {method} {path}"})
