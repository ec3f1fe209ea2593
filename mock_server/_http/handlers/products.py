"""Products: the catalog list and detail (priced for a region, currency or cart), and search."""

from __future__ import annotations

from typing import Any

from ..._domain.errors import ErrorType, MedusaError
from .. import _query
from .._context import current
from .._responses import json_response

KEY_HEADER = "x-publishable-api-key"


def key_channels(raw_channels: Any = None) -> tuple[bool, list[str], list[str]]:
    """(a key was sent, the sales channels it is scoped to, errors); Medusa's
    ``validateSalesChannelParam``: a ``sales_channel_id`` outside the key's scope is an error,
    answered after the query is validated."""
    key = _query.header(KEY_HEADER)
    if not key:
        return False, [], []
    channels = current().services.catalog.key_scopes(key)
    errors = []
    if raw_channels:
        wanted = raw_channels if isinstance(raw_channels, list) else [raw_channels]
        if channels and not all(c in channels for c in wanted):
            errors.append(f"Provided sales channel id param: {','.join(map(str, wanted))} is not "
                          "associated with the Publishable API Key passed in the header of the "
                          "request.")
    return True, channels, errors


def get_products() -> Any:
    ctx = current()
    ctx.cacheable = True  # the answer depends on the request and the store only
    raw = _query.request_query()
    has_key, channels, errors = key_channels(raw.get("sales_channel_id"))
    query = _query.validate("GetProducts", raw)
    if errors:
        return _query.multiple_errors(errors)
    catalog = ctx.services.catalog
    if not query.get("sales_channel_id") and not has_key:
        default = catalog.default_sales_channel_id()  # Medusa's withDefaultSalesChannel
        if default:
            query["sales_channel_id"] = [default]
    products, count = catalog.list_products(query, customer_id=ctx.customer_id,
                                            key_channels=channels)
    return json_response({"products": products, "count": count,
                          "offset": query["offset"], "limit": query["limit"]})


def get_products_product(id: str) -> Any:  # noqa: A002 - the document's name
    ctx = current()
    ctx.cacheable = True  # the answer depends on the request and the store only
    raw = _query.request_query()
    has_key, channels, errors = key_channels(raw.get("sales_channel_id"))
    catalog = ctx.services.catalog
    if has_key and channels and not catalog.product_in_channels(id, channels):
        catalog.retrieve_product(id, {})  # an unknown product is a 404 first
        errors.append(f"Product with id: {id} is not associated with sales channels defined by "
                      "the Publishable API Key passed in the header of the request.")
    query = _query.validate("GetProductsProduct", raw)
    if errors:
        return _query.multiple_errors(errors)
    product = catalog.retrieve_product(id, query, customer_id=ctx.customer_id)
    return json_response({"product": product})


def post_products_search(body: dict[str, Any] | None = None) -> Any:
    """Medusa validates ``q`` (string), ``offset`` and ``limit`` (numbers) and lets anything else
    through; the mock answers like a search plugin would (see docs/deviations.md)."""
    body = body if isinstance(body, dict) else {}
    messages = []
    if body.get("q") is not None and not isinstance(body["q"], str):
        messages.append("q must be a string")
    numbers = {}
    for name in ("offset", "limit"):
        if body.get(name) is None:
            continue
        number = _query.js_number(body[name])
        if number is None:
            messages.append(f"{name} must be a number conforming to the specified constraints")
        numbers[name] = number
    if messages:
        raise MedusaError(ErrorType.INVALID_DATA, ", ".join(messages))
    hits = current().services.catalog.search_products(
        body.get("q"), offset=numbers.get("offset"), limit=numbers.get("limit"))
    return json_response({"hits": hits})
