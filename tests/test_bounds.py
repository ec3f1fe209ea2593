"""Caps on the tables that grow with use: least recently used rows go first, with what belongs
only to them; seeded rows never; the first time a cap is reached the log says so; expired
sessions are swept by the mock's clock."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .conftest import JANE, Mock, make_mock


def _cart(mock: Mock, **body: Any) -> str:
    r = mock.client.post("/store/carts", json={"region_id": "reg_eu", **body})
    assert r.status_code == 200, r.text
    return str(r.json()["cart"]["id"])


def _variant(mock: Mock) -> str:
    products = mock.client.get("/store/products", params={"region_id": "reg_eu"}).json()
    return next(v["id"] for p in products["products"] if not p["is_giftcard"]
                for v in p["variants"] if v["inventory_quantity"] > 20)


def test_the_least_recently_used_cart_goes_first(caplog: pytest.LogCaptureFixture) -> None:
    mock = make_mock(max_carts=3)
    first, second, third = (_cart(mock) for _ in range(3))
    assert mock.client.get(f"/store/carts/{first}").status_code == 200  # a read is a use
    with caplog.at_level(logging.WARNING, logger="medusa_mock"):
        fourth = _cart(mock)
        fifth = _cart(mock)
    assert [r.getMessage() for r in caplog.records] == [
        "3 carts stored, the --max-carts cap: the least recently used ones are dropped to make "
        "room from now on (seeded rows never)"]  # once
    for gone in (second, third):
        assert mock.client.get(f"/store/carts/{gone}").status_code == 404
    for kept in (first, fourth, fifth):
        assert mock.client.get(f"/store/carts/{kept}").status_code == 200
    assert mock.services.bounds.evicted == {"carts": 2}


def test_an_evicted_cart_takes_its_lines_sessions_and_addresses_along() -> None:
    mock = make_mock(max_carts=1)
    store = mock.services.store
    cart_id = _cart(mock, country_code="de")
    r = mock.client.post(f"/store/carts/{cart_id}/line-items",
                         json={"variant_id": _variant(mock), "quantity": 1})
    assert r.status_code == 200
    assert mock.client.post(f"/store/carts/{cart_id}/payment-sessions").status_code == 200
    cart = store.carts.get(cart_id)
    assert cart is not None
    address_id = cart["shipping_address_id"]
    sessions = len(store.payment_sessions.by("cart_id", cart_id))
    assert store.line_items.by("cart_id", cart_id) and sessions == 2  # one per EU provider
    before = {name: len(table) for name, table in store.tables.items()}
    _cart(mock)  # no country: no address of its own
    assert store.carts.get(cart_id) is None
    assert store.line_items.by("cart_id", cart_id) == []
    assert store.payment_sessions.by("cart_id", cart_id) == []
    assert store.addresses.get(address_id) is None
    after = {name: len(table) for name, table in store.tables.items()}
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "line_items": -1, "payment_sessions": -sessions, "addresses": -1}


def test_a_customers_address_used_by_an_evicted_cart_stays() -> None:
    mock = make_mock(max_carts=1)
    headers = mock.bearer()
    jane = mock.customer(JANE["email"])
    address = mock.services.store.addresses.by("customer_id", jane["id"])[0]
    cart_id = _cart(mock)
    r = mock.client.post(f"/store/carts/{cart_id}", json={"shipping_address": address["id"]},
                         headers=headers)
    assert r.status_code == 200
    _cart(mock)
    assert mock.services.store.carts.get(cart_id) is None
    assert mock.services.store.addresses.get(address["id"]) is address


def _checkout(mock: Mock, email: str) -> dict[str, Any]:
    cart_id = _cart(mock)
    client = mock.client
    assert client.post(f"/store/carts/{cart_id}/line-items",
                       json={"variant_id": _variant(mock), "quantity": 1}).status_code == 200
    r = client.post(f"/store/carts/{cart_id}", json={"email": email, "shipping_address": {
        "first_name": "A", "last_name": "B", "address_1": "C 1", "city": "Kiel",
        "country_code": "de", "postal_code": "24103"}})
    assert r.status_code == 200, r.text
    option = client.get(f"/store/shipping-options/{cart_id}").json()["shipping_options"][0]
    assert client.post(f"/store/carts/{cart_id}/shipping-methods",
                       json={"option_id": option["id"]}).status_code == 200
    assert client.post(f"/store/carts/{cart_id}/payment-sessions").status_code == 200
    assert client.post(f"/store/carts/{cart_id}/payment-session",
                       json={"provider_id": "manual"}).status_code == 200
    done = client.post(f"/store/carts/{cart_id}/complete").json()
    assert done["type"] == "order", done
    return dict(done["data"])


def test_a_completed_carts_order_keeps_its_lines_and_address_when_the_cart_goes() -> None:
    mock = make_mock(max_carts=1)
    order = _checkout(mock, "keeper@example.com")
    _cart(mock)
    assert mock.services.store.carts.get(order["cart_id"]) is None
    again = mock.client.get(f"/store/orders/{order['id']}")
    assert again.status_code == 200
    assert again.json()["order"]["items"] == order["items"]
    assert again.json()["order"]["shipping_address"] == order["shipping_address"]


def test_the_oldest_order_goes_with_everything_of_its_own_and_seeded_orders_never() -> None:
    seeded = 6
    mock = make_mock(max_orders=seeded + 2, max_carts=None)
    store = mock.services.store
    orders = [_checkout(mock, f"buyer{n}@example.com") for n in range(2)]
    oldest = orders[0]
    r = mock.client.post("/store/returns", json={"order_id": oldest["id"], "items": [
        {"item_id": oldest["items"][0]["id"], "quantity": 1}]})
    assert r.status_code == 200, r.text
    assert store.returns.by("order_id", oldest["id"])
    orders.append(_checkout(mock, "buyer2@example.com"))
    assert len(store.orders) == seeded + 2
    assert store.orders.get(oldest["id"]) is None
    assert store.line_items.by("order_id", oldest["id"]) == []
    assert store.carts.get(oldest["cart_id"]) is None
    assert store.payments.by("cart_id", oldest["cart_id"]) == []
    assert store.returns.by("order_id", oldest["id"]) == []
    assert store.index_problems() == []
    assert mock.client.get(f"/store/orders/{oldest['id']}").status_code == 404
    for kept in orders[1:]:
        assert mock.client.get(f"/store/orders/{kept['id']}").status_code == 200
    for display_id in range(1, seeded + 1):
        assert store.orders.by("display_id", display_id), display_id


def test_customers_go_once_they_have_no_cart_and_no_order() -> None:
    seeded = 5
    mock = make_mock(max_customers=seeded + 1, max_carts=1)
    store = mock.services.store
    first = mock.client.post("/store/customers", json={"email": "one@example.com",
                                                       "password": "pw-one"})
    assert first.status_code == 200
    one = first.json()["customer"]["id"]
    cart_id = _cart(mock)
    assert mock.client.post(f"/store/carts/{cart_id}", json={"customer_id": one},
                            headers=mock.bearer("one@example.com", "pw-one")).status_code == 200
    mock.client.cookies.clear()
    assert mock.client.post("/store/customers", json={"email": "two@example.com",
                                                      "password": "pw-two"}).status_code == 200
    assert store.customers.get(one) is not None  # it has a cart: kept, past the cap
    assert len(store.customers) == seeded + 2
    mock.client.cookies.clear()
    _cart(mock)  # the cart of "one" goes (max_carts=1) ...
    assert mock.client.post("/store/customers", json={"email": "three@example.com",
                                                      "password": "pw-3"}).status_code == 200
    # ... so now the least recently used customers without carts or orders go: "one", "two"
    assert store.customers.get(one) is None
    assert [c["email"] for c in store.customers.values()][seeded:] == ["three@example.com"]
    assert store.sessions.by("data.customer_id", one) == []
    for email in ("jane@example.com", "guest.one@example.com"):  # seeded: never
        assert store.customers.by("email", email)


def test_the_least_recently_used_session_goes() -> None:
    mock = make_mock(max_sessions=2)
    clients = [mock.app.test_client() for _ in range(3)]
    for n, client in enumerate(clients):
        email = f"s{n}@example.com"
        assert client.post("/store/customers", json={"email": email,
                                                     "password": "pw-s"}).status_code == 200
        if n == 1:
            assert clients[0].get("/store/customers/me").status_code == 200  # 0 used again
    assert clients[0].get("/store/customers/me").status_code == 200
    assert clients[1].get("/store/customers/me").status_code == 401  # logged out: evicted
    assert clients[2].get("/store/customers/me").status_code == 200


def test_expired_sessions_are_swept_by_the_clock_without_being_read() -> None:
    mock = make_mock(frozen_time=1_700_000_000.0)
    store = mock.services.store
    for n in range(3):
        client = mock.app.test_client()
        assert client.post("/store/customers", json={"email": f"e{n}@example.com",
                                                     "password": "pw-e"}).status_code == 200
    assert len(store.sessions) == 3
    assert mock.client.post("/_mock/clock", json={"advance_seconds": 10 * 3600 - 30}
                            ).status_code == 200
    mock.client.get("/store/regions")  # no session read: nothing to sweep yet
    assert len(store.sessions) == 3
    mock.client.post("/_mock/clock", json={"advance_seconds": 60})
    fresh = mock.app.test_client()
    assert fresh.post("/store/auth", json=JANE).status_code == 200  # a session is saved
    assert [s["data"]["customer_id"] for s in store.sessions.values()] == [
        mock.customer(JANE["email"])["id"]]
