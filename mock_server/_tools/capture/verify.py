"""Does a mock seeded from a capture answer the catalog reads as the source does?

The reads are built from the source's own catalog (its ids, handles, regions and currencies):
every list (products with no pricing context, per region and per currency, per collection,
category, tag and type; regions, collections, categories flat and as a tree, tags, types,
shipping options per region, return reasons) and every detail (each product with no context and
per region, each variant per region, each region, collection, category and return reason). Each
read is sent to both deployments and compared on the status, the media type and the whole JSON
body: every value, ids included, except the timestamps (``created_at``, ``updated_at``,
``deleted_at``), which a seed cannot keep. Lists compare in order, but for the relations Medusa
loads without an ``ORDER BY`` (a product's tags, images and options, a variant's option values
and prices, a region's countries and providers, ...): their order is PostgreSQL's choice, and
real Medusa shows one relation in different orders on different routes (a region's countries,
for one, come reversed in the list), so they compare as sets; an order-only difference is
noted in the report, not counted.

The reads and the comparison are plain data and a pure function (``catalog_reads``,
``compare``). Answers are read as ``medusa-mock diff`` reads them (``sides``: each deployment a
:class:`Side`, so a disagreement comes with a ``curl`` per side), and the status and media type
are compared as ``diff`` compares them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..compare import head_differences
from ..files import atomic_write_text
from ..sides import Answer, Sent, Side
from .crawl import PAGE, Catalog

TIMESTAMPS = frozenset({"created_at", "updated_at", "deleted_at"})
UNORDERED = frozenset({"tags", "images", "options", "values", "countries", "payment_providers",
                       "fulfillment_providers", "sales_channels", "profiles", "requirements",
                       "prices", "tax_rates"})
"""Relations Medusa 1.20 loads without ordering them: compared as sets."""
MAX_REASONS = 10


@dataclass(frozen=True)
class Read:
    operation: str
    path: str


@dataclass
class Result:
    read: Read
    reference: Answer
    candidate: Answer
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Order-only differences of unordered relations (not counted)."""
    sent: tuple[Sent, Sent] | None = None
    """The request as each side got it (for the report's curls)."""

    @property
    def agree(self) -> bool:
        return not self.reasons


def _path(base: str, params: list[tuple[str, Any]] | None = None) -> str:
    return base + (f"?{urlencode(params)}" if params else "")


def catalog_reads(catalog: Catalog) -> list[Read]:
    reads: list[Read] = []

    def add(operation: str, base: str, params: list[tuple[str, Any]] | None = None) -> None:
        reads.append(Read(operation, _path(base, params)))

    def listed(operation: str, base: str, params: list[tuple[str, Any]], total: int) -> None:
        for offset in range(0, max(total, 1), PAGE):
            add(operation, base, [*params, ("limit", PAGE), ("offset", offset)])

    regions = catalog.regions
    currencies = list(dict.fromkeys(r["currency_code"] for r in regions))
    products = catalog.products
    add("GetRegions", "/store/regions")
    for region in regions:
        add("GetRegionsRegion", f"/store/regions/{region['id']}")
    listed("GetProducts", "/store/products", [], len(products))
    for region in regions:
        listed("GetProducts", "/store/products", [("region_id", region["id"])], len(products))
    for currency in currencies:
        listed("GetProducts", "/store/products", [("currency_code", currency)], len(products))
    for key, items in (("collection_id[]", catalog.collections),
                       ("category_id[]", catalog.categories), ("tags[]", catalog.tags),
                       ("type_id[]", catalog.types)):
        for item in items:
            add("GetProducts", "/store/products", [(key, item["id"]), ("limit", PAGE)])
    for product in products:
        add("GetProductsProduct", f"/store/products/{product['id']}")
        for region in regions:
            add("GetProductsProduct", f"/store/products/{product['id']}",
                [("region_id", region["id"])])
            variants = [v["id"] for v in product.get("variants") or []]
            if variants:
                add("GetVariants", "/store/variants", [("ids", ",".join(variants)),
                                                       ("region_id", region["id"])])
            for variant in variants:
                add("GetVariantsVariant", f"/store/variants/{variant}",
                    [("region_id", region["id"])])
    add("GetCollections", "/store/collections", [("limit", PAGE)])
    for collection in catalog.collections:
        add("GetCollectionsCollection", f"/store/collections/{collection['id']}")
    add("GetProductCategories", "/store/product-categories", [("limit", PAGE)])
    add("GetProductCategories", "/store/product-categories",
        [("parent_category_id", "null"), ("include_descendants_tree", "true"),
         ("limit", PAGE)])
    for category in catalog.categories:
        add("GetProductCategoriesCategory", f"/store/product-categories/{category['id']}")
    add("GetProductTags", "/store/product-tags", [("limit", PAGE)])
    add("GetProductTypes", "/store/product-types", [("limit", PAGE)])
    add("GetShippingOptions", "/store/shipping-options")
    for region in regions:
        add("GetShippingOptions", "/store/shipping-options", [("region_id", region["id"])])
        add("GetShippingOptions", "/store/shipping-options", [("region_id", region["id"]),
                                                              ("is_return", "true")])
    add("GetReturnReasons", "/store/return-reasons")
    for reason in catalog.return_reasons:
        add("GetReturnReasonsReason", f"/store/return-reasons/{reason['id']}")
    return reads


def compare(reference: Answer, candidate: Answer, notes: list[str] | None = None) -> list[str]:
    reasons = head_differences(reference, candidate)
    if reference.json is None or candidate.json is None:
        if reference.text != candidate.text:
            reasons.append("the bodies differ (not JSON)")
        return reasons
    reasons.extend(differences(reference.json, candidate.json, notes=notes))
    return reasons[:MAX_REASONS]


def differences(reference: Any, candidate: Any, path: str = "$", *,
                notes: list[str] | None = None, unordered: bool = False) -> list[str]:
    """Every value that differs (timestamps aside), as ``path: reference vs candidate``;
    ``notes`` collects order-only differences of unordered relations."""
    if isinstance(reference, dict) and isinstance(candidate, dict):
        out = []
        for key in [k for k in reference if k not in TIMESTAMPS]:
            if key not in candidate:
                out.append(f"{path}.{key}: missing in the copy")
            else:
                out.extend(differences(reference[key], candidate[key], f"{path}.{key}",
                                       notes=notes, unordered=key in UNORDERED))
        out += [f"{path}.{key}: only in the copy" for key in candidate
                if key not in reference and key not in TIMESTAMPS]
        return out
    if isinstance(reference, list) and isinstance(candidate, list):
        if len(reference) != len(candidate):
            return [f"{path}: {len(reference)} items vs {len(candidate)}"]
        in_order = [d for i, (a, b) in enumerate(zip(reference, candidate, strict=True))
                    for d in differences(a, b, f"{path}[{i}]", notes=notes)]
        if in_order and unordered and sorted(map(_canonical, reference)) == sorted(
                map(_canonical, candidate)):
            if notes is not None:
                notes.append(f"{path}: the same items in another order")
            return []
        return in_order
    if reference != candidate or type(reference) is not type(candidate):
        return [f"{path}: {_brief(reference)} vs {_brief(candidate)}"]
    return []


def _canonical(value: Any) -> str:
    """A value as sorted JSON, timestamps left out (to compare unordered relations)."""
    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in TIMESTAMPS}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    return json.dumps(strip(value), sort_keys=True)


def _brief(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:80] + "…"


def run(reference_url: str, candidate_url: str, reads: list[Read], *,
        publishable_key: str | None = None, timeout: float = 30.0,
        progress: Callable[[int, int], None] | None = None) -> list[Result]:
    """Each read sent to the source and to the copy, and compared. Raises
    :class:`~mock_server._tools.sides.Unreachable` (naming the side) when one does not
    answer."""
    headers = {"x-publishable-api-key": publishable_key} if publishable_key else {}
    results = []
    sides = (Side("source", reference_url, timeout=timeout),
             Side("copy", candidate_url, timeout=timeout))
    try:
        for i, read in enumerate(reads, start=1):
            (ref, ref_sent), (cand, cand_sent) = (side.send("GET", read.path, headers=headers)
                                                  for side in sides)
            notes: list[str] = []
            results.append(Result(read, ref, cand, compare(ref, cand, notes), notes,
                                  (ref_sent, cand_sent)))
            if progress:
                progress(i, len(reads))
    finally:
        for side in sides:
            side.close()
    return results


def agreement(results: list[Result]) -> float:
    return 100.0 * sum(r.agree for r in results) / len(results) if results else 0.0


def by_operation(results: list[Result]) -> dict[str, tuple[int, int]]:
    """operationId -> (agreeing reads, reads)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        counts[result.read.operation][0] += result.agree
        counts[result.read.operation][1] += 1
    return {op: (a, n) for op, (a, n) in sorted(counts.items())}


def write_reports(results: list[Result], directory: Path, *, source: str,
                  copy: str) -> tuple[Path, Path]:
    operations = by_operation(results)
    data: dict[str, Any] = {
        "source": source, "copy": copy, "reads": len(results),
        "agreeing": sum(r.agree for r in results), "agreement": round(agreement(results), 2),
        "operations": {op: {"agreeing": a, "reads": n, "agreement": round(100 * a / n, 2)}
                       for op, (a, n) in operations.items()},
        "disagreements": [{"operation": r.read.operation, "request": f"GET {r.read.path}",
                           "reasons": r.reasons,
                           "source": f"{r.reference.status} {r.reference.text[:400]}",
                           "copy": f"{r.candidate.status} {r.candidate.text[:400]}",
                           "curl": {"source": r.sent[0].curl(), "copy": r.sent[1].curl()}
                           if r.sent else None}
                          for r in results if not r.agree],
        "order_only": [{"request": f"GET {r.read.path}", "notes": r.notes}
                       for r in results if r.agree and r.notes],
    }
    lines = [f"# Catalog reads: source `{source}` vs copy `{copy}`", "",
             f"{data['agreeing']}/{len(results)} reads agree ({data['agreement']}%): status, "
             "media type and every JSON value but timestamps, lists in order (relations Medusa "
             "leaves unordered as sets).", "",
             "| operation | reads | agreeing | agreement |", "|---|---:|---:|---:|"]
    lines += [f"| `{op}` | {n} | {a} | {100 * a / n:.1f}% |" for op, (a, n) in operations.items()]
    lines += ["", "## Disagreements", ""]
    if not data["disagreements"]:
        lines.append("None.")
    for row in data["disagreements"]:
        lines += [f"### `{row['request']}` ({row['operation']})", ""]
        lines += [f"- {reason}" for reason in row["reasons"]] + [""]
        if row["curl"]:
            lines += ["```sh", row["curl"]["source"], row["curl"]["copy"], "```", ""]
    if data["order_only"]:
        lines += ["## Agreeing, but for the order of unordered relations", ""]
        lines += [f"- `{row['request']}`: {'; '.join(row['notes'][:3])}"
                  for row in data["order_only"]]
    json_path, md_path = directory / "verify.json", directory / "verify.md"
    atomic_write_text(json_path, json.dumps(data, indent=2) + "\n")
    atomic_write_text(md_path, "\n".join(lines) + "\n")
    return json_path, md_path
