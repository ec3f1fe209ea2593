"""The one table of Medusa quirks the contract tests tolerate, by operation, check and case.

A row lets ONE schemathesis check fail for ONE operation (or, for Express's own routing, which
runs before any operation, for any operation: ``ANY_OPERATION``), and only for responses that
satisfy the row's condition. Everything else a check reports stays a failure. The rows are
applied in exactly one place: :func:`mock_server.contract._harness.wrap_check`, which wraps every
default check and counts what each row let through (the "allowed" column of the summary).

Add a row only for behaviour a real Medusa 1.20.11 shows and the mock reproduces on purpose, as
the document or ``docs/deviations.md`` describes it; never to hide a difference between the mock
and the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

# Medusa's error handler answer for an error it does not know (api/middlewares/error-handler.ts).
UNKNOWN_ERROR = {
    "code": "unknown_error",
    "type": "unknown_error",
    "message": "An unknown error occurred.",
}
# The document's pattern for a claim token (StorePostCustomersCustomerAcceptClaimReq.token).
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")
_DUPLICATE_MESSAGES = (
    "A customer with the given email already has an account. Log in instead",
    "Guest customer with email already exists",
)
_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"}
ANY_OPERATION = "*"
"""For a row about Express itself (routing happens before any operation): the condition alone
decides, and it must name the exact Express answer."""


def _json_body(response: Any) -> Any:
    try:
        return response.json()
    except Exception:
        return None


def _is_unknown_error(response: Any) -> bool:
    return response.status_code == 500 and _json_body(response) == UNKNOWN_ERROR


def _body(case: Any) -> dict[str, Any]:
    return case.body if isinstance(case.body, dict) else {}


def _unknown_error_for_jwt_shaped_token(case: Any, response: Any) -> bool:
    token = _body(case).get("token")
    return (isinstance(token, str) and bool(_JWT_SHAPE.match(token))
            and _is_unknown_error(response))


def _unknown_error_for_reset_with_token(case: Any, response: Any) -> bool:
    body = _body(case)
    return (isinstance(body.get("token"), str) and isinstance(body.get("email"), str)
            and isinstance(body.get("password"), str) and _is_unknown_error(response))


def _express_cannot_method(case: Any, response: Any) -> bool:
    """Express's answer to a method no route has: 404 ``Cannot <METHOD> <path>``, as the mock's
    JSON error (registry ``unknown-route-json-404``) or as Express's own HTML page."""
    request = response.request
    method = str(request.method or "").upper()
    declared = {m.upper() for m in case.operation.schema[case.operation.path]
                if m.lower() in _HTTP_METHODS}
    if response.status_code != 404 or not method or method in declared:
        return False
    path = urlsplit(str(request.url)).path
    expected = f"Cannot {method} {unquote(path)}"
    if _json_body(response) == {"type": "not_found", "message": expected}:
        return True
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    return str(content_type).startswith("text/html") and expected in response.text


def _duplicate_customer(case: Any, response: Any) -> bool:
    body = _json_body(response)
    return (response.status_code == 422 and isinstance(body, dict)
            and body.get("code") == "invalid_request_error"
            and body.get("type") == "duplicate_error"
            and body.get("message") in _DUPLICATE_MESSAGES)


def _address_not_in_book(case: Any, response: Any) -> bool:
    return response.status_code == 400 and _json_body(response) == {
        "type": "invalid_data", "message": "Could not find address for customer"}


# What Medusa's cart service and completion strategy answer for a request the document accepts
# but the cart's state refuses (the messages of services/cart.js, line-item.js, order.js and
# strategies/cart-completion.js).
_CART_STATE_MESSAGES = re.compile("|".join((
    r"Shipping country not in region", r"Shipping country must be in the cart region",
    r"Billing country not in region", r"Country not available in region",
    r"Variant with id: \S* does not have the required inventory",
    r"Inventory doesn't cover the desired quantity",
    r"Unable to generate the line items, some variant has not been found: .*",
    r"Cannot generate line item for variant .* without a price",
    r"The products \[.*\] must belongs to the sales channel on which the cart has been created\.",
    r"The gift card is disabled", r"The gift card cannot be used in the current region",
    r"The discount code \S+ is disabled", r"Discount is not valid yet", r"Discount is expired",
    r"Discount has been used maximum allowed times",
    r"The discount is not available in current region",
    r"The payment method is not available in this region", r"Could not find the line item",
    r"You cannot complete a cart without a payment session\.",
    r"Cannot create order from empty cart",
    r"Cannot create an order from the cart without a customer",
    r"Unable to assign the cart to a disabled Sales Channel .*",
    r"The shipping option is not available in the cart's region",
    r"The Cart does not satisfy the shipping option's requirements",
    r"Cart payment not authorized",
    r"Unable to generate the line item because one or more required argument\(s\) are missing\. "
    r"Ensure quantity, regionId, and variantId are passed",
    # a null the document allows (quirk null-optional-properties)
    r"The email is not valid", r"A region_id must be provided when creating a cart",
    r"Can't insert null value in field data on insert in table shipping_method",
)))
CART_OPERATIONS = (
    "PostCart", "PostCartsCart", "PostCartsCartComplete", "PostCartsCartLineItems",
    "PostCartsCartLineItemsItem", "DeleteCartsCartLineItemsItem", "PostCartsCartShippingMethod",
    "PostCartsCartPaymentSession", "PostCartsCartPaymentSessions",
    "PostCartsCartPaymentSessionUpdate", "DeleteCartsCartPaymentSessionsSession",
    "PostCartsCartPaymentSessionsSession", "DeleteCartsCartDiscountsDiscount",
    "PostCartsCartTaxes",
)


def _cart_state_refusal(case: Any, response: Any) -> bool:
    body = _json_body(response)
    return (response.status_code == 400 and isinstance(body, dict)
            and set(body) <= {"type", "message", "code"}
            and body.get("type") in ("not_allowed", "invalid_data")
            and isinstance(body.get("message"), str)
            and bool(_CART_STATE_MESSAGES.fullmatch(body["message"])))


def _header(response: Any, name: str) -> str | None:
    value = response.headers.get(name) or response.headers.get(name.lower())
    if isinstance(value, list):
        value = value[0] if value else None
    return value


def _mock_quirk_500(*quirks: str) -> Callable[[Any, Any], bool]:
    """Exactly Medusa's 500 ``unknown_error``, answered by the mock on purpose: it names one of
    these registry keys in ``X-Medusa-Mock-Quirk`` (a crash of the mock names none, and stays a
    failure; a real deployment sends no such header, so its 500s go to the audit's baseline)."""
    def condition(case: Any, response: Any) -> bool:
        return _is_unknown_error(response) and _header(response, "X-Medusa-Mock-Quirk") in quirks
    return condition


@dataclass(frozen=True)
class Allowance:
    operation_id: str
    check: str
    """The ``__name__`` of the schemathesis check this row lets fail."""
    condition: Callable[[Any, Any], bool]
    """``condition(case, response)``: the row applies only when this is true."""
    condition_text: str
    reason: str


def _reproduced_500(quirks: tuple[str, ...], operations: tuple[str, ...],
                    reason: str) -> tuple[Allowance, ...]:
    """One row per operation: the mock's deliberate 500 for one of these registry keys."""
    return tuple(
        Allowance(operation_id=operation, check="not_a_server_error",
                  condition=_mock_quirk_500(*quirks),
                  condition_text=("exactly 500 unknown_error with X-Medusa-Mock-Quirk: "
                                  + " or ".join(quirks)),
                  reason=reason)
        for operation in operations)


ALLOWANCES: tuple[Allowance, ...] = (
    Allowance(
        operation_id=ANY_OPERATION,
        check="unsupported_method",
        condition=_express_cannot_method,
        condition_text=("the request method is not declared for the path and the answer is 404 "
                        "with Express's `Cannot <METHOD> <path>`: the mock's JSON "
                        "{type: not_found, message} or Express's text/html page"),
        reason=("Express has no 405: a method no route declares falls through to its 404 "
                "handler, before any Medusa route runs (registry unknown-route-json-404)."),
    ),
    Allowance(
        operation_id="PostCustomers",
        check="positive_data_acceptance",
        condition=_duplicate_customer,
        condition_text=("422 {code: invalid_request_error, type: duplicate_error} with one of "
                        "CustomerService.create's two duplicate messages"),
        reason=("Medusa answers a duplicate registration (an email with an account, or a second "
                "guest registration without password) with 422 duplicate_error, not 409; the "
                "document lists this 422. The seed and earlier cases make such emails exist."),
    ),
    Allowance(
        operation_id="PostCustomersCustomerAddressesAddress",
        check="positive_data_acceptance",
        condition=_address_not_in_book,
        condition_text="400 {type: invalid_data, message: 'Could not find address for customer'}",
        reason=("Medusa's CustomerService.updateAddress answers an address id that is not in the "
                "customer's book with INVALID_DATA (400), not 404; the document describes it. "
                "Generated ids are almost never in the book."),
    ),
    Allowance(
        operation_id="PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept",
        check="not_a_server_error",
        condition=_unknown_error_for_jwt_shaped_token,
        condition_text=("body.token matches the document's JWT pattern (so validation passed) and "
                        "the answer is exactly 500 {code,type: unknown_error, message: 'An "
                        "unknown error occurred.'}"),
        reason=("Medusa 1.20.11 lets jsonwebtoken's verify error (bad signature, expired, "
                "maxAge exceeded, malformed) escape as 500 unknown_error; the document lists "
                "this 500 (quirk claim-confirm-bad-token-500)."),
    ),
    Allowance(
        operation_id="PostCustomersResetPassword",
        check="not_a_server_error",
        condition=_unknown_error_for_reset_with_token,
        condition_text=("a valid body (email, token, password strings) and the answer is "
                        "exactly 500 unknown_error"),
        reason=("Medusa 1.20.11 lets jsonwebtoken's verify error escape as 500 unknown_error "
                "when the email belongs to a registered customer but the token does not "
                "verify; the document lists this 500 (quirk password-reset-bad-token-500)."),
    ),
)


ALLOWANCES += tuple(
    Allowance(
        operation_id=operation,
        check="positive_data_acceptance",
        condition=_cart_state_refusal,
        condition_text=("400 {type: not_allowed | invalid_data} whose message is one of the cart "
                        "service's refusals for the cart's state (country outside the region, "
                        "stock, unpriced or unknown variant, gift card or discount rules, no "
                        "payment session, ...)"),
        reason=("A schema-valid request can still ask for something the cart's state refuses; "
                "Medusa answers 400 with these messages (services/cart.js, line-item.js, "
                "order.js, strategies/cart-completion.js). Generated ids, countries and "
                "quantities hit them constantly."),
    )
    for operation in CART_OPERATIONS
)

ALLOWANCES += tuple(
    Allowance(
        operation_id=operation,
        check="not_a_server_error",
        condition=_mock_quirk_500("cart-unknown-id-500",
                                  "cart-shipping-options-unknown-cart-500"),
        condition_text=("exactly 500 unknown_error with X-Medusa-Mock-Quirk naming "
                        "cart-unknown-id-500 or cart-shipping-options-unknown-cart-500"),
        reason=("Medusa 1.20.11 answers an unknown cart id on these routes with 500 "
                "unknown_error (its query fails before the not-found check); the document lists "
                "the 500 and the mock reproduces it."),
    )
    for operation in (*CART_OPERATIONS, "GetShippingOptionsCartId")
    if operation not in ("PostCart",)
) + (
    Allowance(
        operation_id="GetProducts",
        check="not_a_server_error",
        condition=_mock_quirk_500("products-unknown-cart-500"),
        condition_text=("exactly 500 unknown_error with X-Medusa-Mock-Quirk: "
                        "products-unknown-cart-500"),
        reason=("Medusa 1.20.11 answers a `cart_id` that names no cart with 500 unknown_error "
                "on the product list; the document lists the 500 and the mock reproduces it."),
    ),
)


ALLOWANCES += tuple(
    Allowance(
        operation_id=operation,
        check="not_a_server_error",
        condition=_mock_quirk_500("pagination-bigint-500", "tag-date-bounds-raw-500",
                                  "discount-condition-empty-500"),
        condition_text=("exactly 500 unknown_error with X-Medusa-Mock-Quirk: "
                        "pagination-bigint-500, tag-date-bounds-raw-500 or "
                        "discount-condition-empty-500"),
        reason=("Medusa 1.20.11 hands an `offset`/`limit` of 2^63 or more, and (tags, types) a "
                "date bound PostgreSQL cannot read or an empty `discount_condition_id`, to the "
                "database, which fails: 500 unknown_error; the document lists the 500."),
    )
    for operation in ("GetProducts", "GetVariants", "GetRegions", "GetCollections",
                      "GetProductCategories", "GetProductTags", "GetProductTypes",
                      "GetCustomersCustomerOrders")
)


ALLOWANCES += (
    Allowance(
        operation_id="PostCustomersCustomer",
        check="positive_data_acceptance",
        condition=lambda case, response: response.status_code == 422 and bool(re.fullmatch(
            r"Customer with email, has_account .*, [tf] already exists\.",
            str((_json_body(response) or {}).get("message")))),
        condition_text=("422 duplicate_error `Customer with email, has_account <email>, <t|f> "
                        "already exists.`"),
        reason=("Changing the email to one another customer with the same kind of account "
                "holds fails the unique index (quirk customer-email-update-as-sent); the "
                "document lists the 422."),
    ),
    Allowance(
        operation_id="PostCustomersCustomer",
        check="positive_data_acceptance",
        condition=lambda case, response: response.status_code == 400 and _json_body(
            response) == {"type": "invalid_data", "message": "Can't insert null value in field "
                          "email on insert in table customer"},
        condition_text=("400 {type: invalid_data, message: 'Can't insert null value in field "
                        "email on insert in table customer'}"),
        reason=("class-validator lets `email: null` through (IsOptional) and PostgreSQL refuses "
                "it as the customer's email; the document allows null as Medusa's validation "
                "does (quirk null-optional-properties)."),
    ),
) + _reproduced_500(
    ("variant-inventory-int4-500",), ("GetVariants",),
    "Medusa 1.20.11 hands an `inventory_quantity` bound that is no whole number within "
    "PostgreSQL's integer range to the database, which fails: 500 unknown_error; the document "
    "lists it.",
) + _reproduced_500(
    ("null-optional-properties",), ("PostCart", "PostCartsCart"),
    "Medusa 1.20.11 reads a null `sales_channel_id` (and on an update a null `billing_address` "
    "or `discounts`) as a value and fails: 500 unknown_error; the document lists it.",
) + _reproduced_500(
    ("line-item-quantity-db-500",),
    ("PostCart", "PostCartsCartLineItems", "PostCartsCartLineItemsItem"),
    "Medusa 1.20.11 writes a line whose quantity ends at 0 or below (a negative `quantity`, "
    "also merged) or past PostgreSQL's integer, and the `line_item` table refuses it: 500 "
    "unknown_error; the document lists it.",
)


ALLOWANCES += (
    Allowance(
        operation_id="GetOrders",
        check="not_a_server_error",
        condition=_mock_quirk_500("display-id-int4-500"),
        condition_text="exactly 500 unknown_error with X-Medusa-Mock-Quirk: display-id-int4-500",
        reason=("Medusa 1.20.11 hands a `display_id` that is a fraction or outside "
                "PostgreSQL's integer range to the database, which fails: 500 unknown_error; "
                "the document lists it."),
    ),
)


def find_allowance(operation_id: str | None, check: str, case: Any,
                   response: Any) -> Allowance | None:
    """The row that lets ``check`` fail for this case and response, if there is one."""
    for row in ALLOWANCES:
        if (row.operation_id in (operation_id, ANY_OPERATION) and row.check == check
                and row.condition(case, response)):
            return row
    return None
