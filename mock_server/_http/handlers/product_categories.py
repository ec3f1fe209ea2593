"""Product categories: the list (flat, or as trees) and one category with its descendants."""

from __future__ import annotations

from typing import Any

from .._context import current
from .._responses import json_response
from . import _query


def get_product_categories() -> Any:
    query = _query.validate(_query.CATEGORIES_LIST, defaults={"offset": 0, "limit": 100})
    categories, count, _config = current().services.catalog.list_categories(query)
    return json_response({"count": count, "offset": query["offset"], "limit": query["limit"],
                          "product_categories": categories})


def get_product_categories_category(id: str) -> Any:  # noqa: A002
    query = _query.validate(_query.CATEGORY_GET)
    category = current().services.catalog.retrieve_category(id, query)
    return json_response({"product_category": category})
