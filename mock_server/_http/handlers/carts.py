"""Carts: create, read, update, lines, discounts, shipping, payment sessions, taxes, complete."""

from __future__ import annotations

from typing import Any

from ..._domain import carts as cart_domain
from ..._domain.checkout import CompletionRefused
from .. import _errors, _query
from .._context import current
from .._responses import json_response
from .products import KEY_HEADER


def _client_context() -> dict[str, Any]:
    """What Medusa stores as the cart's context: the client's IP (as ``request-ip`` finds it)
    and user agent."""
    from connexion.context import scope

    forwarded = _query.header("x-forwarded-for")
    client = scope.get("client") or ("127.0.0.1", 0)
    ip = forwarded.split(",")[0].strip() if forwarded else client[0]
    return {"ip": ip, "user_agent": _query.header("user-agent")}


def _cart(cart_id: str, relations: frozenset[str] = cart_domain.DEFAULT_RELATIONS) -> Any:
    return json_response({"cart": current().services.carts.read(cart_id, relations)})


def post_cart(body: dict[str, Any] | None = None) -> Any:
    ctx = current()
    key = _query.header(KEY_HEADER)
    channels = ctx.services.catalog.key_scopes(key) if key else []
    cart = ctx.services.carts.create(body or {}, customer_id=ctx.customer_id,
                                     context=_client_context(), key_channels=channels)
    return _cart(cart["id"])


def get_carts_cart(id: str, **_query_params: Any) -> Any:
    ctx = current()
    if ctx.customer_id:
        ctx.services.carts.claim_for(id, ctx.customer_id)
    return _cart(id)


def post_carts_cart(id: str, body: dict[str, Any]) -> Any:
    ctx = current()
    ctx.services.carts.update(id, body, customer_id=ctx.customer_id)
    return _cart(id)


def post_carts_cart_line_items(id: str, body: dict[str, Any]) -> Any:
    ctx = current()
    ctx.services.carts.add_line_item(id, body["variant_id"], body["quantity"],
                                     body.get("metadata"), customer_id=ctx.customer_id)
    return _cart(id, cart_domain.WITH_CUSTOMER)


def post_carts_cart_line_items_item(id: str, line_id: str, body: dict[str, Any]) -> Any:
    current().services.carts.update_line_item(id, line_id, body["quantity"], body.get("metadata"))
    return _cart(id)


def delete_carts_cart_line_items_item(id: str, line_id: str) -> Any:
    current().services.carts.delete_line_item(id, line_id)
    return _cart(id)


def delete_carts_cart_discounts_discount(id: str, code: str) -> Any:
    current().services.carts.remove_discount(id, code)
    return _cart(id)


def post_carts_cart_shipping_method(id: str, body: dict[str, Any]) -> Any:
    # the DTO's default for a missing ``data`` is {}; a null one stays null
    current().services.carts.add_shipping_method(id, body["option_id"], body.get("data", {}))
    return _cart(id)


def post_carts_cart_payment_sessions(id: str) -> Any:
    carts = current().services.carts
    carts.create_payment_sessions(id)
    stored = carts.read(id, cart_domain.WITH_CUSTOMER, force_taxes=True, raw_discount=True)
    # Medusa answers the cart twice: as stored for the idempotency key, and cleaned as `data`
    data = {k: v for k, v in stored.items() if k != "raw_discount_total"}
    return json_response({"cart": stored, "data": data})


def post_carts_cart_payment_session(id: str, body: dict[str, Any]) -> Any:
    current().services.carts.select_payment_session(id, body["provider_id"])
    return _cart(id)


def post_carts_cart_payment_session_update(id: str, provider_id: str,
                                           body: dict[str, Any]) -> Any:
    current().services.carts.update_payment_session(id, provider_id, body["data"])
    return _cart(id)


def post_carts_cart_payment_sessions_session(id: str, provider_id: str) -> Any:
    current().services.carts.refresh_payment_session(id, provider_id)
    return _cart(id, cart_domain.REFRESH_RELATIONS)


def delete_carts_cart_payment_sessions_session(id: str, provider_id: str) -> Any:
    current().services.carts.delete_payment_session(id, provider_id)
    return _cart(id)


def post_carts_cart_taxes(id: str) -> Any:
    return json_response({"cart": current().services.carts.calculate_taxes(id)})


def post_carts_cart_complete(id: str) -> Any:
    from connexion.context import scope

    try:
        body, key = current().services.checkout.complete(
            id, idempotency_key=_query.header("idempotency-key"), path=scope.get("path", ""))
        status = 200
    except CompletionRefused as refused:
        status, body = _errors.errors_body(refused.type, refused.errors)
        key = refused.idempotency_key
    response = json_response(body, status)
    response.headers["Access-Control-Expose-Headers"] = "Idempotency-Key"
    response.headers["Idempotency-Key"] = key
    return response
