"""Storefront scenarios played against two deployments by ``medusa-mock diff``.

A scenario is a list of steps. A step names its operation (operationId), a request built from the
scenario's variables, and what to capture from the answer for later steps. Each side keeps its own
variables (ids differ between deployments); the inputs that matter (emails, passwords, payloads)
are the same on both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Vars = dict[str, Any]


@dataclass
class Step:
    operation: str
    method: str
    path: str  # str.format'ed with the side's variables
    body: Any = None  # JSON body (formatted recursively), or bytes sent raw
    headers: dict[str, str] = field(default_factory=dict)
    auth: str | None = None  # None | "bearer" | "cookie"
    capture: Callable[[Any, Vars], None] | None = None
    before: Callable[[Any, Vars], None] | None = None  # (client, vars): e.g. read an event
    content_type: str = "application/json"
    deviation: str | None = None  # a key of the quirks registry when a difference is deliberate


@dataclass
class Scenario:
    name: str
    description: str
    steps: list[Step]


def _set(name: str, getter: Callable[[Any], Any]) -> Callable[[Any, Vars], None]:
    def capture(body: Any, variables: Vars) -> None:
        try:
            variables[name] = getter(body)
        except (KeyError, IndexError, TypeError):
            variables.setdefault(name, f"<no {name}>")

    return capture


def _keep_token(body: Any, variables: Vars) -> None:
    _set("bearer", lambda b: b["access_token"])(body, variables)


def scenarios() -> list[Scenario]:
    customer = {"email": "{email}", "password": "{password}", "first_name": "Dee",
                "last_name": "Eff"}
    login = {"email": "{email}", "password": "{password}"}
    address = {"first_name": "Dee", "last_name": "Eff", "address_1": "1 Test Road",
               "city": "Berlin", "country_code": "de", "postal_code": "10115"}
    return [
        Scenario("register-login", "register, session and bearer login, logout", [
            Step("GetAuthEmail", "GET", "/store/auth/{email}"),
            Step("PostCustomers", "POST", "/store/customers", customer),
            Step("GetAuthEmail", "GET", "/store/auth/{email}"),
            Step("PostCustomers", "POST", "/store/customers", customer),
            Step("GetCustomersCustomer", "GET", "/store/customers/me", auth="cookie"),
            Step("DeleteAuth", "DELETE", "/store/auth", auth="cookie"),
            Step("GetCustomersCustomer", "GET", "/store/customers/me", auth="cookie"),
            Step("PostAuth", "POST", "/store/auth", {"email": "{email}", "password": "wrong"}),
            Step("PostAuth", "POST", "/store/auth", login, auth="cookie"),
            Step("GetAuth", "GET", "/store/auth", auth="cookie"),
            Step("PostToken", "POST", "/store/auth/token", {"email": "{email}",
                                                            "password": "wrong"}),
            Step("PostToken", "POST", "/store/auth/token", login, capture=_keep_token),
            Step("GetCustomersCustomer", "GET", "/store/customers/me", auth="bearer"),
            Step("GetAuth", "GET", "/store/auth", auth="bearer"),
        ]),
        Scenario("profile", "profile, metadata, addresses, payment methods", [
            Step("PostCustomers", "POST", "/store/customers", customer),
            Step("PostToken", "POST", "/store/auth/token", login, capture=_keep_token),
            Step("PostCustomersCustomer", "POST", "/store/customers/me",
                 {"first_name": "Dora", "metadata": {"k": "v"}}, auth="bearer"),
            Step("PostCustomersCustomer", "POST", "/store/customers/me",
                 {"billing_address": address}, auth="bearer"),
            Step("PostCustomersCustomerAddresses", "POST", "/store/customers/me/addresses",
                 {"address": address}, auth="bearer",
                 capture=_set("address_id",
                              lambda b: b["customer"]["shipping_addresses"][0]["id"])),
            Step("PostCustomersCustomerAddresses", "POST", "/store/customers/me/addresses",
                 {"address": address}, auth="bearer"),
            Step("PostCustomersCustomerAddressesAddress", "POST",
                 "/store/customers/me/addresses/{address_id}", {"city": "Hamburg"},
                 auth="bearer"),
            Step("PostCustomersCustomerAddressesAddress", "POST",
                 "/store/customers/me/addresses/addr_doesnotexist", {"city": "Hamburg"},
                 auth="bearer"),
            Step("DeleteCustomersCustomerAddressesAddress", "DELETE",
                 "/store/customers/me/addresses/{address_id}", auth="bearer"),
            Step("GetCustomersCustomerPaymentMethods", "GET",
                 "/store/customers/me/payment-methods", auth="bearer"),
            Step("GetCustomersCustomerOrders", "GET", "/store/customers/me/orders",
                 auth="bearer"),
            Step("GetCustomersCustomerOrders", "GET",
                 "/store/customers/me/orders?limit=1&offset=0", auth="bearer"),
        ]),
        Scenario("password-reset", "ask for a reset token, reset with bad tokens", [
            Step("PostCustomers", "POST", "/store/customers", customer),
            Step("PostCustomersCustomerPasswordToken", "POST", "/store/customers/password-token",
                 {"email": "{email}"}),
            Step("PostCustomersCustomerPasswordToken", "POST", "/store/customers/password-token",
                 {"email": "nobody.{suffix}@example.com"}),
            Step("PostCustomersResetPassword", "POST", "/store/customers/password-reset",
                 {"email": "nobody.{suffix}@example.com", "token": "a.b.c", "password": "x"}),
            Step("PostCustomersResetPassword", "POST", "/store/customers/password-reset",
                 {"email": "{email}", "token": "not-a-token", "password": "x"}),
        ]),
        Scenario("order-lookup", "a guest finds an order by number and email", [
            Step("GetOrders", "GET", "/store/orders?display_id={order_display_id}&email="
                 "{order_email}", capture=_set("order_id", lambda b: b["order"]["id"])),
            Step("GetOrders", "GET", "/store/orders?display_id={order_display_id}&email="
                 "wrong.{suffix}@example.com"),
            Step("GetOrders", "GET", "/store/orders"),
            Step("GetOrdersOrder", "GET", "/store/orders/{order_id}",
                 capture=_set("cart_id", lambda b: b["order"]["cart_id"])),
            Step("GetOrdersOrder", "GET", "/store/orders/order_doesnotexist"),
            Step("GetOrdersOrderCartId", "GET", "/store/orders/cart/{cart_id}"),
            Step("GetOrdersOrderCartId", "GET", "/store/orders/cart/cart_doesnotexist"),
        ]),
        Scenario("claim-confirm", "claim a guest order, confirm with the emitted token", [
            Step("PostCustomers", "POST", "/store/customers", customer),
            Step("PostToken", "POST", "/store/auth/token", login, capture=_keep_token),
            Step("GetOrders", "GET", "/store/orders?display_id={order_display_id}&email="
                 "{order_email}", capture=_set("order_id", lambda b: b["order"]["id"])),
            Step("PostOrdersCustomerOrderClaim", "POST", "/store/orders/batch/customer/token",
                 {"order_ids": []}, auth="bearer"),
            Step("PostOrdersCustomerOrderClaim", "POST", "/store/orders/batch/customer/token",
                 {"order_ids": [123]}, auth="bearer"),
            Step("PostOrdersCustomerOrderClaim", "POST", "/store/orders/batch/customer/token",
                 {"order_ids": ["{order_id}"], "foo": 1}, auth="bearer"),
            Step("PostOrdersCustomerOrderClaim", "POST", "/store/orders/batch/customer/token",
                 {"order_ids": ["{order_id}"]}),
            Step("PostOrdersCustomerOrderClaim", "POST", "/store/orders/batch/customer/token",
                 {"order_ids": ["{order_id}"]}, auth="bearer"),
            Step("PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept", "POST",
                 "/store/orders/customer/confirm", {"token": "not-a-jwt"}),
            Step("PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept", "POST",
                 "/store/orders/customer/confirm", {"token": "{claim_token}"},
                 before=lambda client, v: v.update(claim_token=client.claim_token(v))),
            Step("PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept", "POST",
                 "/store/orders/customer/confirm", {"token": "{claim_token}"}),
            Step("GetCustomersCustomerOrders", "GET", "/store/customers/me/orders",
                 auth="bearer"),
        ]),
        Scenario("errors", "unknown routes and malformed input", [
            Step("(unknown route)", "GET", "/store/does-not-exist",
                 deviation="unknown-route-json-404"),
            Step("PostAuth", "POST", "/store/auth", b'{"email":', deviation="malformed-json-body"),
            Step("PostAuth", "POST", "/store/auth", {"email": "x"}),
            Step("PostCustomers", "POST", "/store/customers", {}),
            Step("PostCustomersCustomerPasswordToken", "POST", "/store/customers/password-token",
                 b"email=x", content_type="application/x-www-form-urlencoded"),
        ]),
        Scenario("catalog", "what a storefront reads before checkout", [
            Step("GetRegions", "GET", "/store/regions",
                 capture=_set("region_id", lambda b: b["regions"][0]["id"])),
            Step("GetRegionsRegion", "GET", "/store/regions/{region_id}"),
            Step("GetProducts", "GET", "/store/products?limit=12&region_id={region_id}",
                 capture=_set("product_id", lambda b: b["products"][0]["id"])),
            Step("GetProductsProduct", "GET", "/store/products/{product_id}?region_id={region_id}"),
            Step("GetCollections", "GET", "/store/collections"),
            Step("GetProductTags", "GET", "/store/product-tags"),
            Step("GetProductTypes", "GET", "/store/product-types"),
            Step("GetProductCategories", "GET", "/store/product-categories"),
            Step("GetShippingOptions", "GET", "/store/shipping-options?region_id={region_id}"),
            Step("GetReturnReasons", "GET", "/store/return-reasons"),
            Step("GetVariants", "GET", "/store/variants"),
        ]),
    ]
