"""Auth: session login/logout, bearer tokens, and the email-exists check."""

from __future__ import annotations

from typing import Any

from ..._quirks import implements
from .._context import current
from .._responses import json_response, send_status

STORE_TOKEN_TTL = 30 * 24 * 60 * 60  # "30d"


def get_auth() -> Any:
    ctx = current()
    return json_response({"customer": ctx.services.customers.view(ctx.customer,
                                                                  with_orders=True)})


@implements("login-401-text")
def post_auth(body: dict[str, Any]) -> Any:
    ctx = current()
    customers = ctx.services.customers
    customer = customers.authenticate(body["email"], body["password"])
    if customer is None:
        return send_status(401)
    ctx.session.data["customer_id"] = customer["id"]
    return json_response({"customer": customers.view(customer["id"], with_orders=True)})


@implements("logout-needs-no-auth")
def delete_auth() -> Any:
    ctx = current()
    ctx.session.destroy()
    return send_status(200)


@implements("login-401-text")
def post_token(body: dict[str, Any]) -> Any:
    ctx = current()
    customer = ctx.services.customers.authenticate(body["email"], body["password"])
    if customer is None:
        return send_status(401)
    token = ctx.services.tokens.sign({"customer_id": customer["id"], "domain": "store"},
                                     expires_in=STORE_TOKEN_TTL)
    return json_response({"access_token": token})


def get_auth_email(email: str) -> Any:
    return json_response({"exists": current().services.customers.exists(email)})
