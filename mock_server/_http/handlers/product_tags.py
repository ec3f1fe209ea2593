"""Product tags: every tag of the store, with value search and comparisons."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response


def get_product_tags() -> Any:
    query = _query.validate("GetProductTags")
    tags, count, config = current().services.catalog.list_values("product_tags", query)
    return json_response({"product_tags": tags, "count": count, "offset": config.skip,
                          "limit": config.take})
