"""Product tags: every tag of the store, with value search and comparisons."""

from __future__ import annotations

from typing import Any

from .._context import current
from .._responses import json_response
from . import _query


def get_product_tags() -> Any:
    query = _query.validate(_query.TAGS_LIST, defaults={"offset": 0, "limit": 20})
    tags, count, config = current().services.catalog.list_values("product_tags", query)
    return json_response({"product_tags": tags, "count": count, "offset": config.skip,
                          "limit": config.take})
