"""Customers: registration, profile, address book, password reset."""

from __future__ import annotations

from .conftest import Mock


def test_register_logs_in_and_rejects_duplicates(mock: Mock) -> None:
    new = {"email": "New.Person@Example.com", "password": "pw", "first_name": "New"}
    r = mock.client.post("/store/customers", json=new)
    assert r.status_code == 200
    customer = r.json()["customer"]
    assert customer["email"] == "new.person@example.com"
    assert customer["has_account"] is True
    assert customer["shipping_addresses"] == [] and customer["billing_address"] is None
    assert mock.client.get("/store/customers/me").json()["customer"]["id"] == customer["id"]
    again = mock.client.post("/store/customers", json=new)
    assert again.status_code == 422
    assert again.json() == {
        "code": "invalid_request_error", "type": "duplicate_error",
        "message": "A customer with the given email already has an account. Log in instead"}


def test_guest_email_can_register(mock: Mock) -> None:
    r = mock.client.post("/store/customers",
                         json={"email": "guest.two@example.com", "password": "pw"})
    assert r.status_code == 200
    assert r.json()["customer"]["has_account"] is True
    assert mock.client.post("/store/auth/token", json={
        "email": "guest.two@example.com", "password": "pw"}).status_code == 200
    # The guest row stays (Medusa creates a second customer with the same email).
    same = [c for c in mock.services.store.customers.values()
            if c["email"] == "guest.two@example.com"]
    assert sorted(c["has_account"] for c in same) == [False, True]


def test_register_validation(mock: Mock) -> None:
    r = mock.client.post("/store/customers", json={"email": "nope", "password": 5, "x": 1})
    assert r.status_code == 400
    assert r.json()["message"] == ("property x should not exist, email must be an email, "
                                   "password must be a string")


def test_update_profile_metadata_password_and_billing(mock: Mock) -> None:
    h = mock.bearer()
    r = mock.client.post("/store/customers/me", headers=h, json={
        "first_name": "Janet", "metadata": {"a": "1", "b": "2"},
        "billing_address": {"first_name": "J", "address_1": "Road 1", "city": "Bonn",
                            "country_code": "DE", "postal_code": "53111"}})
    assert r.status_code == 200, r.text
    c = r.json()["customer"]
    assert c["first_name"] == "Janet" and c["metadata"] == {"a": "1", "b": "2"}
    assert c["billing_address"]["country_code"] == "de"
    assert c["billing_address_id"] == c["billing_address"]["id"]
    r = mock.client.post("/store/customers/me", headers=h, json={"metadata": {"a": ""}})
    assert r.json()["customer"]["metadata"] == {"b": "2"}
    r = mock.client.post("/store/customers/me", headers=h, json={"password": "newpw"})
    assert r.status_code == 200
    assert mock.client.post("/store/auth/token", json={
        "email": "jane@example.com", "password": "newpw"}).status_code == 200


def test_update_billing_by_unknown_id(mock: Mock) -> None:
    r = mock.client.post("/store/customers/me", headers=mock.bearer(),
                         json={"billing_address": "addr_nope"})
    assert r.status_code == 404
    assert r.json()["message"] == "Address with id addr_nope was not found"


def test_billing_address_of_wrong_type(mock: Mock) -> None:
    r = mock.client.post("/store/customers/me", headers=mock.bearer(),
                         json={"billing_address": 5})
    assert r.status_code == 400
    assert r.json()["message"] == "billing_address must be one of AddressPayload or String"


def test_address_book(mock: Mock) -> None:
    h = mock.bearer()
    address = {"first_name": "J", "last_name": "D", "address_1": "Way 2", "city": "Kiel",
               "country_code": "DE", "postal_code": "24103"}
    r = mock.client.post("/store/customers/me/addresses", headers=h, json={"address": address})
    assert r.status_code == 200
    book = r.json()["customer"]["shipping_addresses"]
    assert len(book) == 2
    added = next(a for a in book if a["city"] == "Kiel")
    assert added["country_code"] == "de"
    # Medusa compares each field with ===: a field left out (address_2, phone, province) never
    # equals the stored null, so the same partial address is added again (observed on real
    # Medusa 1.20.11: tests/data/observed_real_medusa.json) ...
    r = mock.client.post("/store/customers/me/addresses", headers=h, json={"address": address})
    assert len(r.json()["customer"]["shipping_addresses"]) == 3
    # ... and an address that names every compared field is not added twice
    whole = {**address, "address_2": "Hof", "phone": "+49 431", "province": "SH"}
    for _ in range(2):
        r = mock.client.post("/store/customers/me/addresses", headers=h, json={"address": whole})
    assert len(r.json()["customer"]["shipping_addresses"]) == 4
    for extra in r.json()["customer"]["shipping_addresses"][2:]:
        mock.client.delete(f"/store/customers/me/addresses/{extra['id']}", headers=h)
    r = mock.client.post(f"/store/customers/me/addresses/{added['id']}", headers=h,
                         json={"city": "Lübeck"})
    assert any(a["city"] == "Lübeck" for a in r.json()["customer"]["shipping_addresses"])
    r = mock.client.delete(f"/store/customers/me/addresses/{added['id']}", headers=h)
    assert len(r.json()["customer"]["shipping_addresses"]) == 1
    # Deleting again (or an unknown id) is not an error.
    assert mock.client.delete(f"/store/customers/me/addresses/{added['id']}",
                              headers=h).status_code == 200


def test_address_validation_and_foreign_address(mock: Mock) -> None:
    h = mock.bearer()
    r = mock.client.post("/store/customers/me/addresses", headers=h, json={"address": {}})
    assert r.status_code == 400
    assert r.json()["message"] == (
        "first_name must be a string, last_name must be a string, address_1 must be a string, "
        "city must be a string, country_code must be a string, postal_code must be a string")
    r = mock.client.post("/store/customers/me/addresses", headers=h, json={"address": "x"})
    assert r.json()["message"] == "nested property address must be either object or array"
    r = mock.client.post("/store/customers/me/addresses/addr_nope", headers=h, json={})
    assert (r.status_code, r.json()["message"]) == (400, "Could not find address for customer")


def test_password_reset_flow(mock: Mock) -> None:
    r = mock.client.post("/store/customers/password-token", json={"email": "jane@example.com"})
    assert r.status_code == 204 and r.content == b""
    events = mock.events("customer.password_reset")
    assert len(events) == 1
    data = events[0]["data"]
    assert data["email"] == "jane@example.com" and data["first_name"] == "Jane"
    token = data["token"]
    # Unknown emails get the same answer and no event.
    r = mock.client.post("/store/customers/password-token", json={"email": "who@example.com"})
    assert r.status_code == 204 and len(mock.events("customer.password_reset")) == 1
    r = mock.client.post("/store/customers/password-reset",
                         json={"email": "jane@example.com", "token": token, "password": "n3w"})
    assert r.status_code == 200
    assert set(r.json()["customer"]) >= {"id", "email", "has_account"}
    assert mock.client.post("/store/auth/token", json={
        "email": "jane@example.com", "password": "n3w"}).status_code == 200
    # The token was signed with the old password hash: it no longer verifies (a 500 in Medusa).
    r = mock.client.post("/store/customers/password-reset",
                         json={"email": "jane@example.com", "token": token, "password": "x"})
    assert r.status_code == 500 and r.json()["type"] == "unknown_error"


def test_password_reset_errors(mock: Mock) -> None:
    r = mock.client.post("/store/customers/password-reset",
                         json={"email": "who@example.com", "token": "a.b.c", "password": "x"})
    assert r.status_code == 401
    assert r.json() == {"type": "unauthorized",
                        "message": "Invalid or expired password reset token"}
    r = mock.client.post("/store/customers/password-reset",
                         json={"email": "jane@example.com", "token": "garbage", "password": "x"})
    assert r.status_code == 500


def test_payment_methods_and_auth_required(mock: Mock) -> None:
    r = mock.client.get("/store/customers/me/payment-methods", headers=mock.bearer())
    assert r.json() == {"payment_methods": []}
    for method, path in [("GET", "/store/customers/me"), ("POST", "/store/customers/me"),
                         ("GET", "/store/customers/me/orders"),
                         ("POST", "/store/customers/me/addresses"),
                         ("GET", "/store/customers/me/payment-methods")]:
        r = mock.client.request(method, path)
        assert (r.status_code, r.text) == (401, "Unauthorized"), path
