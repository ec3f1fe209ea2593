"""Product collections: the list (by handle, dates) and one collection."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response


def get_collections() -> Any:
    query = _query.validate("GetCollections")
    collections, count, config = current().services.catalog.list_collections(query)
    return json_response({"collections": collections, "count": count,
                          "limit": config.take, "offset": config.skip})


def get_collections_collection(id: str) -> Any:
    return json_response({"collection": current().services.catalog.retrieve_collection(id)})
