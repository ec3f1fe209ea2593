"""Orders: look-ups and the claim -> confirm flow."""

from __future__ import annotations

from typing import Any

from ..._domain.errors import UnexpectedError
from ..._quirks import implements
from .._context import current
from .._responses import json_response, send_status


def get_orders(display_id: float, email: str, **query: Any) -> Any:
    orders = current().services.orders
    config = {k: query.get(k) for k in ("fields", "expand")}
    if not float(display_id).is_integer() or not -(2 ** 31) <= display_id < 2 ** 31:
        orders.query_config(config, is_list=True)  # Medusa checks the query first
        # display_id is a PostgreSQL integer column: a fraction or a number out of its range
        # fails the query (quirk display-id-int4-500)
        raise UnexpectedError(f"display_id {display_id} is no PostgreSQL integer",
                              quirk="display-id-int4-500")
    order = orders.lookup(int(display_id), email, config)
    if order is None:
        return send_status(404)
    return json_response({"order": order})


def get_orders_order(id: str, **query: Any) -> Any:
    config = {k: query.get(k) for k in ("fields", "expand")}
    return json_response({"order": current().services.orders.retrieve(id, config)})


def get_orders_order_cart_id(cart_id: str) -> Any:
    return json_response({"order": current().services.orders.retrieve_by_cart(cart_id)})


@implements("claim-confirm-text-ok", "claim-order-ids-string")
def post_orders_customer_order_claim(body: dict[str, Any]) -> Any:
    ctx = current()
    order_ids = body["order_ids"]
    if isinstance(order_ids, str):
        order_ids = [order_ids]
    ctx.services.orders.request_claim(ctx.customer_id, order_ids)
    return send_status(200)


@implements("claim-confirm-text-ok", "confirm-needs-no-auth")
def post_orders_customer_order_claims_customer_order_claim_accept(body: dict[str, Any]) -> Any:
    current().services.orders.confirm_claim(body["token"])
    return send_status(200)
