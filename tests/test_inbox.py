"""The inbox: events a notification plugin would mail, rendered as the e-mails, with links
from the storefront templates; a claim and a reset confirmed with what the inbox gives."""

from __future__ import annotations

import pytest

from mock_server._domain.inbox import link_templates

from .conftest import JANE, Mock, make_mock


def inbox(mock: Mock) -> list[dict]:
    answer = mock.client.get("/_mock/inbox")
    assert answer.status_code == 200
    return answer.json()["messages"]


def _claim(mock: Mock) -> str:
    order = mock.client.get("/store/orders", params={
        "display_id": 1, "email": "guest.one@example.com"}).json()["order"]
    answer = mock.client.post("/store/orders/batch/customer/token", headers=mock.bearer(),
                              json={"order_ids": [order["id"]]})
    assert answer.status_code == 200
    return str(order["id"])


def test_a_claim_mail_confirmed_with_its_request(mock: Mock) -> None:
    order_id = _claim(mock)
    (mail,) = inbox(mock)
    event = mock.events()[0]
    assert mail["event"] == "order-update-token.created"
    assert mail["to"] == "guest.one@example.com"
    assert mail["token"] == event["data"]["token"]
    assert "#1" in mail["text"] and mail["token"] in mail["text"]
    assert mail["link"] == f"http://localhost:8000/account/claim?token={mail['token']}"
    request = mail["request"]
    assert (request["method"], request["path"]) == ("POST", "/store/orders/customer/confirm")
    answer = mock.client.post(request["path"], json=request["body"])
    assert answer.status_code == 200
    assert mock.order(1)["email"] == JANE["email"] and mock.order(1)["id"] == order_id


def test_a_password_reset_mail_and_its_request(mock: Mock) -> None:
    mock.client.post("/store/customers/password-token", json={"email": JANE["email"]})
    (mail,) = inbox(mock)
    assert mail["event"] == "customer.password_reset" and mail["to"] == JANE["email"]
    assert mail["subject"] == "Reset your password" and "Jane" in mail["text"]
    assert mail["link"].startswith("http://localhost:8000/account/reset-password?token=")
    assert mail["link"].endswith("&email=jane%40example.com")
    body = dict(mail["request"]["body"], password="a-new-password")
    assert mail["request"]["body"]["password"] is None  # for the user to fill in
    assert mock.client.post(mail["request"]["path"], json=body).status_code == 200
    assert mock.client.post("/store/auth/token", json={
        "email": JANE["email"], "password": "a-new-password"}).status_code == 200


def test_an_order_placed_mail_lists_the_order() -> None:
    mock = make_mock()
    cart = mock.client.post("/store/carts", json={"region_id": "reg_eu"}).json()["cart"]
    variant = mock.client.get("/store/products?limit=1").json()["products"][0]["variants"][0]
    c = f"/store/carts/{cart['id']}"
    mock.client.post(f"{c}/line-items", json={"variant_id": variant["id"], "quantity": 2})
    mock.client.post(c, json={"email": "buyer@example.com", "shipping_address": {
        "first_name": "B", "last_name": "Uyer", "address_1": "Street 1", "city": "Berlin",
        "country_code": "de", "postal_code": "10115"}})
    option = mock.client.get(f"/store/shipping-options/{cart['id']}").json()[
        "shipping_options"][0]
    mock.client.post(f"{c}/shipping-methods", json={"option_id": option["id"]})
    mock.client.post(f"{c}/payment-sessions")
    mock.client.post(f"{c}/payment-session", json={"provider_id": "manual"})
    order = mock.client.post(f"{c}/complete").json()["data"]
    mail = next(m for m in inbox(mock) if m["event"] == "order.placed")
    assert mail["to"] == "buyer@example.com"
    assert mail["subject"] == f"Order #{order['display_id']} confirmed"
    assert f"2 x {variant['title']}" in mail["text"] or "2 x " in mail["text"]
    assert f"{order['total'] / 100:.2f} EUR" in mail["text"]
    assert mail["link"] == f"http://localhost:8000/order/confirmed/{order['id']}"
    assert "request" not in mail


def test_events_no_plugin_mails_are_left_out(mock: Mock) -> None:
    mock.client.post("/store/carts", json={})
    assert mock.events("cart.created") and inbox(mock) == []


def test_storefront_templates() -> None:
    mock = make_mock(storefront_url=("https://shop.example/",
                                     "claim=https://shop.example/c/{token}?o={display_id}"))
    _claim(mock)
    (mail,) = inbox(mock)
    assert mail["link"] == f"https://shop.example/c/{mail['token']}?o="
    assert link_templates(("https://shop.example",))["password-reset"].startswith(
        "https://shop.example/account/reset-password")


@pytest.mark.parametrize("value", ["mail=https://x/{token}", "claim=https://x/{nope}",
                                   "claim=https://x/{"])
def test_bad_templates_are_named(value: str) -> None:
    with pytest.raises(ValueError):
        link_templates((value,))


def test_reset_empties_the_inbox(mock: Mock) -> None:
    _claim(mock)
    mock.client.post("/_mock/reset")
    assert inbox(mock) == []
