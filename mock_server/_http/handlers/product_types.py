"""Product types. Medusa 1.20 serves this route with the Admin API's handler (no auth)."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response


def get_product_types() -> Any:
    query = _query.validate("GetProductTypes")
    types, count, config = current().services.catalog.list_values("product_types", query)
    return json_response({"product_types": types, "count": count, "offset": config.skip,
                          "limit": config.take})
