"""The claim -> confirm flow, statefully: a logged-in customer takes over seeded guest orders.

Every request is a schemathesis case of ``openapi/store.yaml`` (or ``openapi/control.yaml`` for
``/_mock``) sent through :meth:`Contract.request`, so every response also passes schemathesis'
default checks (with only the rows of ``_allowances.ALLOWANCES``, e.g. the 500 ``unknown_error``
Medusa gives an expired claim token).

The claim token is read from ``GET /_mock/events?name=order-update-token.created``, in process and
against a live server alike. The document needs no OpenAPI links for this: the token travels
through the control plane, which a link in store.yaml could not name, so the flow is a Hypothesis
``RuleBasedStateMachine`` driving schemathesis cases, plus the claim → confirm journey as two plain
scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
)

from mock_server._claim_tokens import CLAIM_TOKEN_TTL

from ._allowances import UNKNOWN_ERROR
from ._harness import CLAIM_TOKEN_EVENT, CUSTOMER, Contract, run_state_machine, seeded_orders

GUEST_ORDERS = [order for order in seeded_orders() if order["guest"]]
OWN_ORDERS = [order for order in seeded_orders() if order["email"] == CUSTOMER["email"]]
PAGE = 100  # larger than every order the flow can give the customer


# -- the storefront steps, each one validated request --------------------------------------------
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def log_in(contract: Contract) -> tuple[str, dict[str, Any]]:
    """The seeded customer's bearer token and profile."""
    token = contract.login()
    me = contract.request("GET", "/store/customers/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    return token, me.json()["customer"]


def look_up(contract: Contract, display_id: int, email: str) -> Any:
    return contract.request("GET", "/store/orders",
                            query={"display_id": display_id, "email": email})


def claim(contract: Contract, token: str, order_ids: list[str]) -> list[dict[str, Any]]:
    """Ask for the orders; the ``order-update-token.created`` events the request emitted."""
    before = len(contract.events(CLAIM_TOKEN_EVENT))
    response = contract.request("POST", "/store/orders/batch/customer/token",
                                headers=bearer(token), body={"order_ids": order_ids})
    assert (response.status_code, response.text) == (200, "OK")
    # At least one event when any id exists; a real Medusa shows it a moment later.
    events = contract.wait_for_events(CLAIM_TOKEN_EVENT, before + min(1, len(order_ids)))
    return events[before:]


def confirm(contract: Contract, claim_token: str) -> Any:
    return contract.request("POST", "/store/orders/customer/confirm", body={"token": claim_token})


def my_orders(contract: Contract, token: str) -> dict[str, dict[str, Any]]:
    response = contract.request("GET", "/store/customers/me/orders", headers=bearer(token),
                                query={"limit": PAGE})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["count"] == len(page["orders"]) < PAGE
    return {order["id"]: order for order in page["orders"]}


def fresh_state(contract: Contract) -> None:
    if contract.controls_state():
        contract.reset()


def find_guest_order(contract: Contract) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first seeded guest order still found by its guest email (all of them on a fresh
    mock; a live Medusa keeps earlier claims until ``scripts/real-medusa reset``)."""
    for seeded in GUEST_ORDERS:
        response = look_up(contract, seeded["display_id"], seeded["email"])
        if response.status_code == 200:
            return seeded, response.json()["order"]
        assert (response.status_code, response.text) == (404, "Not Found")
    pytest.skip("every seeded guest order was claimed on this live server already: reset it")


def claim_and_confirm(contract: Contract) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """Log in, look up a guest order, claim it, read the token, confirm it, check the result.

    Returns the bearer token, the customer, the order (as looked up) and the claim token.
    """
    fresh_state(contract)
    token, customer = log_in(contract)
    seeded, order = find_guest_order(contract)
    assert order["email"] == seeded["email"]
    assert order["id"] not in my_orders(contract, token)

    events = claim(contract, token, [order["id"]])
    assert len(events) == 1, events
    event = events[0]["data"]
    assert event["old_email"] == seeded["email"]
    assert event["new_customer_id"] == customer["id"]
    assert event["orders"] == [order["id"]]

    response = confirm(contract, event["token"])
    assert (response.status_code, response.text) == (200, "OK")

    mine = my_orders(contract, token)
    assert order["id"] in mine
    assert mine[order["id"]]["email"] == customer["email"] == CUSTOMER["email"]
    assert mine[order["id"]]["customer_id"] == customer["id"]
    gone = look_up(contract, seeded["display_id"], seeded["email"])
    assert (gone.status_code, gone.text) == (404, "Not Found")
    found = look_up(contract, seeded["display_id"], customer["email"])
    assert found.status_code == 200 and found.json()["order"]["id"] == order["id"]
    return token, customer, order, event["token"]


# -- the claim → confirm journey -----------------------------------------------------------
def test_claim_then_confirm_gives_the_order_to_the_claimer(contract: Contract) -> None:
    if contract.claim_token_source() != "events":
        contract.not_covered("claim -> confirm ownership transfer: the target has no event "
                             "outbox (give --claim-token-events URL)")
        pytest.skip("not covered: no event outbox to read the claim token from")
    claim_and_confirm(contract)


def test_confirm_with_a_token_minted_like_the_deployment(contract: Contract) -> None:
    """The confirm-success path with a token signed with the deployment's JWT secret."""
    secret = contract.claim_token_secret()
    if secret is None:
        contract.not_covered("confirm success path with a minted token: no "
                             "--claim-token-secret given")
        pytest.skip("not covered: no --claim-token-secret")
    token, customer = log_in(contract)
    claim_token = contract.mint_claim_token(customer["id"], [])
    response = confirm(contract, claim_token)
    assert (response.status_code, response.text) == (200, "OK")
    wrong = contract.mint_claim_token(customer["id"], [], secret=secret + "-not")
    response = confirm(contract, wrong)
    assert (response.status_code, response.json()) == (500, UNKNOWN_ERROR)


def test_claim_token_expires_after_15_minutes(contract: Contract) -> None:
    if not contract.controls_state():
        pytest.skip("the live server has no /_mock/clock to move (a real Medusa): the token "
                    "would need 15 real minutes to expire")
    token, _, order, claim_token = claim_and_confirm(contract)

    again = confirm(contract, claim_token)  # a token works again until it expires
    assert (again.status_code, again.text) == (200, "OK")

    clock = contract.advance_clock(CLAIM_TOKEN_TTL + 1)
    assert clock["offset_seconds"] >= CLAIM_TOKEN_TTL + 1

    expired = confirm(contract, claim_token)
    assert expired.status_code == 500
    assert expired.json() == UNKNOWN_ERROR
    assert order["id"] in my_orders(contract, token)  # nothing was undone


# -- the state machine ------------------------------------------------------------------------
@dataclass
class GuestOrder:
    display_id: int
    guest_email: str
    email: str
    id: str | None = None
    claimed: bool = False
    """Confirmed for the customer (its email is now the customer's)."""


@dataclass
class ClaimToken:
    token: str
    orders: list[str]
    age: float = 0.0
    """Seconds the mock's clock moved since the token was issued."""

    @property
    def expired(self) -> bool:
        # The clock also moves in real time, so an age of exactly 900 s is expired too.
        return self.age >= CLAIM_TOKEN_TTL


@dataclass
class Model:
    orders: dict[int, GuestOrder] = field(default_factory=dict)
    tokens: list[ClaimToken] = field(default_factory=list)

    def by_id(self, order_id: str) -> GuestOrder:
        return next(order for order in self.orders.values() if order.id == order_id)

    @property
    def known(self) -> list[GuestOrder]:
        return [order for order in self.orders.values() if order.id is not None]


class ClaimFlow(RuleBasedStateMachine):
    """Look up, claim, confirm and move the clock; after each confirm and at the end, the
    customer's orders must be exactly the model's."""

    contract: Contract  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.contract.reset()
        self.model = Model(orders={
            seeded["display_id"]: GuestOrder(display_id=seeded["display_id"],
                                             guest_email=seeded["email"], email=seeded["email"])
            for seeded in GUEST_ORDERS})
        self.token = ""
        self.customer: dict[str, Any] = {}

    @initialize()
    def log_in(self) -> None:
        self.token, self.customer = log_in(self.contract)

    @rule(display_id=st.sampled_from(sorted(order["display_id"] for order in GUEST_ORDERS)),
          by_guest_email=st.booleans())
    def look_up(self, display_id: int, by_guest_email: bool) -> None:
        order = self.model.orders[display_id]
        email = order.guest_email if by_guest_email else self.customer["email"]
        response = look_up(self.contract, display_id, email)
        if email == order.email:
            assert response.status_code == 200, response.text
            found = response.json()["order"]
            assert found["email"] == order.email
            assert order.id in (None, found["id"])
            order.id = found["id"]
        else:
            assert (response.status_code, response.text) == (404, "Not Found")

    @rule(display_ids=st.lists(st.sampled_from(sorted(order["display_id"]
                                                       for order in GUEST_ORDERS)),
                               min_size=1, max_size=3, unique=True))
    def claim(self, display_ids: list[int]) -> None:
        chosen = [self.model.orders[display_id] for display_id in display_ids]
        ids: list[str] = []
        for order in chosen:
            if order.id is None:
                self.look_up(order.display_id, by_guest_email=order.email == order.guest_email)
            assert order.id is not None  # the look-up above found it
            ids.append(order.id)
        events = claim(self.contract, self.token, ids)
        expected: dict[str, list[str]] = {}
        for order, order_id in zip(chosen, ids, strict=True):
            expected.setdefault(order.email, []).append(order_id)
        if len(events) < len(expected):  # a live Medusa may show the rest a bit later
            total = len(self.contract.events(CLAIM_TOKEN_EVENT)) - len(events) + len(expected)
            events = self.contract.wait_for_events(CLAIM_TOKEN_EVENT, total)[-len(expected):]
        assert {event["data"]["old_email"]: event["data"]["orders"] for event in events} == (
            expected)
        for event in events:
            assert event["data"]["new_customer_id"] == self.customer["id"]
            self.model.tokens.append(ClaimToken(token=event["data"]["token"],
                                                orders=event["data"]["orders"]))

    @precondition(lambda self: self.model.tokens)
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        token = data.draw(st.sampled_from(self.model.tokens), label="token")
        response = confirm(self.contract, token.token)
        if token.expired:
            assert response.status_code == 500
            assert response.json() == UNKNOWN_ERROR
            return
        assert (response.status_code, response.text) == (200, "OK")
        for order_id in token.orders:
            order = self.model.by_id(order_id)
            order.email, order.claimed = self.customer["email"], True
        self.check_my_orders()

    @precondition(lambda self: self.model.tokens)
    @rule(seconds=st.sampled_from([300, CLAIM_TOKEN_TTL + 1]))
    def advance_clock(self, seconds: int) -> None:
        self.contract.advance_clock(seconds)
        for token in self.model.tokens:
            token.age += seconds

    def check_my_orders(self) -> None:
        mine = my_orders(self.contract, self.token)
        claimed = {order.id for order in self.model.known if order.claimed}
        unclaimed = {order.id for order in self.model.known if not order.claimed}
        assert claimed <= set(mine)
        assert not unclaimed & set(mine)
        assert len(mine) == len(OWN_ORDERS) + len(claimed)
        for order in mine.values():
            assert order["email"] == self.customer["email"]
            assert order["customer_id"] == self.customer["id"]

    def teardown(self) -> None:
        if self.token:
            self.check_my_orders()


def test_claim_flow_state_machine(contract: Contract) -> None:
    if not contract.controls_state():
        pytest.skip("the live server has no /_mock/reset and /_mock/clock (a real Medusa): "
                    "every example needs the seeded state and a movable clock")
    options = contract.target.options
    machine = type("BoundClaimFlow", (ClaimFlow,), {"contract": contract})
    run_state_machine(machine, options, steps=12)
