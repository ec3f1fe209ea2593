"""Shipping options: the store's options by region, return flag and products."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response


def get_shipping_options() -> Any:
    raw = _query.request_query()
    query = _query.validate("GetShippingOptions", raw)
    products = query.get("product_ids")
    product_ids = products.split(",") if products else []
    options = current().services.catalog.list_shipping_options(
        is_return=(query.get("is_return") == "true") if "is_return" in raw else None,
        region_id=query.get("region_id"), product_ids=product_ids)
    return json_response({"shipping_options": options})


def get_shipping_options_cart_id(cart_id: str) -> Any:
    return json_response({"shipping_options": current().services.carts.shipping_options(cart_id)})
