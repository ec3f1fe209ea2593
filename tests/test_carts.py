"""Carts and checkout through the HTTP API: the journey a storefront runs, and the refusals it
meets on the way (messages and statuses as the real Medusa 1.20.11 answers them)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Mock

ADDRESS_UK = {"first_name": "Cee", "last_name": "Kay", "address_1": "1 Test Lane",
              "city": "London", "country_code": "gb", "postal_code": "N1 1AA"}
ADDRESS_DE = dict(ADDRESS_UK, city="Berlin", country_code="de", postal_code="10115")


def variant(mock: Mock, handle: str, region: str) -> dict[str, Any]:
    r = mock.client.get(f"/store/products?handle={handle}&region_id={region}")
    assert r.status_code == 200, r.text
    return r.json()["products"][0]["variants"][0]


def new_cart(mock: Mock, region: str = "reg_uk", headers: dict | None = None) -> str:
    r = mock.client.post("/store/carts", json={"region_id": region}, headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()["cart"]["id"]


def post(mock: Mock, path: str, body: Any = None, status: int = 200,
         headers: dict | None = None) -> Any:
    r = mock.client.post(path, json=body, headers=headers or {})
    assert r.status_code == status, r.text
    return r.json()


def ready_cart(mock: Mock, region: str = "reg_uk", address: dict | None = None,
               quantity: int = 2, email: str = "buyer@example.com") -> str:
    """A cart with a line, an email, an address and a shipping method."""
    cid = new_cart(mock, region)
    post(mock, f"/store/carts/{cid}/line-items",
         {"variant_id": variant(mock, "t-shirt", region)["id"], "quantity": quantity})
    post(mock, f"/store/carts/{cid}", {"email": email,
                                       "shipping_address": address or ADDRESS_UK})
    options = mock.client.get(f"/store/shipping-options/{cid}").json()["shipping_options"]
    post(mock, f"/store/carts/{cid}/shipping-methods", {"option_id": options[0]["id"]})
    return cid


def test_guest_checkout_places_an_order(mock: Mock) -> None:
    cid = ready_cart(mock)
    stock_before = mock.services.store.product_variants.get(
        variant(mock, "t-shirt", "reg_uk")["id"])["inventory_quantity"]
    cart = post(mock, f"/store/carts/{cid}/payment-sessions")["cart"]
    # the UK region has one provider: its session is created and selected
    assert [s["provider_id"] for s in cart["payment_sessions"]] == ["manual"]
    assert cart["payment_session"]["is_selected"] is True
    item = cart["items"][0]
    assert item["has_shipping"] is True
    assert item["tax_lines"] == [{"rate": 20, "name": "default", "code": "default",
                                  "item_id": item["id"]}]
    assert cart["tax_total"] == cart["item_tax_total"] + cart["shipping_tax_total"]
    assert cart["total"] == cart["subtotal"] + cart["shipping_total"] + cart["tax_total"]

    r = mock.client.post(f"/store/carts/{cid}/complete")
    assert r.status_code == 200, r.text
    assert r.headers["Idempotency-Key"]
    done = r.json()
    assert done["type"] == "order"
    order = done["data"]
    assert order["display_id"] == len(mock.services.store.orders.keys())  # the next display id
    assert order["email"] == "buyer@example.com" and order["cart_id"] == cid
    assert order["total"] == cart["total"]
    assert order["payments"][0]["amount"] == cart["total"]
    assert order["items"][0]["tax_lines"][0]["id"].startswith("litl_")
    assert mock.events("order.placed")[-1]["data"]["id"] == order["id"]
    stock_after = mock.services.store.product_variants.get(item["variant_id"])
    assert stock_after["inventory_quantity"] == stock_before - 2

    # completing again answers with the same order; the cart is completed
    again = post(mock, f"/store/carts/{cid}/complete")
    assert again["type"] == "order" and again["data"]["id"] == order["id"]
    assert mock.client.get(f"/store/carts/{cid}").json()["cart"]["completed_at"]
    by_cart = mock.client.get(f"/store/orders/cart/{cid}").json()["order"]
    assert by_cart["id"] == order["id"]
    # a completed cart takes no more lines (Medusa's odd 404)
    r = mock.client.post(f"/store/carts/{cid}/line-items",
                         json={"variant_id": item["variant_id"], "quantity": 1})
    assert r.status_code == 404 and r.json() == {"type": "not_found", "message": "null"}


def test_idempotency_key_replays_the_first_answer(mock: Mock) -> None:
    cid = ready_cart(mock)
    post(mock, f"/store/carts/{cid}/payment-sessions")
    first = mock.client.post(f"/store/carts/{cid}/complete", headers={"Idempotency-Key": "k1"})
    second = mock.client.post(f"/store/carts/{cid}/complete", headers={"Idempotency-Key": "k1"})
    assert first.headers["Idempotency-Key"] == "k1" == second.headers["Idempotency-Key"]
    assert first.json() == second.json()
    assert len([o for o in mock.services.store.orders.values() if o["cart_id"] == cid]) == 1


def test_registered_customer_checkout_then_my_orders_and_claim(mock: Mock) -> None:
    auth = mock.bearer()
    cid = new_cart(mock, headers=auth)
    cart = mock.client.get(f"/store/carts/{cid}", headers=auth).json()["cart"]
    jane = mock.customer("jane@example.com")
    assert cart["customer_id"] == jane["id"] and cart["email"] == "jane@example.com"
    post(mock, f"/store/carts/{cid}/line-items",
         {"variant_id": variant(mock, "t-shirt", "reg_uk")["id"], "quantity": 1}, headers=auth)
    post(mock, f"/store/carts/{cid}", {"shipping_address": ADDRESS_UK}, headers=auth)
    options = mock.client.get(f"/store/shipping-options/{cid}").json()["shipping_options"]
    post(mock, f"/store/carts/{cid}/shipping-methods", {"option_id": options[0]["id"]})
    post(mock, f"/store/carts/{cid}/payment-sessions")
    order = post(mock, f"/store/carts/{cid}/complete", headers=auth)["data"]
    mine = mock.client.get("/store/customers/me/orders", headers=auth).json()["orders"]
    assert order["id"] in [o["id"] for o in mine]

    # a guest's checkout order can be claimed and confirmed like a seeded one
    guest_cart = ready_cart(mock, email="guest.later@example.com")
    post(mock, f"/store/carts/{guest_cart}/payment-sessions")
    guest_order = post(mock, f"/store/carts/{guest_cart}/complete")["data"]
    r = mock.client.post("/store/orders/batch/customer/token", headers=auth,
                         json={"order_ids": [guest_order["id"]]})
    assert r.status_code == 200
    token = mock.events()[-1]["data"]["token"]
    assert mock.client.post("/store/orders/customer/confirm",
                            json={"token": token}).status_code == 200
    mine = mock.client.get("/store/customers/me/orders", headers=auth).json()["orders"]
    assert guest_order["id"] in [o["id"] for o in mine]


def test_lines_merge_update_and_remove(mock: Mock) -> None:
    cid = new_cart(mock)
    vid = variant(mock, "t-shirt", "reg_uk")["id"]
    post(mock, f"/store/carts/{cid}/line-items", {"variant_id": vid, "quantity": 1})
    cart = post(mock, f"/store/carts/{cid}/line-items", {"variant_id": vid, "quantity": 2})["cart"]
    assert [(i["variant_id"], i["quantity"]) for i in cart["items"]] == [(vid, 3)]
    line = cart["items"][0]["id"]
    cart = post(mock, f"/store/carts/{cid}/line-items/{line}", {"quantity": 5})["cart"]
    assert cart["items"][0]["quantity"] == 5 and cart["subtotal"] == 5 * cart["items"][0][
        "unit_price"]
    cart = post(mock, f"/store/carts/{cid}/line-items/{line}", {"quantity": 0})["cart"]
    assert cart["items"] == [] and cart["total"] == 0
    post(mock, f"/store/carts/{cid}/line-items", {"variant_id": vid, "quantity": 1})
    line = mock.client.get(f"/store/carts/{cid}").json()["cart"]["items"][0]["id"]
    r = mock.client.delete(f"/store/carts/{cid}/line-items/{line}")
    assert r.status_code == 200 and r.json()["cart"]["items"] == []


@pytest.mark.parametrize(("body", "status", "message", "code"), [
    ({"variant_id": "variant_nope", "quantity": 1}, 400,
     "Unable to generate the line items, some variant has not been found: variant_nope", None),
    ({"variant_id": "<tshirt>", "quantity": 100000}, 400,
     "Variant with id: <tshirt> does not have the required inventory", "insufficient_inventory"),
])
def test_line_refusals_change_nothing(mock: Mock, body: dict, status: int, message: str,
                                      code: str | None) -> None:
    cid = new_cart(mock)
    vid = variant(mock, "t-shirt", "reg_uk")["id"]
    body = {k: (vid if v == "<tshirt>" else v) for k, v in body.items()}
    before = mock.services.store.snapshot()
    r = mock.client.post(f"/store/carts/{cid}/line-items", json=body)
    assert r.status_code == status
    expected = {"type": "invalid_data" if code is None else "not_allowed",
                "message": message.replace("<tshirt>", vid)}
    if code:
        expected = {"code": code, **expected}
    assert r.json() == expected
    assert mock.services.store.snapshot() == before


ADDRESS = {"first_name": "Dee", "last_name": "Eff", "address_1": "1 Road", "city": "Leeds",
           "country_code": "gb", "postal_code": "LS1"}


@pytest.mark.parametrize(("path", "body", "status"), [
    ("line-items", {"variant_id": "<tshirt>", "quantity": -2}, 500),  # takes the line to 0
    ("line-items", {"variant_id": "<tshirt>", "quantity": -3}, 500),  # and below
    ("line-items", {"variant_id": "<mug>", "quantity": -1}, 500),  # a new line below 0
    ("line-items", {"variant_id": "<tshirt>", "quantity": 0}, 400),
    ("line-items/<line>", {"quantity": -2}, 500),
    # the billing address is written in place before the shipping address is refused
    ("", {"billing_address": {**ADDRESS, "city": "York"},
          "shipping_address": {**ADDRESS, "country_code": "GB"}}, 404),
    ("", {"billing_address": {**ADDRESS, "city": "York"}, "sales_channel_id": None}, 500),
    ("", {"shipping_address": {**ADDRESS, "city": "York"}, "discounts": None}, 500),
])
def test_refused_cart_steps_change_nothing(mock: Mock, path: str, body: dict,
                                           status: int) -> None:
    """A quantity the database would refuse (Medusa's 500), a country code no country has, a
    null Medusa reads as a value: the cart, its lines and its addresses stay as they were."""
    cid = new_cart(mock)
    tshirt = variant(mock, "t-shirt", "reg_uk")["id"]
    mug = variant(mock, "coffee-mug", "reg_uk")["id"]
    cart = post(mock, f"/store/carts/{cid}/line-items", {"variant_id": tshirt, "quantity": 2})
    post(mock, f"/store/carts/{cid}", {"billing_address": ADDRESS, "shipping_address": ADDRESS})
    fill = {"<tshirt>": tshirt, "<mug>": mug, "<line>": cart["cart"]["items"][0]["id"]}
    body = {k: fill.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    path = "/".join(fill.get(part, part) for part in path.split("/"))
    before = mock.services.store.snapshot()
    r = mock.client.post(f"/store/carts/{cid}/{path}".rstrip("/"), json=body)
    assert r.status_code == status, r.text
    if status == 500:
        assert r.headers["X-Medusa-Mock-Quirk"] in ("line-item-quantity-db-500",
                                                     "null-optional-properties")
    assert mock.services.store.snapshot() == before


def test_unknown_carts(mock: Mock) -> None:
    r = mock.client.get("/store/carts/cart_nope")
    assert r.status_code == 404
    assert r.json() == {"type": "not_found", "message": "Cart with cart_nope was not found"}
    r = mock.client.post("/store/carts/cart_nope", json={"email": "a@example.com"})
    assert r.status_code == 500 and r.headers["X-Medusa-Mock-Quirk"] == "cart-unknown-id-500"
    r = mock.client.post("/store/carts/cart_nope/line-items",
                         json={"variant_id": "v", "quantity": 1})
    assert r.status_code == 404
    r = mock.client.post("/store/carts", json={"region_id": "reg_nope"})
    assert r.status_code == 404 and r.json()["message"] == "Region with reg_nope was not found"


def test_addresses_must_be_in_the_region(mock: Mock) -> None:
    cid = new_cart(mock)
    r = mock.client.post(f"/store/carts/{cid}", json={"shipping_address": ADDRESS_DE})
    assert r.status_code == 400
    assert r.json() == {"type": "invalid_data",
                        "message": "Shipping country must be in the cart region"}
    r = mock.client.post("/store/carts", json={"region_id": "reg_uk", "country_code": "de"})
    assert r.status_code == 400 and r.json()["message"] == "Shipping country not in region"
    # a single-country region fills the country in
    cart = mock.client.get(f"/store/carts/{cid}").json()["cart"]
    assert cart["shipping_address"]["country_code"] == "gb"


def test_completion_refusals(mock: Mock) -> None:
    # no email, so no customer
    cid = new_cart(mock)
    post(mock, f"/store/carts/{cid}/line-items",
         {"variant_id": variant(mock, "t-shirt", "reg_uk")["id"], "quantity": 1})
    post(mock, f"/store/carts/{cid}/payment-sessions")
    r = mock.client.post(f"/store/carts/{cid}/complete")
    assert r.status_code == 400 and r.json() == {
        "type": "invalid_data",
        "message": "Cannot create an order from the cart without a customer"}
    cart = mock.client.get(f"/store/carts/{cid}").json()["cart"]
    assert cart["completed_at"] is None and cart["items"][0]["order_id"] is None
    # two providers in the EU: nothing is selected until the storefront chooses
    cid = ready_cart(mock, "reg_eu", ADDRESS_DE)
    cart = post(mock, f"/store/carts/{cid}/payment-sessions")["cart"]
    assert sorted(s["provider_id"] for s in cart["payment_sessions"]) == ["manual",
                                                                         "mock-payment"]
    assert "payment_session" not in cart
    r = mock.client.post(f"/store/carts/{cid}/complete")
    assert r.status_code == 400 and r.json() == {
        "type": "not_allowed", "message": "You cannot complete a cart without a payment session."}
    r = mock.client.post(f"/store/carts/{cid}/payment-session", json={"provider_id": "stripe"})
    assert r.status_code == 400
    assert r.json()["message"] == "The payment method is not available in this region"


def test_completion_refused_for_stock_is_a_conflict_replayed_under_its_key(mock: Mock) -> None:
    """Stock sold out between the cart and its completion: the completion strategy's 409 with
    one error per line, the payment canceled, and the same refusal for a retry with the key."""
    cid = ready_cart(mock, quantity=2)
    post(mock, f"/store/carts/{cid}/payment-sessions")
    store = mock.services.store
    line = next(i for i in store.line_items.values() if i["cart_id"] == cid)
    store.product_variants.get(line["variant_id"])["inventory_quantity"] = 1
    refusal = {"errors": [{
        "message": f"Variant with id: {line['variant_id']} does not have the required inventory",
        "type": "not_allowed", "code": "insufficient_inventory"}]}
    for _ in range(2):
        r = mock.client.post(f"/store/carts/{cid}/complete", headers={"Idempotency-Key": "k"})
        assert r.status_code == 409 and r.json() == refusal
        assert r.headers["Idempotency-Key"] == "k"
    cart = store.carts.get(cid)
    assert cart["completed_at"] is None and cart["payment_authorized_at"] is None
    assert store.payments.get(cart["payment_id"])["canceled_at"] is not None
    assert line["tax_lines"] == [] and line["order_id"] is None


@pytest.mark.parametrize(("outcome", "expected"), [
    ("authorized", "order"), ("requires_more", "cart"), ("error", 400)])
def test_mock_payment_outcomes(mock: Mock, outcome: str, expected: Any) -> None:
    """The mock-only provider (quirk mock-payment-provider)."""
    cid = ready_cart(mock, "reg_eu", ADDRESS_DE)
    post(mock, f"/store/carts/{cid}/payment-sessions")
    post(mock, f"/store/carts/{cid}/payment-session", {"provider_id": "mock-payment"})
    cart = post(mock, f"/store/carts/{cid}/payment-sessions/mock-payment",
                {"data": {"outcome": outcome}})["cart"]
    assert cart["payment_session"]["data"]["outcome"] == outcome
    r = mock.client.post(f"/store/carts/{cid}/complete")
    if expected == 400:
        assert r.status_code == 400 and r.json()["message"] == "Cart payment not authorized"
        return
    assert r.status_code == 200
    body = r.json()
    assert body["type"] == expected
    if expected == "cart":
        assert body["payment_status"] == "requires_more"
        assert body["data"]["completed_at"] is None
        # the storefront finishes the challenge, then completes again
        post(mock, f"/store/carts/{cid}/payment-sessions/mock-payment",
             {"data": {"outcome": "authorized"}})
        assert post(mock, f"/store/carts/{cid}/complete")["type"] == "order"


def test_discounts_and_gift_cards(mock: Mock) -> None:
    cid = ready_cart(mock)
    plain = mock.client.get(f"/store/carts/{cid}").json()["cart"]
    cart = post(mock, f"/store/carts/{cid}", {"discounts": [{"code": "WELCOME10"}]})["cart"]
    assert [d["code"] for d in cart["discounts"]] == ["WELCOME10"]
    assert cart["discount_total"] == round(plain["subtotal"] * 0.10)
    assert cart["items"][0]["adjustments"][0]["amount"] == cart["discount_total"]
    # a new list replaces the old one (the replaced discount's adjustment stays, counting nothing)
    cart = post(mock, f"/store/carts/{cid}", {"discounts": [{"code": "FREESHIP"}]})["cart"]
    assert [d["code"] for d in cart["discounts"]] == ["FREESHIP"]
    assert cart["discount_total"] == 0 and cart["items"][0]["adjustments"]
    assert cart["shipping_total"] == 0 and cart["shipping_methods"][0]["price"] == 0
    cart = post(mock, f"/store/carts/{cid}", {"discounts": [{"code": "WELCOME10"},
                                                            {"code": "FREESHIP"}]})["cart"]
    assert sorted(d["code"] for d in cart["discounts"]) == ["FREESHIP", "WELCOME10"]
    assert cart["discount_total"] == round(plain["subtotal"] * 0.10)
    assert cart["shipping_total"] == 0
    r = mock.client.delete(f"/store/carts/{cid}/discounts/FREESHIP")
    assert r.status_code == 200 and r.json()["cart"]["shipping_total"] == plain["shipping_total"]
    r = mock.client.post(f"/store/carts/{cid}", json={"discounts": [{"code": "EU5OFF"}]})
    assert r.status_code == 400
    assert r.json()["message"] == "The discount is not available in current region"
    r = mock.client.post(f"/store/carts/{cid}", json={"discounts": [{"code": "NOPE"}]})
    assert r.status_code == 404
    assert r.json()["message"] == "Discounts with code [NOPE] was not found"
    r = mock.client.post(f"/store/carts/{cid}",
                         json={"gift_cards": [{"code": "DEMO-GIFT-UK10-0003"}]})
    assert r.status_code == 400 and r.json()["message"] == "The gift card is disabled"
    r = mock.client.post(f"/store/carts/{cid}",
                         json={"gift_cards": [{"code": "DEMO-GIFT-EU50-0001"}]})
    assert r.status_code == 400
    assert r.json()["message"] == "The gift card cannot be used in the current region"


def test_gift_card_pays_and_is_spent(mock: Mock) -> None:
    cid = ready_cart(mock, "reg_eu", ADDRESS_DE, quantity=1)
    cart = post(mock, f"/store/carts/{cid}", {"gift_cards": [{"code": "DEMO-GIFT-EU50-0001"}]})[
        "cart"]
    assert cart["gift_card_total"] > 0
    post(mock, f"/store/carts/{cid}/payment-sessions")
    if cart["total"] > 0:
        post(mock, f"/store/carts/{cid}/payment-session", {"provider_id": "manual"})
    order = post(mock, f"/store/carts/{cid}/complete")["data"]
    assert order["gift_card_total"] == cart["gift_card_total"]
    card = next(g for g in mock.services.store.gift_cards.values()
                if g["code"] == "DEMO-GIFT-EU50-0001")
    assert card["balance"] == 5000 - cart["gift_card_total"]


def test_region_change_reprices_and_drops_shipping(mock: Mock) -> None:
    cid = ready_cart(mock)
    uk = mock.client.get(f"/store/carts/{cid}").json()["cart"]
    cart = post(mock, f"/store/carts/{cid}", {"region_id": "reg_eu", "country_code": "de"})[
        "cart"]
    assert cart["region_id"] == "reg_eu" and cart["shipping_methods"] == []
    eur = variant(mock, "t-shirt", "reg_eu")["calculated_price"]
    assert cart["items"][0]["unit_price"] == eur
    assert uk["items"][0]["unit_price"] == variant(mock, "t-shirt", "reg_uk")["calculated_price"]
    assert cart["shipping_address"]["country_code"] == "de"
    assert cart["tax_total"] == 0  # the EU region's rate is 0


def test_failed_completion_keeps_the_payment(mock: Mock) -> None:
    """Observed on a real Medusa 1.20.11 (quirk complete-retry-duplicate-payment)."""
    cid = new_cart(mock)
    post(mock, f"/store/carts/{cid}/line-items",
         {"variant_id": variant(mock, "t-shirt", "reg_uk")["id"], "quantity": 1})
    post(mock, f"/store/carts/{cid}/payment-sessions")
    first = mock.client.post(f"/store/carts/{cid}/complete", headers={"Idempotency-Key": "k"})
    assert first.status_code == 400  # no customer: after the payment was authorized
    assert mock.client.get(f"/store/carts/{cid}").json()["cart"]["payment"]["amount"] > 0
    again = mock.client.post(f"/store/carts/{cid}/complete")  # a new key: authorizes again
    assert again.status_code == 422 and again.json() == {
        "code": "invalid_request_error", "type": "duplicate_error",
        "message": f"Payment with cart_id {cid} already exists."}
    post(mock, f"/store/carts/{cid}", {"email": "late@example.com"})
    resumed = mock.client.post(f"/store/carts/{cid}/complete", headers={"Idempotency-Key": "k"})
    assert resumed.status_code == 200 and resumed.json()["type"] == "order"
