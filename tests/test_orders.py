"""Orders: look-ups, the store view with totals, a customer's order list."""

from __future__ import annotations

from .conftest import Mock


def test_lookup_by_display_id_and_email(mock: Mock) -> None:
    r = mock.client.get("/store/orders", params={"display_id": 2,
                                                 "email": "guest.two@example.com"})
    assert r.status_code == 200
    order = r.json()["order"]
    assert order["display_id"] == 2 and order["currency_code"] == "usd"
    assert order["subtotal"] == 1200 + 2200 and order["shipping_total"] == 800
    assert order["total"] == 1200 + 2200 + 800
    assert order["region"]["name"] == "NA"
    assert order["shipping_address"]["city"] == "Springfield"
    assert order["shipping_methods"][0]["shipping_option"]["name"] == "FakeEx Standard"
    assert {i["variant"]["sku"] for i in order["items"]} == {"MUG-ONE", "TSHIRT-S"}
    r = mock.client.get("/store/orders", params={"display_id": 2,
                                                 "email": "guest.one@example.com"})
    assert (r.status_code, r.text, r.headers["content-type"]) == (
        404, "Not Found", "text/plain; charset=utf-8")


def test_lookup_validation(mock: Mock) -> None:
    r = mock.client.get("/store/orders")
    assert r.status_code == 400 and r.json()["type"] == "invalid_data"


def test_taxed_order_totals(mock: Mock) -> None:
    order = mock.client.get(f"/store/orders/{mock.order(3)['id']}").json()["order"]
    # UK region, 20% tax: one T-shirt at 1700 and 500 shipping.
    assert order["subtotal"] == 1700
    assert order["tax_total"] == 340 + 100
    assert order["total"] == 1700 + 500 + 440
    item = order["items"][0]
    assert (item["tax_total"], item["total"]) == (340, 2040)


def test_get_by_id_and_cart(mock: Mock) -> None:
    seeded = mock.order(1)
    assert mock.client.get(f"/store/orders/{seeded['id']}").json()["order"]["id"] == seeded["id"]
    r = mock.client.get(f"/store/orders/cart/{seeded['cart_id']}")
    assert r.json()["order"]["id"] == seeded["id"]
    r = mock.client.get("/store/orders/order_nope")
    assert r.status_code == 404
    assert r.json() == {"type": "not_found", "message": "Order with id: order_nope was not found"}
    r = mock.client.get("/store/orders/cart/cart_nope")
    assert r.json()["message"] == "Order with cart_id: cart_nope was not found"


def test_customer_orders_filters_and_pagination(mock: Mock) -> None:
    h = mock.bearer()
    mock.client.post("/store/orders/batch/customer/token", headers=h,
                     json={"order_ids": [mock.order(1)["id"], mock.order(4)["id"]]})
    token = mock.events()[-1]["data"]["token"]
    mock.client.post("/store/orders/customer/confirm", json={"token": token})
    r = mock.client.get("/store/customers/me/orders", headers=h)
    body = r.json()
    assert (body["count"], body["limit"], body["offset"]) == (3, 10, 0)
    page = mock.client.get("/store/customers/me/orders", headers=h,
                           params={"limit": 2, "offset": 2}).json()
    assert (len(page["orders"]), page["count"], page["limit"], page["offset"]) == (1, 3, 2, 2)
    only = mock.client.get("/store/customers/me/orders", headers=h,
                           params={"display_id": "4"}).json()
    assert [o["display_id"] for o in only["orders"]] == [4]
    none = mock.client.get("/store/customers/me/orders", headers=h,
                           params={"status": "completed"}).json()
    assert none["count"] == 0
    r = mock.client.get("/store/customers/me/orders", headers=h, params={"status": "bogus"})
    assert r.status_code == 400
