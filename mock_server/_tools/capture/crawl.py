"""Reading a deployment's catalog through its Store API, every list paged to its end.

What is read (and the only requests sent, all ``GET``):

* ``/store/regions`` (paged), then each region;
* ``/store/products`` with every relation expanded and no pricing context (every price of every
  variant, with its id), then once per region (``region_id``) and once per currency
  (``currency_code``), each paged, for the prices each context shows;
* ``/store/products?category_id[]=C&fields=id`` per category (which products it holds: the
  Store API shows a product's categories no other way);
* ``/store/product-categories``, ``/store/collections``, ``/store/product-tags``,
  ``/store/product-types`` (paged), ``/store/shipping-options`` (for their order) and
  ``?region_id=R`` per region, and ``/store/return-reasons``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

from ..sides import Page, walk_pages

PAGE = 100
PRODUCT_RELATIONS = ("variants,variants.prices,variants.options,options,options.values,images,"
                     "tags,collection,type,profiles,sales_channels")
PRICED_RELATIONS = "variants,variants.prices"


class CaptureError(Exception):
    """The deployment refused a read the capture needs, or could not be reached."""


@dataclass
class Catalog:
    """What the Store API showed, as it showed it (lists in the order it gave them)."""

    source: str
    regions: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    priced: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Products as listed with a pricing context (``region_id=R`` / ``currency_code=C``)."""
    categories: list[dict[str, Any]] = field(default_factory=list)
    category_products: dict[str, list[str]] = field(default_factory=dict)
    collections: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    types: list[dict[str, Any]] = field(default_factory=list)
    shipping_options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    shipping_order: list[str] = field(default_factory=list)
    """Every shipping option's id in the order the unfiltered list gives them."""
    return_reasons: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    unscoped_products: int | None = None
    notes: list[str] = field(default_factory=list)
    """What the crawl could not read as usual."""
    """With a publishable key: how many products the Store API lists without it."""


class Progress:
    """A progress bar on a terminal, plain lines elsewhere (one per step)."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet
        self._width = 0
        self._last = ""

    def update(self, step: str, done: int, total: int | None) -> None:
        if self.quiet:
            return
        if not self.tty:
            if total is not None and done >= total and step != self._last:
                self._last = step
                print(f"capture: {step}: {done}", file=self.stream, flush=True)
            return
        if total:
            filled = int(24 * min(done, total) / total)
            bar = f"[{'#' * filled}{'.' * (24 - filled)}] {done}/{total}"
        else:
            bar = f"{done}"
        line = f"\rcapture: {step:<32} {bar}"
        self._width = max(self._width, len(line))
        print(line.ljust(self._width), end="", file=self.stream, flush=True)
        if total is not None and done >= total:
            print(file=self.stream, flush=True)
            self._width = 0


class StoreClient:
    """``GET`` against one Store API, with the publishable key on every request."""

    def __init__(self, base_url: str, *, publishable_key: str | None = None,
                 timeout: float = 30.0) -> None:
        headers = {"Accept": "application/json"}
        if publishable_key:
            headers["x-publishable-api-key"] = publishable_key
        self.base_url = base_url.rstrip("/")
        self.publishable_key = publishable_key
        self.http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)
        self.requests = 0

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: dict[str, Any] | None = None, *,
            with_key: bool = True) -> Any:
        self.requests += 1
        try:
            headers = None if with_key else {"x-publishable-api-key": ""}
            response = self.http.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise CaptureError(f"cannot reach {self.base_url}{path}: {exc}") from None
        if response.status_code != 200:
            raise CaptureError(f"GET {response.request.url} answered {response.status_code}: "
                               f"{response.text[:300]}")
        try:
            return response.json()
        except ValueError:
            raise CaptureError(f"GET {response.request.url} did not answer JSON") from None

    def pages(self, path: str, key: str, params: dict[str, Any] | None = None, *,
              counted: bool = True, on_page: Callable[[int, int | None], None] | None = None
              ) -> Iterator[dict[str, Any]]:
        """Every item of a list, page after page: up to ``count`` when the list is
        ``counted``, else up to the first short page."""
        def fetch(query: dict[str, Any]) -> Page:
            data = self.get(path, query)
            items = data.get(key)
            if not isinstance(items, list):
                raise CaptureError(f"GET {path}: no {key!r} list in the answer")
            count = data.get("count") if counted else None
            return items, count if isinstance(count, int) else None

        return walk_pages(fetch, params, limit=PAGE, on_page=on_page)


def crawl(base_url: str, *, publishable_key: str | None = None,
          regions: list[str] | None = None, timeout: float = 30.0,
          progress: Progress | None = None) -> Catalog:
    """Read the whole catalog; ``regions`` (ids or names) keeps only those regions."""
    progress = progress or Progress(quiet=True)
    client = StoreClient(base_url, publishable_key=publishable_key, timeout=timeout)
    catalog = Catalog(source=client.base_url)
    try:
        _crawl(client, catalog, regions, progress)
    finally:
        catalog.requests = client.requests
        client.close()
    return catalog


def _listed(client: StoreClient, progress: Progress, step: str, path: str, key: str,
            params: dict[str, Any] | None = None, *, counted: bool = True
            ) -> list[dict[str, Any]]:
    items = list(client.pages(path, key, params, counted=counted,
                              on_page=lambda done, total: progress.update(step, done, total)))
    progress.update(step, len(items), len(items))
    return items


def _crawl(client: StoreClient, catalog: Catalog, wanted: list[str] | None,
           progress: Progress) -> None:
    regions = _listed(client, progress, "regions", "/store/regions", "regions")
    if wanted:
        chosen = [r for r in regions if r["id"] in wanted or r.get("name") in wanted]
        missing = [w for w in wanted if not any(w in (r["id"], r.get("name")) for r in chosen)]
        if missing:
            raise CaptureError(f"no region {', '.join(map(repr, missing))} at "
                               f"{client.base_url} (it has: "
                               f"{', '.join(r['name'] + ' ' + r['id'] for r in regions)})")
        regions = chosen
    # each region as its own route shows it: lists and details order countries differently
    # (the query plan's order), and a region's own order is the one a seed can keep
    catalog.regions = []
    for i, region in enumerate(regions, start=1):
        catalog.regions.append(client.get(f"/store/regions/{region['id']}")["region"])
        progress.update("regions (each)", i, len(regions))
    try:
        catalog.products = _listed(client, progress, "products", "/store/products", "products",
                                   {"expand": PRODUCT_RELATIONS})
    except CaptureError as exc:  # a deployment without sales channels refuses the relation
        if "sales_channels" not in str(exc):
            raise
        catalog.notes.append("the deployment does not show products' sales channels: every "
                             "product goes to the default channel")
        catalog.products = _listed(client, progress, "products", "/store/products", "products",
                                   {"expand": PRODUCT_RELATIONS.replace(",sales_channels", "")})
    if client.publishable_key:  # how far the key narrows the catalog (for its channel)
        catalog.unscoped_products = client.get("/store/products", {"limit": 1},
                                               with_key=False).get("count")
    contexts = [("region_id", r["id"]) for r in regions]
    contexts += [("currency_code", c) for c in dict.fromkeys(r["currency_code"]
                                                             for r in regions)]
    for name, value in contexts:
        catalog.priced[f"{name}={value}"] = _listed(
            client, progress, f"prices ({name}={value})", "/store/products", "products",
            {"expand": PRICED_RELATIONS, name: value})
    catalog.categories = _listed(client, progress, "categories", "/store/product-categories",
                                 "product_categories")
    for i, category in enumerate(catalog.categories, start=1):
        ids = client.pages("/store/products", "products",
                           {"category_id[]": category["id"], "fields": "id", "expand": ""},
                           counted=False)  # without relations Medusa counts the page only
        catalog.category_products[category["id"]] = [p["id"] for p in ids]
        progress.update("products per category", i, len(catalog.categories))
    catalog.collections = _listed(client, progress, "collections", "/store/collections",
                                  "collections")
    catalog.tags = _listed(client, progress, "product tags", "/store/product-tags",
                           "product_tags")
    catalog.types = _listed(client, progress, "product types", "/store/product-types",
                            "product_types")
    everything = client.get("/store/shipping-options").get("shipping_options") or []
    catalog.shipping_order = [option["id"] for option in everything]
    for i, region in enumerate(regions, start=1):
        data = client.get("/store/shipping-options", {"region_id": region["id"]})
        catalog.shipping_options[region["id"]] = list(data.get("shipping_options") or [])
        progress.update("shipping options", i, len(regions))
    catalog.return_reasons = list(client.get("/store/return-reasons").get("return_reasons")
                                  or [])
    progress.update("return reasons", len(catalog.return_reasons),
                    len(catalog.return_reasons))
