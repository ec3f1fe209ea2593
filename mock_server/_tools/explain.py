"""Which disagreements a deliberate difference of the mock explains.

The quirks registry (``mock_server/_quirks.py``) lists two kinds of rows: *reproduced* Medusa
quirks (the mock must answer like real Medusa, so a difference there is still a disagreement)
and *mock differs* rows (the mock answers otherwise on purpose: JSON instead of an HTML page, a
400 instead of a 500, ...). This module holds, for each *mock differs* row that can show up in a
diff, a predicate over the exact pair of answers the row describes: a disagreement counts as
explained only when the predicate matches that request and that pair of answers, never merely
because the operation has a quirk.

A predicate gets the :class:`~.compare.Comparison` and returns the reasons it explains (all of
them, or a part, e.g. only the list-length differences of ``payment_providers``); a comparison is
explained when one row explains every reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qsl

from .compare import Comparison

Predicate = Callable[[Comparison], list[str]]
PREDICATES: dict[str, Predicate] = {}


def predicate(key: str) -> Callable[[Predicate], Predicate]:
    def register(function: Predicate) -> Predicate:
        PREDICATES[key] = function
        return function

    return register


def _all(c: Comparison) -> list[str]:
    return list(c.reasons)


def _query(c: Comparison) -> list[tuple[str, str]]:
    return parse_qsl(c.query, keep_blank_values=True)


def _json_error(answer: object, status: int, error_type: str) -> bool:
    return (getattr(answer, "status", None) == status
            and getattr(answer, "media_type", "") == "application/json"
            and getattr(answer, "error_type", None) == error_type)


def _server_error(answer: object) -> bool:
    return getattr(answer, "status", None) == 500 and (
        getattr(answer, "error_type", None) == "unknown_error")


@predicate("malformed-json-body")
def _malformed_json(c: Comparison) -> list[str]:
    ref, cand = c.reference, c.candidate
    if (ref.status == 400 and ref.media_type == "text/html" and "SyntaxError" in ref.text
            and _json_error(cand, 400, "invalid_data")):
        return _all(c)
    return []


@predicate("unknown-route-json-404")
def _unknown_route(c: Comparison) -> list[str]:
    ref, cand = c.reference, c.candidate
    if (ref.status == 404 and ref.media_type == "text/html" and "Cannot " in ref.text
            and _json_error(cand, 404, "not_found")
            and (cand.message or "").startswith("Cannot ")):
        return _all(c)
    return []


@predicate("body-too-large-json-413")
def _too_large(c: Comparison) -> list[str]:
    if _json_error(c.candidate, 413, "invalid_data") and c.reference.media_type != (
            "application/json"):
        return _all(c)
    return []


@predicate("body-nesting-limit")
def _nesting(c: Comparison) -> list[str]:
    if _json_error(c.candidate, 400, "invalid_data") and "nested deeper than" in (
            c.candidate.message or ""):
        return _all(c)
    return []


@predicate("text-stored-as-sent")
def _nul_text(c: Comparison) -> list[str]:
    body = c.body or b""
    holds_nul = b"\\u0000" in body or "%00" in c.query
    if holds_nul and _server_error(c.reference) and c.candidate.status < 500:
        return _all(c)
    return []


@predicate("billing-address-foreign-id")
def _foreign_billing_address(c: Comparison) -> list[str]:
    if (c.operation == "PostCustomersCustomer" and c.reference.status == 200
            and _json_error(c.candidate, 404, "not_found")
            and (c.candidate.message or "").startswith("Address with id")):
        return _all(c)
    return []


_NEGATIVE = re.compile(r"^\s*-\s*(\d|\.\d)")


@predicate("pagination-minimum-zero")
def _negative_page(c: Comparison) -> list[str]:
    negative = any(name in ("limit", "offset") and _NEGATIVE.match(value)
                   for name, value in _query(c))
    if negative and _server_error(c.reference) and _json_error(c.candidate, 400,
                                                                "invalid_data"):
        return _all(c)
    return []


@predicate("fields-unknown-column-400")
def _unknown_column(c: Comparison) -> list[str]:
    operations = ("GetProducts", "GetProductsProduct", "GetVariants", "GetProductCategories",
                  "GetProductCategoriesCategory")
    names = {name for name, _ in _query(c)}
    selects = (c.operation in operations and names & {"fields", "expand"}) or (
        c.operation == "GetProductTypes" and "order" in names)
    if (selects and _server_error(c.reference)
            and _json_error(c.candidate, 400, "invalid_data")):
        return _all(c)
    return []


_NUMERIC = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


@predicate("customer-orders-filter-500")
def _customer_order_filters(c: Comparison) -> list[str]:
    if c.operation != "GetCustomersCustomerOrders" or not (
            _server_error(c.reference) and c.candidate.status == 200):
        return []
    query = _query(c)
    if any((name == "q" and value == "")
           or (name in ("display_id", "tax_rate") and not _NUMERIC.match(value))
           or name in ("fields", "expand") for name, value in query):
        return _all(c)
    return []


@predicate("customer-address-missing-400")
def _address_missing(c: Comparison) -> list[str]:
    if c.operation != "PostCustomersCustomerAddresses" or not (
            _server_error(c.reference) and _json_error(c.candidate, 400, "invalid_data")):
        return []
    try:
        body = json.loads(c.body or b"{}")
    except ValueError:
        return []
    if isinstance(body, dict) and not isinstance(body.get("address"), dict):
        return _all(c)
    return []


@predicate("payment-collection-query-names")
def _collection_query_names(c: Comparison) -> list[str]:
    names = {name for name, _ in _query(c)}
    if (c.operation == "GetPaymentCollectionsPaymentCollection" and names & {"fields", "expand"}
            and _server_error(c.reference) and _json_error(c.candidate, 400, "invalid_data")):
        return _all(c)
    return []


@predicate("payment-collection-batch-unknown-500")
def _collection_batch(c: Comparison) -> list[str]:
    if (c.operation == "PostPaymentCollectionsPaymentCollectionSessionsBatch"
            and _server_error(c.reference) and c.candidate.status in (400, 404)):
        return _all(c)
    return []


@predicate("search-without-plugin")
def _search_hits(c: Comparison) -> list[str]:
    ref = c.reference.json
    if (c.operation == "PostProductsSearch" and c.reference.status == c.candidate.status == 200
            and isinstance(ref, dict) and ref.get("hits") == []):
        return [r for r in c.reasons if r.startswith("$.hits")]
    return []


@predicate("mock-payment-provider")
def _mock_payment(c: Comparison) -> list[str]:
    if "mock-payment" not in c.candidate.text:
        return []
    return [r for r in c.reasons
            if re.search(r"\.(payment_providers|payment_sessions): \d+ items vs \d+$", r)
            or re.search(r"\.(payment_providers|payment_sessions): \([\d, ]*\) items vs", r)]


def explain(c: Comparison) -> str | None:
    """The key of the *mock differs* row that explains every reason of ``c``, if one does."""
    if c.agree:
        return None
    for key, check in PREDICATES.items():
        explained = check(c)
        if explained and set(c.reasons) <= set(explained):
            return key
    return None
