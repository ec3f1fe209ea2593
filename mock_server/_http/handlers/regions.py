"""Regions: the list and one region, with countries, currency and providers."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response


def get_regions() -> Any:
    current().cacheable = True  # the answer depends on the request and the store only
    query = _query.validate("GetRegions")
    regions, count = current().services.catalog.list_regions(query)
    return json_response({"regions": regions, "count": count, "limit": query["limit"],
                          "offset": query["offset"]})


def get_regions_region(id: str) -> Any:
    current().cacheable = True  # the answer depends on the request and the store only
    query = _query.validate("GetRegionsRegion")
    return json_response({"region": current().services.catalog.retrieve_region(id, query)})
