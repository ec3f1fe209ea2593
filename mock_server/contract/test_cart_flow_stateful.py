"""Carts, statefully: a Hypothesis state machine drives schemathesis cases through a cart's life.

Each rule is one request of ``openapi/store.yaml`` sent through :meth:`Contract.request`, so every
answer also passes schemathesis' default checks (with the rows of ``_allowances.ALLOWANCES``).
The model keeps the quantity of each variant in the cart, the discount, whether an address, a
shipping method and a selected payment session are there, and whether the cart was completed;
after every step the cart the server returns must match it, and its totals must add up the way
Medusa adds them. It needs no control plane: every example opens new carts, so it also runs
against a live Medusa.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from ._harness import Contract, run_state_machine

REGION_NAME = "UK"  # one country and one payment provider: its session is selected at once
ADDRESS = {"first_name": "Sta", "last_name": "Teful", "address_1": "1 Model Row",
           "city": "London", "country_code": "gb", "postal_code": "N1 1AA"}
DISCOUNTS = ("WELCOME10", "FREESHIP", "NOPE-NOT-A-CODE")


@dataclass
class CartModel:
    id: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # variant id -> quantity
    email: bool = False
    address: bool = True  # a one-country region fills the shipping country in
    shipping: bool = False
    sessions: bool = False
    discounts: set[str] = field(default_factory=set)
    paid: bool = False  # a failed completion left an authorized payment behind
    completed: bool = False
    order_id: str | None = None


def cart_of(contract: Contract, cart_id: str) -> dict[str, Any]:
    response = contract.request("GET", "/store/carts/{id}", path_parameters={"id": cart_id})
    assert response.status_code == 200, response.text
    return response.json()["cart"]


class CartFlow(RuleBasedStateMachine):
    contract: Contract  # set by the test
    region_id: str
    variants: list[str]

    def __init__(self) -> None:
        super().__init__()
        self.model = CartModel()

    @initialize()
    def create(self) -> None:
        response = self.contract.request("POST", "/store/carts",
                                         body={"region_id": self.region_id})
        assert response.status_code == 200, response.text
        self.model.id = response.json()["cart"]["id"]

    # -- lines -----------------------------------------------------------------------------
    @precondition(lambda self: not self.model.completed)
    @rule(index=st.integers(0, 2), quantity=st.integers(1, 3))
    def add_line(self, index: int, quantity: int) -> None:
        variant = self.variants[index]
        response = self.contract.request("POST", "/store/carts/{id}/line-items",
                                         path_parameters=self.ids(),
                                         body={"variant_id": variant, "quantity": quantity})
        assert response.status_code == 200, response.text
        self.model.lines[variant] = self.model.lines.get(variant, 0) + quantity
        self.model.shipping = False  # any change of lines drops the shipping methods
        self.check(response.json()["cart"])

    @precondition(lambda self: self.model.lines and not self.model.completed)
    @rule(data=st.data(), quantity=st.integers(0, 4))
    def change_line(self, data: st.DataObject, quantity: int) -> None:
        variant = data.draw(st.sampled_from(sorted(self.model.lines)), label="variant")
        line = self.line_id(variant)
        response = self.contract.request(
            "POST", "/store/carts/{id}/line-items/{line_id}",
            path_parameters=self.ids(line_id=line), body={"quantity": quantity})
        assert response.status_code == 200, response.text
        if quantity == 0:
            del self.model.lines[variant]
        else:
            self.model.lines[variant] = quantity
        self.model.shipping = False
        self.check(response.json()["cart"])

    @precondition(lambda self: self.model.lines and not self.model.completed)
    @rule(data=st.data())
    def remove_line(self, data: st.DataObject) -> None:
        variant = data.draw(st.sampled_from(sorted(self.model.lines)), label="variant")
        response = self.contract.request(
            "DELETE", "/store/carts/{id}/line-items/{line_id}",
            path_parameters=self.ids(line_id=self.line_id(variant)))
        assert response.status_code == 200, response.text
        del self.model.lines[variant]
        self.model.shipping = False
        self.check(response.json()["cart"])

    # -- customer, discounts, shipping, payment ---------------------------------------------
    @precondition(lambda self: not self.model.completed)
    @rule()
    def set_email_and_address(self) -> None:
        response = self.contract.request(
            "POST", "/store/carts/{id}", path_parameters=self.ids(),
            body={"email": "stateful.cart@example.com", "shipping_address": ADDRESS})
        assert response.status_code == 200, response.text
        self.model.email = True
        self.check(response.json()["cart"])

    @precondition(lambda self: not self.model.completed)
    @rule(code=st.sampled_from(DISCOUNTS))
    def apply_discount(self, code: str) -> None:
        response = self.contract.request("POST", "/store/carts/{id}", path_parameters=self.ids(),
                                         body={"discounts": [{"code": code}]})
        if code.startswith("NOPE"):
            assert response.status_code == 404, response.text
            assert response.json()["message"] == f"Discounts with code [{code}] was not found"
            return
        assert response.status_code == 200, response.text
        self.model.discounts = {code}  # the list given replaces the cart's discounts
        self.check(response.json()["cart"])

    @precondition(lambda self: self.model.discounts and not self.model.completed)
    @rule(data=st.data())
    def remove_discount(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(sorted(self.model.discounts)), label="code")
        response = self.contract.request(
            "DELETE", "/store/carts/{id}/discounts/{code}", path_parameters=self.ids(code=code))
        assert response.status_code == 200, response.text
        self.model.discounts.discard(code)
        self.check(response.json()["cart"])

    @precondition(lambda self: self.model.lines and not self.model.completed)
    @rule()
    def choose_shipping(self) -> None:
        response = self.contract.request("GET", "/store/shipping-options/{cart_id}",
                                         path_parameters={"cart_id": self.model.id})
        assert response.status_code == 200, response.text
        options = response.json()["shipping_options"]
        assert options, "the region ships the cart's lines"
        response = self.contract.request(
            "POST", "/store/carts/{id}/shipping-methods", path_parameters=self.ids(),
            body={"option_id": options[0]["id"]})
        assert response.status_code == 200, response.text
        self.model.shipping = True
        cart = response.json()["cart"]
        assert all(item["has_shipping"] for item in cart["items"])
        self.check(cart)

    @precondition(lambda self: self.model.lines and not self.model.completed)
    @rule()
    def create_payment_sessions(self) -> None:
        response = self.contract.request("POST", "/store/carts/{id}/payment-sessions",
                                         path_parameters=self.ids())
        assert response.status_code == 200, response.text
        cart = response.json()["cart"]
        if cart["total"] > 0:
            assert cart["payment_session"]["provider_id"] == "manual"
            self.model.sessions = True
        self.check(cart)

    @precondition(lambda self: not self.model.completed)
    @rule()
    def complete(self) -> None:
        response = self.contract.request("POST", "/store/carts/{id}/complete",
                                         path_parameters=self.ids())
        cart = cart_of(self.contract, self.model.id)
        model = self.model
        if not model.lines:
            # no payment needed for an empty cart; the order needs lines
            assert response.status_code == 400, response.text
            assert response.json()["message"] in (
                "Cannot create order from empty cart",
                "Cannot create an order from the cart without a customer")
            return
        if cart["total"] > 0 and not model.sessions:
            assert response.status_code == 400, response.text
            assert response.json()["message"] == (
                "You cannot complete a cart without a payment session.")
            return
        if cart["total"] > 0 and model.paid:
            # Medusa authorizes again and inserts a second payment for the cart (quirk
            # complete-retry-duplicate-payment)
            assert response.status_code == 422, response.text
            assert response.json()["message"] == f"Payment with cart_id {model.id} already exists."
            return
        if not model.email:
            assert response.status_code == 400, response.text
            assert response.json()["message"] == (
                "Cannot create an order from the cart without a customer")
            model.paid = cart["total"] > 0
            return
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["type"] == "order"
        order = body["data"]
        assert order["cart_id"] == model.id and order["total"] == cart["total"]
        assert sorted((i["variant_id"], i["quantity"]) for i in order["items"]) == sorted(
            model.lines.items())
        model.completed, model.order_id = True, order["id"]

    @precondition(lambda self: self.model.completed)
    @rule()
    def complete_again(self) -> None:
        response = self.contract.request("POST", "/store/carts/{id}/complete",
                                         path_parameters=self.ids())
        assert response.status_code == 200, response.text
        assert response.json()["data"]["id"] == self.model.order_id

    # -- invariants ---------------------------------------------------------------------------
    def ids(self, **more: str) -> dict[str, str]:
        return {"id": self.model.id, **more}

    def line_id(self, variant: str) -> str:
        cart = cart_of(self.contract, self.model.id)
        return next(i["id"] for i in cart["items"] if i["variant_id"] == variant)

    def check(self, cart: dict[str, Any]) -> None:
        model = self.model
        assert {i["variant_id"]: i["quantity"] for i in cart["items"]} == model.lines
        assert bool(cart["shipping_methods"]) == model.shipping
        assert {d["code"] for d in cart["discounts"]} == model.discounts
        for item in cart["items"]:
            assert item["subtotal"] == item["unit_price"] * item["quantity"]
            assert item["total"] == item["subtotal"] - item["discount_total"] + item["tax_total"]
        assert cart["subtotal"] == sum(i["subtotal"] for i in cart["items"])
        assert cart["tax_total"] == cart["item_tax_total"] + cart["shipping_tax_total"]
        assert cart["total"] == (cart["subtotal"] + cart["shipping_total"] + cart["tax_total"]
                                 - cart["discount_total"] - cart["gift_card_total"]
                                 - cart["gift_card_tax_total"])
        if "FREESHIP" in model.discounts:
            assert cart["shipping_total"] == 0

    def teardown(self) -> None:
        if self.model.id:
            cart = cart_of(self.contract, self.model.id)
            assert bool(cart["completed_at"]) == self.model.completed


def test_cart_flow_state_machine(contract: Contract) -> None:
    regions = contract.request("GET", "/store/regions")
    assert regions.status_code == 200, regions.text
    region = next((r for r in regions.json()["regions"] if r["name"] == REGION_NAME), None)
    if region is None:
        pytest.skip(f"the target has no {REGION_NAME} region (seed it with the default seed)")
    products = contract.request("GET", "/store/products",
                                query={"region_id": region["id"], "limit": 50})
    assert products.status_code == 200, products.text
    variants = [v["id"] for p in products.json()["products"] if not p["is_giftcard"]
                for v in p["variants"][:1]
                if v.get("calculated_price") is not None and (
                    not v["manage_inventory"] or v["inventory_quantity"] >= 50)][:3]
    assert len(variants) == 3, "three priced variants with stock in the region"
    options = contract.target.options
    machine = type("BoundCartFlow", (CartFlow,), {
        "contract": contract, "region_id": region["id"], "variants": variants})
    run_state_machine(machine, options, steps=10)
