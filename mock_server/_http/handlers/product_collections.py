"""Product collections: the list (by handle, dates) and one collection."""

from __future__ import annotations

from typing import Any

from .._context import current
from .._responses import json_response
from . import _query


def get_collections() -> Any:
    query = _query.validate(_query.COLLECTIONS_LIST, defaults={"offset": 0, "limit": 10})
    collections, count, config = current().services.catalog.list_collections(query)
    return json_response({"collections": collections, "count": count,
                          "limit": config.take, "offset": config.skip})


def get_collections_collection(id: str) -> Any:  # noqa: A002
    return json_response({"collection": current().services.catalog.retrieve_collection(id)})
