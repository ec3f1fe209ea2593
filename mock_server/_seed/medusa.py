"""Medusa's own seed format, loaded as ``medusa seed`` (1.20.11, ``dist/commands/seed.js``)
loads it, after what Medusa creates when it first boots (countries, the default shipping profiles
and sales channel).

Keys: ``store``, ``users`` (not used: the mock has no admin API), ``regions``,
``shipping_options``, ``product_collections``, ``categories`` (nested with
``category_children``), ``products`` (with ``options``, ``variants`` and their ``prices``,
``tags``, ``type``, ``images``, ``collection_id``, ``categories``) and ``publishable_api_keys``.
The same defaults apply: products are ``published`` unless they say otherwise and belong to the
default sales channel and the default shipping profile (gift cards to the gift-card profile);
categories are always active; publishable keys are scoped to the default sales channel. Which ids
are kept is Medusa's rule too: a region ``id`` that starts with ``reg_`` and explicit ids of
collections, categories, products and publishable keys are kept; other region ids are only
references between entries.

The mock's extensions of these keys keep another deployment's ids (``medusa-mock capture`` writes
them, so that a mock seeded from a capture answers with the source's ids): ``defaults`` (the
``sales_channel``, ``shipping_profile`` and ``gift_card_shipping_profile`` Medusa creates on its
first boot, each ``{id, name, description}``); an ``id`` on shipping options and their
``requirements``, product ``options``, variant option values and ``prices``; ``images`` entries
as ``{id, url, metadata}`` objects besides URLs; a region's ``tax_code``; option values that name
their ``option_id`` (then shown in the order given; else they follow the product's options).
``product_tags`` and ``product_types`` declared ahead of the products are in ``extensions.py``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .._state.reference import COUNTRIES, CURRENCIES
from .._state.store import Record
from .context import Seeding

PRODUCT_STATUSES = ("draft", "proposed", "published", "rejected")
REQUIREMENT_TYPES = ("min_subtotal", "max_subtotal")
_WORD = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]+[0-9]*|\b|[0-9_]|$)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def kebab_case(text: str) -> str:
    """lodash's ``kebabCase``, which Medusa uses for handles it derives from titles and names."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(word.lower() for word in _WORD.findall(plain))


def load_countries(seed: Seeding) -> None:
    """Medusa's countries table, as its migrations fill it."""
    for n, (iso2, iso3, num, name) in enumerate(COUNTRIES, start=1):
        seed.store.countries.put({"id": iso2, "country_id": n, "iso_2": iso2, "iso_3": iso3,
                                  "num_code": num, "name": name.upper(), "display_name": name,
                                  "region_id": None})


def load_defaults(seed: Seeding) -> None:
    """What Medusa creates when it first boots, before any seed runs (extension: ``defaults``
    gives their ids, names and descriptions)."""
    given = seed.data.get("defaults")
    given = {} if given is None else given
    if not isinstance(given, dict):
        raise seed.fail("$.defaults", "must be an object")

    def default(key: str, prefix: str, **fields: str) -> Record:
        entry = given.get(key)
        entry = {} if entry is None else entry
        path = f"$.defaults.{key}"
        if not isinstance(entry, dict):
            raise seed.fail(path, "must be an object")
        record = seed.base(prefix, seed.opt(entry, path, "id", str, "a string"))
        for name, value in fields.items():
            record[name] = seed.opt(entry, path, name, str, "a string", value)
        return record

    default_profile = default("shipping_profile", "sp", name="Default Shipping Profile")
    default_profile.update({"type": "default", "metadata": None})
    gift = default("gift_card_shipping_profile", "sp", name="Gift Card Profile")
    gift.update({"type": "gift_card", "metadata": None})
    if gift["id"] == default_profile["id"]:
        raise seed.fail("$.defaults.gift_card_shipping_profile.id",
                        "must differ from the default shipping profile's")
    seed.store.shipping_profiles.put(default_profile)
    seed.store.shipping_profiles.put(gift)
    seed.profile_id, seed.giftcard_profile_id = default_profile["id"], gift["id"]
    channel = default("sales_channel", "sc", name="Default Sales Channel",
                      description="Created by Medusa")
    channel.update({"is_disabled": False, "metadata": None})
    seed.store.sales_channels.put(channel)
    seed.default_channel_id = channel["id"]


def load_store(seed: Seeding) -> None:
    entry = seed.data.get("store") or {}
    if not isinstance(entry, dict):
        raise seed.fail("$.store", "must be an object")
    record = seed.base("store")
    del record["deleted_at"]
    currencies = []
    for i, code in enumerate(seed.opt(entry, "$.store", "currencies", list,
                                      "a list of currency codes", ["usd"])):
        if not isinstance(code, str) or code.lower() not in CURRENCIES:
            raise seed.fail(f"$.store.currencies[{i}]", f"unknown currency {code!r}")
        currencies.append(code.lower())
    default_currency = seed.opt(entry, "$.store", "default_currency_code", str,
                                "a currency code", "usd").lower()
    if default_currency not in CURRENCIES:
        raise seed.fail("$.store.default_currency_code",
                        f"unknown currency {default_currency!r}")
    record.update({
        "name": seed.opt(entry, "$.store", "name", str, "a string", "Medusa Store"),
        "default_currency_code": default_currency,
        "currencies": list(dict.fromkeys([default_currency, *currencies])),
        "swap_link_template": entry.get("swap_link_template"),
        "payment_link_template": entry.get("payment_link_template"),
        "invite_link_template": entry.get("invite_link_template"),
        "default_sales_channel_id": seed.default_channel_id,
        "default_location_id": None, "metadata": seed.metadata(entry, "$.store"),
    })
    seed.store.stores.put(record)


def load_regions(seed: Seeding) -> None:
    for path, entry in seed.items("regions"):
        name = seed.req(entry, path, "name", str, "a string")
        currency = seed.req(entry, path, "currency_code", str, "a currency code").lower()
        if currency not in CURRENCIES:
            raise seed.fail(f"{path}.currency_code", f"unknown currency {currency!r}")
        tax_rate = seed.req(entry, path, "tax_rate", (int, float), "a number")
        countries = seed.req(entry, path, "countries", list,
                             "a list of ISO 3166-1 alpha-2 codes")
        given = entry.get("id")
        keep = given if isinstance(given, str) and given.startswith("reg_") else None
        if keep is not None and seed.store.regions.get(keep) is not None:
            raise seed.fail(f"{path}.id", f"duplicate region id {keep!r}")
        region = seed.base("reg", keep)
        region.update({
            "name": name, "currency_code": currency, "tax_rate": tax_rate,
            "tax_code": seed.opt(entry, path, "tax_code", str, "a string"),
            "gift_cards_taxable": bool(entry.get("gift_cards_taxable", True)),
            "automatic_taxes": bool(entry.get("automatic_taxes", True)),
            "tax_provider_id": None,
            "includes_tax": bool(entry.get("includes_tax", False)),
            "metadata": entry.get("metadata"),
            # `medusa seed` gives a region exactly the providers it lists: none when the key
            # is absent or empty (RegionService.create only adds what `regionData` names)
            "payment_providers": list(entry.get("payment_providers") or []),
            "fulfillment_providers": list(entry.get("fulfillment_providers") or []),
        })
        for j, code in enumerate(countries):
            country = seed.store.countries.get(str(code).lower())
            if country is None:
                raise seed.fail(f"{path}.countries[{j}]", f"unknown country code {code!r}")
            if country["region_id"] is not None:
                raise seed.fail(f"{path}.countries[{j}]",
                                f"country {code!r} already belongs to another region")
            country["region_id"] = region["id"]
            country["region_rank"] = j
            seed.store.countries.put(country)  # region_id is indexed
        ref = given if given is not None else name
        if ref in seed.region_refs:
            raise seed.fail(f"{path}.id", f"duplicate region id {ref!r}")
        seed.region_refs[ref] = region
        seed.store.regions.put(region)


def load_shipping_options(seed: Seeding) -> None:
    for path, entry in seed.items("shipping_options"):
        name = seed.req(entry, path, "name", str, "a string")
        region = seed.region_ref(f"{path}.region_id", entry.get("region_id"))
        amount = seed.opt(entry, path, "amount", int, "an integer amount", None)
        price_type = entry.get("price_type", "flat_rate")
        if price_type not in ("flat_rate", "calculated"):
            raise seed.fail(f"{path}.price_type", "must be flat_rate or calculated")
        option = seed.base("so", seed.explicit_id(entry, path, "shipping_options"))
        option.update({
            "name": name, "region_id": region["id"],
            "profile_id": seed.giftcard_profile_id if entry.get("is_giftcard")
            else seed.profile_id,
            "provider_id": entry.get("provider_id", "manual"),
            "price_type": price_type, "amount": amount,
            "is_return": bool(entry.get("is_return", False)),
            "admin_only": bool(entry.get("admin_only", False)),
            "data": entry.get("data", {}), "metadata": entry.get("metadata"),
            "includes_tax": bool(entry.get("includes_tax", False)),
            "requirements": [],
        })
        for rpath, req in seed.sub(entry.get("requirements"), f"{path}.requirements"):
            kind = seed.req(req, rpath, "type", str, "min_subtotal or max_subtotal")
            if kind not in REQUIREMENT_TYPES:
                raise seed.fail(f"{rpath}.type", "must be min_subtotal or max_subtotal")
            option["requirements"].append({
                "id": seed.opt(req, rpath, "id", str, "a string") or seed.ids.new("sor"),
                "shipping_option_id": option["id"], "type": kind,
                "amount": seed.req(req, rpath, "amount", int, "an integer amount"),
                "deleted_at": None,
            })
        seed.option_by_name[name] = option
        seed.store.shipping_options.put(option)


def load_categories(seed: Seeding, entries: Any = None, parent: Record | None = None,
                    path: str = "$.categories") -> None:
    if parent is None:
        entries = seed.data.get("categories")
    for rank, (cpath, entry) in enumerate(seed.sub(entries, path)):
        name = seed.req(entry, cpath, "name", str, "a string")
        category = seed.base("pcat", seed.explicit_id(entry, cpath, "product_categories"))
        del category["deleted_at"]
        handle = seed.opt(entry, cpath, "handle", str, "a string") or kebab_case(name)
        if seed.store.product_categories.first_where(handle=handle):
            raise seed.fail(f"{cpath}.handle", f"duplicate category handle {handle!r}")
        category.update({
            "name": name, "description": seed.opt(entry, cpath, "description", str,
                                                  "a string", ""),
            "handle": handle,
            # Medusa's seed sets `is_active = is_active || true`: always active
            "is_active": True,
            "is_internal": bool(entry.get("is_internal", False)),
            "parent_category_id": parent["id"] if parent else None,
            "rank": rank, "metadata": seed.metadata(entry, cpath),
        })
        seed.store.product_categories.put(category)
        children = entry.get("category_children")
        if children is not None:
            load_categories(seed, children, category, f"{cpath}.category_children")


def load_collections(seed: Seeding) -> None:
    for path, entry in seed.items("product_collections"):
        title = seed.req(entry, path, "title", str, "a string")
        given = seed.explicit_id(entry, path, "product_collections")
        collection = seed.base("pcol", given)
        handle = seed.opt(entry, path, "handle", str, "a string")
        if handle is None and given is None:
            # Medusa derives the handle only when it also generates the id
            handle = kebab_case(title)
        if handle is not None and seed.store.product_collections.first_where(handle=handle):
            raise seed.fail(f"{path}.handle", f"duplicate collection handle {handle!r}")
        collection.update({"title": title, "handle": handle,
                           "metadata": seed.metadata(entry, path)})
        seed.store.product_collections.put(collection)


def upsert_value(seed: Seeding, table: str, cache: dict[str, Record], prefix: str, path: str,
                 entry: Any) -> Record:
    if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
        raise seed.fail(path, "must be an object with a string value")
    value = entry["value"]
    record = cache.get(value)
    if record is None:
        record = seed.base(prefix, seed.explicit_id(entry, path, table))
        record.update({"value": value, "metadata": entry.get("metadata")})
        seed.store.tables[table].put(record)
        cache[value] = record
    return record


def load_products(seed: Seeding) -> None:
    for path, entry in seed.items("products"):
        load_product(seed, path, entry)


def load_product(seed: Seeding, path: str, entry: dict[str, Any]) -> None:
    title = seed.req(entry, path, "title", str, "a string")
    product = seed.base("prod", seed.explicit_id(entry, path, "products"))
    handle = seed.opt(entry, path, "handle", str, "a string") or kebab_case(title)
    if handle in seed.products_by_handle:
        raise seed.fail(f"{path}.handle", f"duplicate product handle {handle!r}")
    status = seed.opt(entry, path, "status", str, "a product status", "published")
    if status not in PRODUCT_STATUSES:
        raise seed.fail(f"{path}.status", f"must be one of {', '.join(PRODUCT_STATUSES)}")
    is_giftcard = bool(entry.get("is_giftcard", False))
    collection_id = seed.opt(entry, path, "collection_id", str, "a collection id")
    if collection_id is not None and not seed.store.product_collections.get(collection_id):
        raise seed.fail(f"{path}.collection_id",
                        f"no collection with id {collection_id!r} in $.product_collections")
    images = [load_image(seed, f"{path}.images[{i}]", item)
              for i, item in enumerate(seed.opt(entry, path, "images", list, "a list of URLs",
                                                []))]
    tags = [upsert_value(seed, "product_tags", seed.tags_by_value, "ptag", f"{path}.tags[{i}]",
                              tag)
            for i, tag in enumerate(seed.opt(entry, path, "tags", list, "a list", []))]
    type_id = None
    if entry.get("type") is not None:
        type_id = upsert_value(seed, "product_types", seed.types_by_value, "ptyp",
                                    f"{path}.type", entry["type"])["id"]
    categories = []
    for i, ref in enumerate(seed.opt(entry, path, "categories", list, "a list", [])):
        cid = ref.get("id") if isinstance(ref, dict) else None
        if not isinstance(cid, str) or not seed.store.product_categories.get(cid):
            raise seed.fail(f"{path}.categories[{i}]",
                            f"no category with id {cid!r} in $.categories")
        categories.append(cid)
    thumbnail = seed.opt(entry, path, "thumbnail", str, "a URL")
    if not thumbnail and images:
        first = seed.store.product_images.get(images[0])
        thumbnail = first["url"] if first else None
    product.update({
        "title": title, "subtitle": entry.get("subtitle"),
        "description": entry.get("description"), "handle": handle,
        "is_giftcard": is_giftcard, "status": status, "thumbnail": thumbnail,
        "weight": entry.get("weight"), "length": entry.get("length"),
        "height": entry.get("height"), "width": entry.get("width"),
        "hs_code": entry.get("hs_code"), "origin_country": entry.get("origin_country"),
        "mid_code": entry.get("mid_code"), "material": entry.get("material"),
        "collection_id": collection_id, "type_id": type_id,
        "discountable": False if is_giftcard else bool(entry.get("discountable", True)),
        "external_id": entry.get("external_id"), "metadata": seed.metadata(entry, path),
        "profile_id": seed.giftcard_profile_id if is_giftcard else seed.profile_id,
        "tag_ids": [t["id"] for t in tags], "image_ids": images,
        "category_ids": categories, "sales_channel_ids": [seed.default_channel_id],
    })
    seed.products_by_handle[handle] = product
    seed.store.products.put(product)
    options = []
    for i, (opath, oentry) in enumerate(seed.sub(entry.get("options"),
                                                  f"{path}.options")):
        option = seed.base("opt", seed.explicit_id(oentry, opath, "product_options"))
        option.update({"title": seed.req(oentry, opath, "title", str, "a string"),
                       "product_id": product["id"], "metadata": oentry.get("metadata"),
                       "rank": i})
        seed.store.product_options.put(option)
        options.append(option)
    variants = seed.req(entry, path, "variants", list, "a list of variants")
    for rank, (vpath, ventry) in enumerate(seed.sub(variants, f"{path}.variants")):
        load_variant(seed, vpath, ventry, product, options, rank)


def load_image(seed: Seeding, path: str, item: Any) -> str:
    """The id of an image of a product: a URL (one image per URL, shared between products), or
    (extension) an ``{id, url, metadata}`` object."""
    given = item if isinstance(item, dict) else {"url": item}
    url = given.get("url")
    if not isinstance(url, str):
        raise seed.fail(path, "must be a URL or an object with a url")
    image_id = seed.opt(given, path, "id", str, "a string")
    image = (seed.store.product_images.get(image_id) if image_id
             else seed.store.product_images.first_where(url=url))
    if image is None:
        image = seed.base("img", image_id)
        image.update({"url": url, "metadata": seed.metadata(given, path)})
        seed.store.product_images.put(image)
    elif image["url"] != url:
        raise seed.fail(f"{path}.id", f"image {image_id!r} already has another url")
    image_id = image["id"]
    assert isinstance(image_id, str)
    return image_id


def load_variant(seed: Seeding, vpath: str, ventry: dict[str, Any], product: Record,
                 options: list[Record], rank: int) -> None:
    vtitle = seed.req(ventry, vpath, "title", str, "a string")
    variant = seed.base("variant", seed.explicit_id(ventry, vpath, "product_variants"))
    values = seed.opt(ventry, vpath, "options", list, "a list of option values", [])
    if len(values) != len(options):
        raise seed.fail(f"{vpath}.options", f"the product has {len(options)} options and "
                        f"the variant has {len(values)} values")
    option_values: list[Record] = []
    by_id = {option["id"]: option for option in options}
    for k, (value, option) in enumerate(zip(values, options, strict=True)):
        if not isinstance(value, dict) or not isinstance(value.get("value"), str):
            raise seed.fail(f"{vpath}.options[{k}]", "must be an object with a string value")
        if value.get("option_id") is not None:  # extension: values in any order, by option
            named = by_id.get(value["option_id"]) if isinstance(value["option_id"], str) else None
            if named is None or any(v["option_id"] == named["id"] for v in option_values):
                raise seed.fail(f"{vpath}.options[{k}].option_id",
                                f"{value['option_id']!r} is not another option of the product")
            option = named
        record = seed.base("optval", seed.opt(value, f"{vpath}.options[{k}]", "id", str,
                                              "a string"))
        record.update({"value": value["value"], "option_id": option["id"],
                       "variant_id": variant["id"], "metadata": value.get("metadata")})
        option_values.append(record)
    prices = []
    for ppath, price in seed.sub(seed.req(ventry, vpath, "prices", list, "a list"),
                                   f"{vpath}.prices"):
        amount = seed.req(price, ppath, "amount", int, "an integer amount")
        region_id = None
        if price.get("region_id") is not None:
            region = seed.region_ref(f"{ppath}.region_id", price["region_id"])
            region_id, currency = region["id"], region["currency_code"]
        else:
            currency = seed.req(price, ppath, "currency_code", str, "a currency code").lower()
            if currency not in CURRENCIES:
                raise seed.fail(f"{ppath}.currency_code", f"unknown currency {currency!r}")
        money = seed.base("ma", seed.opt(price, ppath, "id", str, "a string"))
        money.update({
            "currency_code": currency, "amount": amount,
            "min_quantity": seed.opt(price, ppath, "min_quantity", int, "an integer"),
            "max_quantity": seed.opt(price, ppath, "max_quantity", int, "an integer"),
            "price_list_id": None, "region_id": region_id, "variant_id": variant["id"],
        })
        prices.append(money)
    # Medusa stores a variant's region prices before its currency prices
    prices.sort(key=lambda p: p["region_id"] is None)
    sku = seed.opt(ventry, vpath, "sku", str, "a string")
    variant.update({
        "title": vtitle, "product_id": product["id"], "sku": sku,
        "barcode": ventry.get("barcode"), "ean": ventry.get("ean"), "upc": ventry.get("upc"),
        "inventory_quantity": int(ventry.get("inventory_quantity", 0)),
        "allow_backorder": bool(ventry.get("allow_backorder", False)),
        "manage_inventory": bool(ventry.get("manage_inventory", True)),
        "hs_code": ventry.get("hs_code"), "origin_country": ventry.get("origin_country"),
        "mid_code": ventry.get("mid_code"), "material": ventry.get("material"),
        "weight": ventry.get("weight"), "length": ventry.get("length"),
        "height": ventry.get("height"), "width": ventry.get("width"),
        "metadata": ventry.get("metadata"),
        "variant_rank": ventry.get("variant_rank") or rank,
        "prices": prices, "options": option_values,
    })
    if sku:
        if sku in seed.variants_by_sku:
            raise seed.fail(f"{vpath}.sku", f"duplicate sku {sku!r}")
        seed.variants_by_sku[sku] = variant
    seed.store.product_variants.put(variant)


def publishable_key(seed: Seeding, path: str, entry: dict[str, Any], channel_id: str) -> None:
    title = seed.req(entry, path, "title", str, "a string")
    key = seed.base("pk", seed.explicit_id(entry, path, "publishable_api_keys"))
    del key["deleted_at"]
    key.update({"created_by": None, "revoked_by": None, "revoked_at": None, "title": title,
                "sales_channel_ids": [channel_id]})
    seed.store.publishable_api_keys.put(key)


def load_publishable_api_keys(seed: Seeding) -> None:
    for path, entry in seed.items("publishable_api_keys"):
        publishable_key(seed, path, entry, seed.default_channel_id)

