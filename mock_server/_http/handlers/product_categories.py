"""Product categories: the list (flat, or as trees) and one category with its descendants."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response


def get_product_categories() -> Any:
    query = _query.validate("GetProductCategories")
    categories, count, _config = current().services.catalog.list_categories(query)
    return json_response({"count": count, "offset": query["offset"], "limit": query["limit"],
                          "product_categories": categories})


def get_product_categories_category(id: str) -> Any:
    query = _query.validate("GetProductCategoriesCategory")
    category = current().services.catalog.retrieve_category(id, query)
    return json_response({"product_category": category})
