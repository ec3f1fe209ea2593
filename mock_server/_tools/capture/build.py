"""A seed file from a crawled catalog: Medusa's ``medusa seed`` format plus the mock's extensions
(``serve --seed`` loads it), keeping every id the Store API shows.

Lists are written in the order the source listed them, so that the mock, whose seeded rows tie on
``created_at`` and then keep the order they were loaded in, lists them in the same order.
"""

from __future__ import annotations

import time
from typing import Any

from .crawl import Catalog

NOT_IN_THE_STORE_API = (
    ("customers", "`customers`: email, password, name, phone, addresses"),
    ("orders", "`orders`: guest or customer orders placed with the captured catalog (email, "
               "region, items by SKU, shipping option, statuses)"),
    ("discounts", "`discounts`: code, rule (percentage, fixed or free shipping), regions, "
                  "limits and dates"),
    ("gift cards", "`gift_cards`: code, value, balance, region"),
)
"""What the Store API never lists, and the seed extension that adds it (README: the seed)."""
REGION_FIELDS = ("tax_rate", "tax_code", "automatic_taxes", "gift_cards_taxable",
                 "includes_tax", "metadata")
PRODUCT_FIELDS = ("id", "title", "subtitle", "description", "handle", "is_giftcard", "status",
                  "thumbnail", "weight", "length", "height", "width", "hs_code",
                  "origin_country", "mid_code", "material", "discountable", "external_id",
                  "metadata", "collection_id")
VARIANT_FIELDS = ("id", "title", "sku", "barcode", "ean", "upc", "variant_rank",
                  "inventory_quantity", "allow_backorder", "manage_inventory", "hs_code",
                  "origin_country", "mid_code", "material", "weight", "length", "height",
                  "width", "metadata")
SHIPPING_FIELDS = ("id", "name", "region_id", "provider_id", "price_type", "amount",
                   "is_return", "admin_only", "data", "metadata", "includes_tax")
MOCK_PAYMENT_PROVIDERS = ("manual", "mock-payment")


def _pick(entity: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: entity[name] for name in fields if name in entity}


def build_seed(catalog: Catalog, *, publishable_key: str | None = None
               ) -> tuple[dict[str, Any], list[str]]:
    """The seed, and notes on what the source has that the seed could not keep."""
    notes: list[str] = list(catalog.notes)
    region_ids = {r["id"] for r in catalog.regions}
    profiles = _profiles(catalog)
    channels = _channels(catalog)
    default_channel = _default_channel(channels, catalog)
    prices = _prices(catalog, region_ids, notes)
    seed: dict[str, Any] = {
        "store": _store(catalog),
        "defaults": {key: value for key, value in (
            ("sales_channel", _entry(default_channel, ("id", "name", "description"))),
            ("shipping_profile", _entry(profiles.get("default"), ("id", "name"))),
            ("gift_card_shipping_profile", _entry(profiles.get("gift_card"), ("id", "name"))),
        ) if value},
        "regions": [_region(r, notes) for r in catalog.regions],
        "shipping_options": [_shipping_option(o, profiles, notes)
                             for o in _shipping_options(catalog)],
        "product_collections": [_pick(c, ("id", "title", "handle", "metadata"))
                                for c in catalog.collections],
        "categories": _category_tree(catalog.categories, notes),
        "product_tags": [_pick(t, ("id", "value", "metadata")) for t in catalog.tags],
        "product_types": [_pick(t, ("id", "value", "metadata")) for t in catalog.types],
        "products": [_product(p, prices, catalog) for p in catalog.products],
        "return_reasons": [_return_reason(r) for r in catalog.return_reasons
                           if not r.get("parent_return_reason_id")],
    }
    others = [c for c in channels.values() if default_channel is None
              or c["id"] != default_channel["id"]]
    seed["sales_channels"] = [
        {**_pick(c, ("id", "name", "description", "is_disabled", "metadata")),
         "products": [p["handle"] for p in catalog.products
                      if any(s["id"] == c["id"] for s in p.get("sales_channels") or [])]}
        for c in others]
    if publishable_key:
        _add_key(seed, publishable_key, catalog, default_channel, notes)
    missing_default = [p["handle"] for p in catalog.products if default_channel and not any(
        s["id"] == default_channel["id"] for s in p.get("sales_channels") or [])]
    if missing_default:
        notes.append(f"{len(missing_default)} product(s) are not in the default sales channel "
                     f"at the source; the mock puts every product in it: "
                     f"{', '.join(missing_default[:5])}")
    seed["_capture"] = {"source": catalog.source,
                        "captured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        "requests": catalog.requests}
    return seed, notes


# -- the parts -------------------------------------------------------------------------------
def _entry(entity: dict[str, Any] | None, fields: tuple[str, ...]) -> dict[str, Any] | None:
    return _pick(entity, fields) if entity else None


def _store(catalog: Catalog) -> dict[str, Any]:
    currencies = [r["currency_code"] for r in catalog.regions]
    for product in catalog.products:
        for variant in product.get("variants") or []:
            currencies += [p["currency_code"] for p in variant.get("prices") or []]
    currencies = list(dict.fromkeys(currencies))
    out: dict[str, Any] = {"currencies": currencies}
    if currencies:
        out["default_currency_code"] = currencies[0]
    return out


def _region(region: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    providers = [p["id"] for p in region.get("payment_providers") or []]
    unknown = [p for p in providers if p not in MOCK_PAYMENT_PROVIDERS]
    if unknown:
        notes.append(f"region {region['name']} offers payment providers the mock does not "
                     f"implement ({', '.join(unknown)}): kept, but a cart cannot pay with "
                     "them; add `mock-payment` (the `payment_providers` extension)")
    return {"id": region["id"], "name": region["name"],
            "currency_code": region["currency_code"],
            **_pick(region, REGION_FIELDS),
            "countries": [c["iso_2"] for c in region.get("countries") or []],
            "payment_providers": providers,
            "fulfillment_providers": [p["id"] for p in region.get("fulfillment_providers")
                                      or []]}


def _profiles(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """The shipping profiles products show, by type (``default``, ``gift_card``)."""
    found: dict[str, dict[str, Any]] = {}
    for product in catalog.products:
        for profile in product.get("profiles") or []:
            found.setdefault(profile.get("type") or "default", profile)
    if "gift_card" not in found:  # no gift card listed: the one other profile options use
        default_id = (found.get("default") or {}).get("id")
        others = {o.get("profile_id") for options in catalog.shipping_options.values()
                  for o in options} - {default_id, None}
        if len(others) == 1:
            found["gift_card"] = {"id": others.pop(), "name": "Gift Card Profile"}
    return found


def _shipping_options(catalog: Catalog) -> list[dict[str, Any]]:
    """The chosen regions' options, in the order the unfiltered list gives them."""
    options = [o for region in catalog.regions
               for o in catalog.shipping_options.get(region["id"], [])]
    rank = {option_id: i for i, option_id in enumerate(catalog.shipping_order)}
    return sorted(options, key=lambda o: rank.get(o["id"], len(rank)))


def _shipping_option(option: dict[str, Any], profiles: dict[str, dict[str, Any]],
                     notes: list[str]) -> dict[str, Any]:
    out = _pick(option, SHIPPING_FIELDS)
    gift = profiles.get("gift_card")
    if gift and option.get("profile_id") == gift["id"]:
        out["is_giftcard"] = True
    elif option.get("profile_id") not in (None, (profiles.get("default") or {}).get("id")):
        notes.append(f"shipping option {option['name']!r} uses a custom shipping profile "
                     f"({option['profile_id']}): the mock gives it the default profile")
    out["requirements"] = [_pick(r, ("id", "type", "amount"))
                           for r in option.get("requirements") or []]
    return out


def _category_tree(categories: list[dict[str, Any]], notes: list[str]
                   ) -> list[dict[str, Any]]:
    """The flat list as a tree (``category_children``), siblings by rank as Medusa sorts them
    (a seed gives ranks by place, as ``medusa seed`` does); a category whose parent the Store
    API hides becomes a root."""
    visible = {c["id"] for c in categories}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for category in categories:
        parent = category.get("parent_category_id")
        children.setdefault(parent if parent in visible else None, []).append(category)

    def node(category: dict[str, Any]) -> dict[str, Any]:
        out = _pick(category, ("id", "name", "handle", "description", "metadata"))
        kids = _ranked(children.get(category["id"], []), notes)
        if kids:
            out["category_children"] = [node(k) for k in kids]
        return out

    return [node(c) for c in _ranked(children.get(None, []), notes)]


def _ranked(siblings: list[dict[str, Any]], notes: list[str]) -> list[dict[str, Any]]:
    ordered = sorted(siblings, key=lambda c: (c.get("rank") or 0, c.get("handle") or ""))
    ranks = [c.get("rank") for c in ordered]
    if ranks != list(range(len(ordered))) and all(isinstance(r, int) for r in ranks):
        notes.append(f"categories {', '.join(c['handle'] for c in ordered)} have ranks {ranks}; "
                     "the copy ranks them 0, 1, 2, ... in the same order")
    return ordered


def _prices(catalog: Catalog, region_ids: set[str], notes: list[str]
            ) -> dict[str, list[dict[str, Any]]]:
    """Every base price of every variant (by variant id), from every listing, by price id."""
    seen: dict[str, dict[str, dict[str, Any]]] = {}
    sale: set[str] = set()
    for listing in [catalog.products, *catalog.priced.values()]:
        for product in listing:
            for variant in product.get("variants") or []:
                kept = seen.setdefault(variant["id"], {})
                for price in variant.get("prices") or []:
                    if price.get("price_list_id"):
                        sale.add(price["id"])
                    elif price.get("region_id") in (None, *region_ids):
                        kept.setdefault(price["id"], price)
    if sale:
        notes.append(f"{len(sale)} price-list price(s) (sales, customer-group prices) are not "
                     "kept: the seed format has no price lists")
    currency = ("id", "amount", "currency_code", "min_quantity", "max_quantity")
    region = ("id", "amount", "region_id", "min_quantity", "max_quantity")
    return {variant: [_pick(p, region if p.get("region_id") else currency)
                      for p in prices.values()]
            for variant, prices in seen.items()}


def _product(product: dict[str, Any], prices: dict[str, list[dict[str, Any]]],
             catalog: Catalog) -> dict[str, Any]:
    out = _pick(product, PRODUCT_FIELDS)
    if product.get("type"):
        out["type"] = _pick(product["type"], ("id", "value", "metadata"))
    out["tags"] = [_pick(t, ("id", "value", "metadata")) for t in product.get("tags") or []]
    out["images"] = [_pick(i, ("id", "url", "metadata")) for i in product.get("images") or []]
    out["categories"] = [{"id": c["id"]} for c in catalog.categories
                         if product["id"] in catalog.category_products.get(c["id"], [])]
    options = product.get("options") or []
    out["options"] = [{**_pick(o, ("id", "title", "metadata")),
                       "values": list(dict.fromkeys(v["value"] for v in o.get("values") or []))}
                      for o in options]
    out["variants"] = []
    for variant in product.get("variants") or []:
        out["variants"].append({
            **_pick(variant, VARIANT_FIELDS),
            "prices": prices.get(variant["id"], []),
            # in the order the source shows them, each naming its option
            "options": [_pick(v, ("id", "value", "option_id", "metadata"))
                        for v in variant.get("options") or []],
        })
    return out


def _return_reason(reason: dict[str, Any]) -> dict[str, Any]:
    out = _pick(reason, ("id", "value", "label", "description", "metadata"))
    children = reason.get("return_reason_children") or []
    if children:
        out["children"] = [_return_reason(c) for c in children]
    return out


def _channels(catalog: Catalog) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for product in catalog.products:
        for channel in product.get("sales_channels") or []:
            found.setdefault(channel["id"], channel)
    return found


def _default_channel(channels: dict[str, dict[str, Any]], catalog: Catalog
                     ) -> dict[str, Any] | None:
    """The channel Medusa created on its first boot: the one it named and described so, else
    the one every product is in, else the most used one."""
    for channel in channels.values():
        if channel.get("description") == "Created by Medusa" or (
                channel.get("name") == "Default Sales Channel"):
            return channel
    counts = {cid: sum(any(s["id"] == cid for s in p.get("sales_channels") or [])
                       for p in catalog.products) for cid in channels}
    return channels[max(counts, key=lambda cid: counts[cid])] if counts else None


def _add_key(seed: dict[str, Any], key: str, catalog: Catalog,
             default_channel: dict[str, Any] | None, notes: list[str]) -> None:
    """The publishable key the capture used, scoped to the channel all its products share: the
    default one if the key hides no product, else another they share."""
    shared: set[str] | None = None
    for product in catalog.products:
        ids = {s["id"] for s in product.get("sales_channels") or []}
        shared = ids if shared is None else shared & ids
    entry = {"id": key, "title": "Captured storefront key"}
    default_id = default_channel["id"] if default_channel else None
    narrowed = (catalog.unscoped_products is not None
                and catalog.unscoped_products > len(catalog.products))
    others = sorted((shared or set()) - {default_id})
    if not narrowed or not others:
        seed["publishable_api_keys"] = [entry]
        if narrowed:
            notes.append("the publishable key hides products, but they share no channel "
                         "besides the default one: the key is scoped to the default channel")
        return
    channel_id = others[0]
    for channel in seed["sales_channels"]:
        if channel["id"] == channel_id:
            channel["publishable_api_keys"] = [entry]
    notes.append(f"the publishable key is scoped to sales channel {channel_id} (the one all "
                 "its products share; the Store API does not show a key's channels)")


def not_captured() -> list[str]:
    """What the Store API cannot reveal (printed after every capture)."""
    return [f"{what}: add them with {how}" for what, how in NOT_IN_THE_STORE_API] + [
        "unpublished products, admin-only shipping options, inactive or internal categories "
        "and price lists: the Store API does not show them",
        "timestamps: seeded rows get the seed's fixed date",
    ]
