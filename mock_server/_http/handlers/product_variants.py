"""Product variants: list (by ids) and detail, priced for a region, currency or cart."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response
from .products import key_channels


def get_variants() -> Any:
    ctx = current()
    raw = _query.request_query()
    _has_key, _channels, errors = key_channels(raw.get("sales_channel_id"))
    query = _query.validate("GetVariants", raw)
    if errors:
        return _query.multiple_errors(errors)
    variants = ctx.services.catalog.list_variants(query, customer_id=ctx.customer_id)
    return json_response({"variants": variants})


def get_variants_variant(id: str) -> Any:
    ctx = current()
    raw = _query.request_query()
    has_key, channels, errors = key_channels(raw.get("sales_channel_id"))
    catalog = ctx.services.catalog
    if has_key:
        errors += catalog.variant_scope_errors(id, channels)
    query = _query.validate("GetVariantsVariant", raw)
    if errors:
        return _query.multiple_errors(errors)
    variant = catalog.retrieve_variant(id, query, customer_id=ctx.customer_id)
    return json_response({"variant": variant})
