"""Image URLs in a seed given as paths on the mock itself (``/uploads/tee-black-front.png``),
made absolute with the mock's public base URL (``Settings.base_url``), as Medusa's local file
service stores an upload's URL. URLs that name a host (``https://...``) are kept as they are.

A seed written by ``medusa-mock capture`` (it has the ``_capture`` key) is left alone: its URLs
are what the source deployment answered, a path included (a Medusa seeded with paths serves
them as paths), and a copy answers as its source does."""

from __future__ import annotations

import copy
from typing import Any


def _absolute(value: Any, base_url: str) -> Any:
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return base_url + value
    return value


def _image(item: Any, base_url: str) -> Any:
    if isinstance(item, dict) and "url" in item:
        return {**item, "url": _absolute(item["url"], base_url)}
    return _absolute(item, base_url)


def absolute_image_urls(data: dict[str, Any], base_url: str) -> dict[str, Any]:
    """``data`` with its products' ``images`` and ``thumbnail`` paths made absolute (a copy
    when anything changes); a captured seed as it is."""
    products = data.get("products")
    if "_capture" in data or not isinstance(products, list) or not any(
            isinstance(p, dict) and (isinstance(p.get("images"), list) or p.get("thumbnail"))
            for p in products):
        return data
    data = copy.copy(data)
    data["products"] = []
    for product in products:
        if isinstance(product, dict):
            product = dict(product)
            if isinstance(product.get("images"), list):
                product["images"] = [_image(item, base_url) for item in product["images"]]
            if "thumbnail" in product:
                product["thumbnail"] = _absolute(product["thumbnail"], base_url)
        data["products"].append(product)
    return data
