"""The storefront request sequences the scenarios play, written against the Medusa v1 Store API.

Each flow is ``async def flow(call, params, state)``: ``call(method, path, body, headers)`` sends
one request and returns the answer, or raises :class:`StepFailed` for a non-2xx answer or a
transport error (the iteration is then abandoned and counted as failed); ``params`` is what the
scenario's set-up found (region, products, variant, orders); ``state`` holds the worker number
``worker`` and the iteration number ``n``, for unique e-mails and for rotating through paths.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from mock_server._claim_tokens import CLAIM_TOKEN_EVENT as CLAIM_EVENT
from mock_server._claim_tokens import mint_claim_token

from .http import Response

PASSWORD = "bench-password-1"


class StepFailed(Exception):
    """A request of the flow did not succeed; the iteration stops here."""


class Call(Protocol):
    def __call__(self, method: str, path: str, body: Any = None,
                 headers: dict[str, str] | None = None) -> Awaitable[Response]: ...


Flow = Callable[[Call, dict[str, Any], dict[str, Any]], Awaitable[Any]]


def _unique(params: dict[str, Any], state: dict[str, Any], kind: str) -> str:
    return f"bench.{kind}.{params['run_id']}.{state['worker']}.{state['n']}@example.com"


def _json(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise StepFailed(f"{response.status}: not JSON: {response.body[:120]!r}") from None


# -- flows ---------------------------------------------------------------------------------------

async def get_paths(call: Call, params: dict[str, Any], state: dict[str, Any]) -> None:
    """One GET, rotating through ``params['paths']``."""
    paths = params["paths"]
    await call("GET", paths[(state["worker"] + state["n"]) % len(paths)])


async def cart_write(call: Call, params: dict[str, Any], state: dict[str, Any]) -> str:
    """Create a cart in the region and add one item of the variant."""
    cart = _json(await call("POST", "/store/carts", {"region_id": params["region_id"]}))
    cart_id = cart["cart"]["id"]
    await call("POST", f"/store/carts/{cart_id}/line-items",
               {"variant_id": params["variant_id"], "quantity": 1})
    return cart_id


async def checkout(call: Call, params: dict[str, Any], state: dict[str, Any]) -> str:
    """A guest checkout, step by step as a storefront does it; returns the order id."""
    cart_id = await cart_write(call, params, state)
    email = params.get("email") or _unique(params, state, "checkout")
    address = {"first_name": "Bench", "last_name": "Runner", "address_1": "Benchstrasse 1",
               "city": "Berlin", "country_code": params["country_code"],
               "postal_code": "10115"}
    await call("POST", f"/store/carts/{cart_id}",
               {"email": email, "shipping_address": address})
    options = _json(await call("GET", f"/store/shipping-options/{cart_id}"))
    choices = [o for o in options.get("shipping_options", []) if not o.get("is_return")]
    if not choices:
        raise StepFailed("no shipping option for the cart")
    await call("POST", f"/store/carts/{cart_id}/shipping-methods", {"option_id": choices[0]["id"]})
    await call("POST", f"/store/carts/{cart_id}/payment-sessions")
    await call("POST", f"/store/carts/{cart_id}/payment-session", {"provider_id": "manual"})
    done = _json(await call("POST", f"/store/carts/{cart_id}/complete"))
    if done.get("type") != "order":
        raise StepFailed(f"cart not completed into an order: type {done.get('type')!r}")
    return done["data"]["id"]


async def claim_confirm(call: Call, params: dict[str, Any], state: dict[str, Any]) -> None:
    """Register, log in (bearer), claim a guest order, get the claim token, confirm it."""
    email = _unique(params, state, "claim")
    registered = _json(await call("POST", "/store/customers", {
        "first_name": "Bench", "last_name": "Claimer", "email": email, "password": PASSWORD}))
    customer_id = registered["customer"]["id"]
    login = _json(await call("POST", "/store/auth/token", {"email": email, "password": PASSWORD}))
    bearer = {"Authorization": f"Bearer {login['access_token']}"}
    orders = params["order_ids"]
    order_id = orders[(state["worker"] + state["n"]) % len(orders)]
    await call("POST", "/store/orders/batch/customer/token", {"order_ids": [order_id]}, bearer)
    if params.get("claim_token") == "events":
        token = await _token_from_events(call, customer_id, order_id)
    else:
        token = mint_claim_token(params["jwt_secret"], customer_id, [order_id])
    await call("POST", "/store/orders/customer/confirm", {"token": token})


async def _token_from_events(call: Call, customer_id: str, order_id: str,
                             wait: float = 5.0) -> str:
    """The claim token from the outbox (``GET /_mock/events``); real Medusa's local event bus
    hands the event over a little later, so poll for a few seconds."""
    deadline = time.monotonic() + wait
    while True:
        events = _json(await call("GET", f"/_mock/events?name={CLAIM_EVENT}"))
        for event in reversed(events.get("events", [])):
            data = event.get("data") or {}
            if data.get("new_customer_id") == customer_id and order_id in data.get("orders", []):
                return data["token"]
        if time.monotonic() > deadline:
            raise StepFailed("no claim token event for the customer")
        await asyncio.sleep(0.05)


FLOWS: dict[str, Flow] = {
    "get": get_paths,
    "cart": cart_write,
    "checkout": checkout,
    "claim": claim_confirm,
}
