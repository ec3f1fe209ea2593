"""Customers: registration, profile, address book, orders, password reset."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response, send_status

ORDER_FILTERS = ("q", "id", "status", "fulfillment_status", "payment_status", "display_id",
                 "cart_id", "email", "region_id", "currency_code", "tax_rate")


def _me() -> Any:
    ctx = current()
    return json_response({"customer": ctx.services.customers.view(ctx.customer)})


def post_customers(body: dict[str, Any]) -> Any:
    ctx = current()
    customer = ctx.services.customers.create(body)
    ctx.session.data["customer_id"] = customer["id"]
    return json_response({"customer": ctx.services.customers.view(customer["id"])})


def get_customers_customer() -> Any:
    return _me()


def post_customers_customer(body: dict[str, Any]) -> Any:
    ctx = current()
    ctx.services.customers.update(ctx.customer, body)
    return _me()


def post_customers_customer_addresses(body: dict[str, Any]) -> Any:
    ctx = current()
    ctx.services.customers.add_address(ctx.customer, body["address"])
    return _me()


def post_customers_customer_addresses_address(address_id: str, body: dict[str, Any]) -> Any:
    ctx = current()
    ctx.services.customers.update_address(ctx.customer, address_id, body)
    return _me()


def delete_customers_customer_addresses_address(address_id: str) -> Any:
    ctx = current()
    ctx.services.customers.remove_address(ctx.customer, address_id)
    return _me()


def get_customers_customer_orders(**_parameters: Any) -> Any:
    ctx = current()
    # the DTO's values (``status[]=a,b`` included, which the document's parameters cannot name)
    query = _query.validate("GetCustomersCustomerOrders")
    filters = {key: query[key] for key in ORDER_FILTERS if query.get(key) is not None}
    orders, count = ctx.services.orders.list_for_customer(
        ctx.customer, limit=query["limit"], offset=query["offset"], filters=filters)
    return json_response({"orders": orders, "count": count, "offset": query["offset"],
                          "limit": query["limit"]})


def get_customers_customer_payment_methods() -> Any:
    ctx = current()
    ctx.services.customers.view(ctx.customer)  # 404 for a token of an unknown customer
    return json_response({"payment_methods": []})


def post_customers_reset_password(body: dict[str, Any]) -> Any:
    ctx = current()
    customer = ctx.services.customers.reset_password(body["email"], body["token"],
                                                     body["password"])
    view = ctx.services.customers.view(customer["id"])
    for key in ("billing_address", "shipping_addresses"):
        view.pop(key, None)
    return json_response({"customer": view})


def post_customers_customer_password_token(body: dict[str, Any]) -> Any:
    current().services.customers.request_password_reset(body["email"])
    return send_status(204)
