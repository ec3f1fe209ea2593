"""Products: the catalog list and detail (priced for a region, currency or cart), and search."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response

KEY_HEADER = "x-publishable-api-key"


def key_channels(raw_channels: Any = None) -> tuple[bool, list[str], list[str]]:
    """(a key was sent, the sales channels it is scoped to, errors about ``sales_channel_id``)."""
    key = _query.header(KEY_HEADER)
    if not key:
        return False, [], []
    catalog = current().services.catalog
    channels = catalog.key_scopes(key)
    return True, channels, catalog.channel_param_errors(channels, raw_channels)


def get_products() -> Any:
    ctx = current()
    ctx.cacheable = True  # the answer depends on the request and the store only
    raw = _query.request_query()
    has_key, channels, errors = key_channels(raw.get("sales_channel_id"))
    if not has_key and raw.get("sales_channel_id") == "":
        del raw["sales_channel_id"]  # withDefaultSalesChannel replaces a value of length 0
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


def get_products_product(id: str) -> Any:
    ctx = current()
    ctx.cacheable = True  # the answer depends on the request and the store only
    raw = _query.request_query()
    has_key, channels, errors = key_channels(raw.get("sales_channel_id"))
    catalog = ctx.services.catalog
    if has_key:
        errors += catalog.product_scope_errors(id, channels)
    query = _query.validate("GetProductsProduct", raw)
    if errors:
        return _query.multiple_errors(errors)
    product = catalog.retrieve_product(id, query, customer_id=ctx.customer_id)
    return json_response({"product": product})


def post_products_search(body: dict[str, Any] | None = None) -> Any:
    """Medusa checks ``q``, ``offset`` and ``limit`` (the document's rules) and lets anything
    else through; the mock answers like a search plugin would (see docs/deviations.md)."""
    body = body if isinstance(body, dict) else {}
    offset, limit = (_query.js_number(body[n]) if body.get(n) is not None else None
                     for n in ("offset", "limit"))
    hits = current().services.catalog.search_products(body.get("q"), offset=offset, limit=limit)
    return json_response({"hits": hits})
