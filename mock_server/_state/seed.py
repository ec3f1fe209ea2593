"""Load a seed file in Medusa's ``medusa seed`` format (plus mock extensions) into the store.

Medusa's own keys, loaded as ``medusa seed`` (1.20.11, ``dist/commands/seed.js``) loads them:
``store``, ``users`` (not used: the mock has no admin API), ``regions``, ``shipping_options``,
``product_collections``, ``categories`` (nested with ``category_children``), ``products`` (with
``options``, ``variants`` and their ``prices``, ``tags``, ``type``, ``images``, ``collection_id``,
``categories``) and ``publishable_api_keys``. The same defaults apply: products are ``published``
unless they say otherwise and belong to the default sales channel and the default shipping profile
(gift cards to the gift-card profile); categories are always active; publishable keys are scoped to
the default sales channel. Which ids are kept is Medusa's rule too: a region ``id`` that starts
with ``reg_`` and explicit ids of collections, categories, products and publishable keys are kept;
other region ids are only references between entries. Generated ids are the same on every load of
the same file (the loader uses its own seeded id generator, ticking one millisecond per id, so
rows sort by id in the order they were created, as Medusa's do).

Mock extensions, in the same style (lists of plain objects) under keys Medusa's seed does not
read: ``sales_channels`` (beyond the default one, with the ``products`` they sell, by handle, and
their own ``publishable_api_keys``), ``gift_cards``, ``discounts``, ``return_reasons`` (with
``children``), ``customers`` (with ``password`` and ``addresses``), ``orders`` (guest or
customer orders placed with the seeded catalog) and ``order_edits`` (edits of those orders, with
the payment collection of a positive difference: ``_Loader.load_order_edits``).

Extensions that keep another deployment's ids (``medusa-mock capture`` writes them), so that a
mock seeded from a capture answers with the source's ids: ``defaults`` (the ``sales_channel``,
``shipping_profile`` and ``gift_card_shipping_profile`` Medusa creates on its first boot, each
``{id, name, description}``), ``product_tags`` and ``product_types`` (``{id, value, metadata}``,
created in this order before the products that name them by value), and an ``id`` on shipping
options and their ``requirements``, product ``options``, variant option values and ``prices``;
``images`` entries may be ``{id, url, metadata}`` objects besides URLs; a region may give its
``tax_code``; a variant's option values may name their
``option_id`` and are then shown in the order given (else they follow the product's options).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from .clock import Clock, to_iso
from .ids import IdGenerator
from .store import Record, Store

DEFAULT_SEED = "default.json"
SEED_EPOCH = 1_700_000_000.0  # 2023-11-14T22:13:20Z: stable ids and timestamps for seeded rows


# The payment providers the mock implements (``_domain/payments.py``).
PAYMENT_PROVIDERS = ("manual", "mock-payment")


class SeedError(Exception):
    """A seed file that cannot be loaded; the message names the file and the path inside it."""

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(f"{source}: {path}: {message}")
        self.source = source
        self.path = path
        self.message = message


def default_seed_path() -> Path:
    return Path(str(resources.files(__package__).joinpath("seeds", DEFAULT_SEED)))


def _data(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("data", name).read_text("utf-8"))


COUNTRIES: list[list[Any]] = _data("countries.json")
CURRENCIES: dict[str, list[str]] = _data("currencies.json")
PRODUCT_STATUSES = ("draft", "proposed", "published", "rejected")
DISCOUNT_RULE_TYPES = ("percentage", "fixed", "free_shipping")
REQUIREMENT_TYPES = ("min_subtotal", "max_subtotal")
EDIT_STATUSES = ("created", "requested", "declined", "canceled")
MOCK_OUTCOMES = ("authorized", "requires_more", "error")  # _domain/payments.py OUTCOMES
_WORD = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]+[0-9]*|\b|[0-9_]|$)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def kebab_case(text: str) -> str:
    """lodash's ``kebabCase``, which Medusa uses for handles it derives from titles and names."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(word.lower() for word in _WORD.findall(plain))


class _TickingClock(Clock):
    """The loader's clock: one millisecond later on every read, so generated ids increase."""

    def __init__(self, epoch: float) -> None:
        super().__init__(frozen_at=epoch)
        self._ticks = 0

    def time(self) -> float:
        self._ticks += 1
        return super().time() + self._ticks / 1000


def read_seed(path: str | Path | None) -> tuple[str, dict[str, Any]]:
    source = str(path) if path is not None else str(default_seed_path())
    try:
        text = Path(source).read_text("utf-8")
    except FileNotFoundError:
        raise SeedError(source, "$", "file not found") from None
    except OSError as exc:
        raise SeedError(source, "$", f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SeedError(source, "$", "file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(source, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                        f"{exc.msg}") from None
    if not isinstance(data, dict):
        raise SeedError(source, "$", "the top level must be a JSON object")
    return source, data


def _given_ids(value: Any) -> set[str]:
    """Every ``id`` the seed file gives, at any depth."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("id"), str):
                found.add(item["id"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class _Loader:
    def __init__(self, source: str, data: dict[str, Any], store: Store,
                 hash_password: Callable[[str], str],
                 order_total: Callable[[Record, list[Record]], int]) -> None:
        self.source = source
        self.data = data
        self.store = store
        self.hash_password = hash_password
        self.order_total = order_total
        self.profile_id = ""
        self.giftcard_profile_id = ""
        self.default_channel_id = ""
        self.clock = _TickingClock(SEED_EPOCH)
        self.ids = IdGenerator(self.clock, seed=20_11)
        self.now = to_iso(SEED_EPOCH)
        self.region_refs: dict[str, Record] = {}
        self.variants_by_sku: dict[str, Record] = {}
        self.products_by_handle: dict[str, Record] = {}
        self.option_by_name: dict[str, Record] = {}
        self.customers_by_email: dict[str, Record] = {}
        self.tags_by_value: dict[str, Record] = {}
        self.types_by_value: dict[str, Record] = {}
        self.given_ids = _given_ids(data)

    def new_id(self, prefix: str) -> str:
        """A generated id no entry of the file claims (a capture of a mock holds ids this
        generator also makes)."""
        while True:
            candidate = self.ids.new(prefix)
            if candidate not in self.given_ids:
                return candidate

    # -- helpers -------------------------------------------------------------------------------
    def fail(self, path: str, message: str) -> SeedError:
        return SeedError(self.source, path, message)

    def items(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        return self.sub(self.data.get(key), f"$.{key}")

    def sub(self, value: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
        """The objects of a list at ``where`` (``None`` is an empty list)."""
        if value is None:
            value = []
        if not isinstance(value, list):
            raise self.fail(where, "must be a list")
        out = []
        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise self.fail(f"{where}[{i}]", "must be an object")
            out.append((f"{where}[{i}]", entry))
        return out

    def req(self, entry: dict[str, Any], path: str, key: str, kind: type | tuple[type, ...],
            what: str) -> Any:
        if key not in entry:
            raise self.fail(f"{path}.{key}", f"is required ({what})")
        value = entry[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.fail(f"{path}.{key}", f"must be {what}")
        return value

    def opt(self, entry: dict[str, Any], path: str, key: str, kind: type | tuple[type, ...],
            what: str, default: Any = None) -> Any:
        if entry.get(key) is None:
            return default
        return self.req(entry, path, key, kind, what)

    def metadata(self, entry: dict[str, Any], path: str) -> Any:
        return self.opt(entry, path, "metadata", dict, "an object")

    def base(self, prefix: str, given: Any = None) -> Record:
        return {
            "id": given if isinstance(given, str) and given else self.new_id(prefix),
            "created_at": self.now,
            "updated_at": self.now,
            "deleted_at": None,
        }

    def explicit_id(self, entry: dict[str, Any], path: str, table: str) -> str | None:
        """An ``id`` the seed gives an entity whose id Medusa keeps; unique in its table."""
        given = self.opt(entry, path, "id", str, "a string")
        if given is not None and self.store.tables[table].get(given) is not None:
            raise self.fail(f"{path}.id", f"duplicate id {given!r}")
        return given or None

    # -- sections ------------------------------------------------------------------------------
    def load(self) -> None:
        store = self.store
        for n, (iso2, iso3, num, name) in enumerate(COUNTRIES, start=1):
            store.countries.put({"id": iso2, "country_id": n, "iso_2": iso2, "iso_3": iso3,
                                 "num_code": num, "name": name.upper(), "display_name": name,
                                 "region_id": None})
        self.load_defaults()
        self.load_store()
        self.load_regions()
        self.load_payment_providers()
        self.load_shipping_options()
        self.load_categories()
        self.load_collections()
        self.load_products()
        self.load_publishable_api_keys()
        self.load_sales_channels()
        self.load_gift_cards()
        self.load_discounts()
        self.load_return_reasons()
        self.load_customers()
        self.load_orders()
        self.load_order_edits()

    def load_defaults(self) -> None:
        """What Medusa creates when it first boots, before any seed runs (extension:
        ``defaults`` gives their ids, names and descriptions)."""
        given = self.data.get("defaults") or {}
        if not isinstance(given, dict):
            raise self.fail("$.defaults", "must be an object")

        def default(key: str, prefix: str, **fields: Any) -> Record:
            entry = given.get(key) or {}
            path = f"$.defaults.{key}"
            if not isinstance(entry, dict):
                raise self.fail(path, "must be an object")
            record = self.base(prefix, self.opt(entry, path, "id", str, "a string"))
            for name, value in fields.items():
                record[name] = self.opt(entry, path, name, str, "a string", value)
            return record

        default_profile = default("shipping_profile", "sp", name="Default Shipping Profile")
        default_profile.update({"type": "default", "metadata": None})
        gift = default("gift_card_shipping_profile", "sp", name="Gift Card Profile")
        gift.update({"type": "gift_card", "metadata": None})
        if gift["id"] == default_profile["id"]:
            raise self.fail("$.defaults.gift_card_shipping_profile.id",
                            "must differ from the default shipping profile's")
        self.store.shipping_profiles.put(default_profile)
        self.store.shipping_profiles.put(gift)
        self.profile_id, self.giftcard_profile_id = default_profile["id"], gift["id"]
        channel = default("sales_channel", "sc", name="Default Sales Channel",
                          description="Created by Medusa")
        channel.update({"is_disabled": False, "metadata": None})
        self.store.sales_channels.put(channel)
        self.default_channel_id = channel["id"]

    def load_store(self) -> None:
        entry = self.data.get("store") or {}
        if not isinstance(entry, dict):
            raise self.fail("$.store", "must be an object")
        record = self.base("store")
        del record["deleted_at"]
        currencies = []
        for i, code in enumerate(self.opt(entry, "$.store", "currencies", list,
                                          "a list of currency codes", ["usd"])):
            if not isinstance(code, str) or code.lower() not in CURRENCIES:
                raise self.fail(f"$.store.currencies[{i}]", f"unknown currency {code!r}")
            currencies.append(code.lower())
        default_currency = self.opt(entry, "$.store", "default_currency_code", str,
                                    "a currency code", "usd").lower()
        if default_currency not in CURRENCIES:
            raise self.fail("$.store.default_currency_code",
                            f"unknown currency {default_currency!r}")
        record.update({
            "name": self.opt(entry, "$.store", "name", str, "a string", "Medusa Store"),
            "default_currency_code": default_currency,
            "currencies": list(dict.fromkeys([default_currency, *currencies])),
            "swap_link_template": entry.get("swap_link_template"),
            "payment_link_template": entry.get("payment_link_template"),
            "invite_link_template": entry.get("invite_link_template"),
            "default_sales_channel_id": self.default_channel_id,
            "default_location_id": None, "metadata": self.metadata(entry, "$.store"),
        })
        self.store.stores.put(record)

    def load_regions(self) -> None:
        for path, entry in self.items("regions"):
            name = self.req(entry, path, "name", str, "a string")
            currency = self.req(entry, path, "currency_code", str, "a currency code").lower()
            if currency not in CURRENCIES:
                raise self.fail(f"{path}.currency_code", f"unknown currency {currency!r}")
            tax_rate = self.req(entry, path, "tax_rate", (int, float), "a number")
            countries = self.req(entry, path, "countries", list,
                                 "a list of ISO 3166-1 alpha-2 codes")
            given = entry.get("id")
            keep = given if isinstance(given, str) and given.startswith("reg_") else None
            if keep is not None and self.store.regions.get(keep) is not None:
                raise self.fail(f"{path}.id", f"duplicate region id {keep!r}")
            region = self.base("reg", keep)
            region.update({
                "name": name, "currency_code": currency, "tax_rate": tax_rate,
                "tax_code": self.opt(entry, path, "tax_code", str, "a string"),
                "gift_cards_taxable": bool(entry.get("gift_cards_taxable", True)),
                "automatic_taxes": bool(entry.get("automatic_taxes", True)),
                "tax_provider_id": None,
                "includes_tax": bool(entry.get("includes_tax", False)),
                "metadata": entry.get("metadata"),
                "payment_providers": list(entry.get("payment_providers") or ["manual"]),
                "fulfillment_providers": list(entry.get("fulfillment_providers") or ["manual"]),
            })
            for j, code in enumerate(countries):
                country = self.store.countries.get(str(code).lower())
                if country is None:
                    raise self.fail(f"{path}.countries[{j}]", f"unknown country code {code!r}")
                if country["region_id"] is not None:
                    raise self.fail(f"{path}.countries[{j}]",
                                    f"country {code!r} already belongs to another region")
                country["region_id"] = region["id"]
                country["region_rank"] = j
            ref = given if given is not None else name
            if ref in self.region_refs:
                raise self.fail(f"{path}.id", f"duplicate region id {ref!r}")
            self.region_refs[ref] = region
            self.store.regions.put(region)

    def load_payment_providers(self) -> None:
        """Extension: ``payment_providers: [{"id": "mock-payment", "regions": [...]}]`` adds a
        provider that only the mock has to regions (``medusa seed`` ignores the key)."""
        for path, entry in self.items("payment_providers"):
            provider = self.req(entry, path, "id", str, "a payment provider id")
            if provider not in PAYMENT_PROVIDERS:
                raise self.fail(f"{path}.id", f"unknown payment provider {provider!r} "
                                f"(known: {', '.join(PAYMENT_PROVIDERS)})")
            refs = self.req(entry, path, "regions", list, "a list of region ids")
            for i, ref in enumerate(refs):
                region = self.region_ref(f"{path}.regions[{i}]", ref)
                if provider not in region["payment_providers"]:
                    region["payment_providers"].append(provider)

    def region_ref(self, path: str, ref: Any) -> Record:
        region = self.region_refs.get(ref) if isinstance(ref, str) else None
        if region is None:
            raise self.fail(path, f"no region with id {ref!r} in $.regions")
        return region

    def load_shipping_options(self) -> None:
        for path, entry in self.items("shipping_options"):
            name = self.req(entry, path, "name", str, "a string")
            region = self.region_ref(f"{path}.region_id", entry.get("region_id"))
            amount = self.opt(entry, path, "amount", int, "an integer amount", None)
            price_type = entry.get("price_type", "flat_rate")
            if price_type not in ("flat_rate", "calculated"):
                raise self.fail(f"{path}.price_type", "must be flat_rate or calculated")
            option = self.base("so", self.explicit_id(entry, path, "shipping_options"))
            option.update({
                "name": name, "region_id": region["id"],
                "profile_id": self.giftcard_profile_id if entry.get("is_giftcard")
                else self.profile_id,
                "provider_id": entry.get("provider_id", "manual"),
                "price_type": price_type, "amount": amount,
                "is_return": bool(entry.get("is_return", False)),
                "admin_only": bool(entry.get("admin_only", False)),
                "data": entry.get("data", {}), "metadata": entry.get("metadata"),
                "includes_tax": bool(entry.get("includes_tax", False)),
                "requirements": [],
            })
            for rpath, req in self.sub(entry.get("requirements"), f"{path}.requirements"):
                kind = self.req(req, rpath, "type", str, "min_subtotal or max_subtotal")
                if kind not in REQUIREMENT_TYPES:
                    raise self.fail(f"{rpath}.type", "must be min_subtotal or max_subtotal")
                option["requirements"].append({
                    "id": self.opt(req, rpath, "id", str, "a string") or self.new_id("sor"),
                    "shipping_option_id": option["id"], "type": kind,
                    "amount": self.req(req, rpath, "amount", int, "an integer amount"),
                    "deleted_at": None,
                })
            self.option_by_name[name] = option
            self.store.shipping_options.put(option)

    def load_categories(self, entries: Any = None, parent: Record | None = None,
                        path: str = "$.categories") -> None:
        if parent is None:
            entries = self.data.get("categories")
        for rank, (cpath, entry) in enumerate(self.sub(entries, path)):
            name = self.req(entry, cpath, "name", str, "a string")
            category = self.base("pcat", self.explicit_id(entry, cpath, "product_categories"))
            del category["deleted_at"]
            handle = self.opt(entry, cpath, "handle", str, "a string") or kebab_case(name)
            if self.store.product_categories.first(lambda c, h=handle: c["handle"] == h):
                raise self.fail(f"{cpath}.handle", f"duplicate category handle {handle!r}")
            category.update({
                "name": name, "description": self.opt(entry, cpath, "description", str,
                                                      "a string", ""),
                "handle": handle,
                # Medusa's seed sets `is_active = is_active || true`: always active
                "is_active": True,
                "is_internal": bool(entry.get("is_internal", False)),
                "parent_category_id": parent["id"] if parent else None,
                "rank": rank, "metadata": self.metadata(entry, cpath),
            })
            self.store.product_categories.put(category)
            children = entry.get("category_children")
            if children is not None:
                self.load_categories(children, category, f"{cpath}.category_children")

    def load_collections(self) -> None:
        for path, entry in self.items("product_collections"):
            title = self.req(entry, path, "title", str, "a string")
            given = self.explicit_id(entry, path, "product_collections")
            collection = self.base("pcol", given)
            handle = self.opt(entry, path, "handle", str, "a string")
            if handle is None and given is None:
                # Medusa derives the handle only when it also generates the id
                handle = kebab_case(title)
            if handle is not None and self.store.product_collections.first(
                    lambda c, h=handle: c["handle"] == h):
                raise self.fail(f"{path}.handle", f"duplicate collection handle {handle!r}")
            collection.update({"title": title, "handle": handle,
                               "metadata": self.metadata(entry, path)})
            self.store.product_collections.put(collection)

    def upsert_value(self, table: str, cache: dict[str, Record], prefix: str, path: str,
                     entry: Any) -> Record:
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            raise self.fail(path, "must be an object with a string value")
        value = entry["value"]
        record = cache.get(value)
        if record is None:
            record = self.base(prefix, entry.get("id"))
            record.update({"value": value, "metadata": entry.get("metadata")})
            self.store.tables[table].put(record)
            cache[value] = record
        return record

    def load_products(self) -> None:
        # extension: tags and types declared ahead of the products, in their list order
        for path, entry in self.items("product_tags"):
            self.upsert_value("product_tags", self.tags_by_value, "ptag", path, entry)
        for path, entry in self.items("product_types"):
            self.upsert_value("product_types", self.types_by_value, "ptyp", path, entry)
        for path, entry in self.items("products"):
            self.load_product(path, entry)

    def load_product(self, path: str, entry: dict[str, Any]) -> None:
        title = self.req(entry, path, "title", str, "a string")
        product = self.base("prod", self.explicit_id(entry, path, "products"))
        handle = self.opt(entry, path, "handle", str, "a string") or kebab_case(title)
        if handle in self.products_by_handle:
            raise self.fail(f"{path}.handle", f"duplicate product handle {handle!r}")
        status = self.opt(entry, path, "status", str, "a product status", "published")
        if status not in PRODUCT_STATUSES:
            raise self.fail(f"{path}.status", f"must be one of {', '.join(PRODUCT_STATUSES)}")
        is_giftcard = bool(entry.get("is_giftcard", False))
        collection_id = self.opt(entry, path, "collection_id", str, "a collection id")
        if collection_id is not None and not self.store.product_collections.get(collection_id):
            raise self.fail(f"{path}.collection_id",
                            f"no collection with id {collection_id!r} in $.product_collections")
        images = []
        for i, item in enumerate(self.opt(entry, path, "images", list, "a list of URLs", [])):
            ipath = f"{path}.images[{i}]"
            given = item if isinstance(item, dict) else {"url": item}
            url = given.get("url")
            if not isinstance(url, str):
                raise self.fail(ipath, "must be a URL or an object with a url")
            image_id = self.opt(given, ipath, "id", str, "a string")
            image = (self.store.product_images.get(image_id) if image_id else
                     self.store.product_images.first(lambda m, u=url: m["url"] == u))
            if image is None:
                image = self.base("img", image_id)
                image.update({"url": url, "metadata": self.metadata(given, ipath)})
                self.store.product_images.put(image)
            elif image["url"] != url:
                raise self.fail(f"{ipath}.id", f"image {image_id!r} already has another url")
            images.append(image["id"])
        tags = [self.upsert_value("product_tags", self.tags_by_value, "ptag", f"{path}.tags[{i}]",
                                  tag)
                for i, tag in enumerate(self.opt(entry, path, "tags", list, "a list", []))]
        type_id = None
        if entry.get("type") is not None:
            type_id = self.upsert_value("product_types", self.types_by_value, "ptyp",
                                        f"{path}.type", entry["type"])["id"]
        categories = []
        for i, ref in enumerate(self.opt(entry, path, "categories", list, "a list", [])):
            cid = ref.get("id") if isinstance(ref, dict) else None
            if not isinstance(cid, str) or not self.store.product_categories.get(cid):
                raise self.fail(f"{path}.categories[{i}]",
                                f"no category with id {cid!r} in $.categories")
            categories.append(cid)
        thumbnail = self.opt(entry, path, "thumbnail", str, "a URL")
        if not thumbnail and images:
            thumbnail = self.store.product_images.get(images[0])["url"]
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
            "external_id": entry.get("external_id"), "metadata": self.metadata(entry, path),
            "profile_id": self.giftcard_profile_id if is_giftcard else self.profile_id,
            "tag_ids": [t["id"] for t in tags], "image_ids": images,
            "category_ids": categories, "sales_channel_ids": [self.default_channel_id],
        })
        self.products_by_handle[handle] = product
        self.store.products.put(product)
        options = []
        for i, (opath, oentry) in enumerate(self.sub(entry.get("options"),
                                                      f"{path}.options")):
            option = self.base("opt", self.explicit_id(oentry, opath, "product_options"))
            option.update({"title": self.req(oentry, opath, "title", str, "a string"),
                           "product_id": product["id"], "metadata": oentry.get("metadata"),
                           "rank": i})
            self.store.product_options.put(option)
            options.append(option)
        variants = self.req(entry, path, "variants", list, "a list of variants")
        for rank, (vpath, ventry) in enumerate(self.sub(variants, f"{path}.variants")):
            self.load_variant(vpath, ventry, product, options, rank)

    def load_variant(self, vpath: str, ventry: dict[str, Any], product: Record,
                     options: list[Record], rank: int) -> None:
        vtitle = self.req(ventry, vpath, "title", str, "a string")
        variant = self.base("variant", self.explicit_id(ventry, vpath, "product_variants"))
        values = self.opt(ventry, vpath, "options", list, "a list of option values", [])
        if len(values) != len(options):
            raise self.fail(f"{vpath}.options", f"the product has {len(options)} options and "
                            f"the variant has {len(values)} values")
        option_values = []
        by_id = {option["id"]: option for option in options}
        for k, (value, option) in enumerate(zip(values, options, strict=True)):
            if not isinstance(value, dict) or not isinstance(value.get("value"), str):
                raise self.fail(f"{vpath}.options[{k}]", "must be an object with a string value")
            if value.get("option_id") is not None:  # extension: values in any order, by option
                option = by_id.get(value["option_id"])
                if option is None or any(v["option_id"] == option["id"] for v in option_values):
                    raise self.fail(f"{vpath}.options[{k}].option_id",
                                    f"{value['option_id']!r} is not another option of the "
                                    "product")
            record = self.base("optval", self.opt(value, f"{vpath}.options[{k}]", "id", str,
                                                  "a string"))
            record.update({"value": value["value"], "option_id": option["id"],
                           "variant_id": variant["id"], "metadata": value.get("metadata")})
            option_values.append(record)
        prices = []
        for ppath, price in self.sub(self.req(ventry, vpath, "prices", list, "a list"),
                                       f"{vpath}.prices"):
            amount = self.req(price, ppath, "amount", int, "an integer amount")
            region_id = None
            if price.get("region_id") is not None:
                region = self.region_ref(f"{ppath}.region_id", price["region_id"])
                region_id, currency = region["id"], region["currency_code"]
            else:
                currency = self.req(price, ppath, "currency_code", str, "a currency code").lower()
                if currency not in CURRENCIES:
                    raise self.fail(f"{ppath}.currency_code", f"unknown currency {currency!r}")
            money = self.base("ma", self.opt(price, ppath, "id", str, "a string"))
            money.update({
                "currency_code": currency, "amount": amount,
                "min_quantity": self.opt(price, ppath, "min_quantity", int, "an integer"),
                "max_quantity": self.opt(price, ppath, "max_quantity", int, "an integer"),
                "price_list_id": None, "region_id": region_id, "variant_id": variant["id"],
            })
            prices.append(money)
        # Medusa stores a variant's region prices before its currency prices
        prices.sort(key=lambda p: p["region_id"] is None)
        sku = self.opt(ventry, vpath, "sku", str, "a string")
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
            if sku in self.variants_by_sku:
                raise self.fail(f"{vpath}.sku", f"duplicate sku {sku!r}")
            self.variants_by_sku[sku] = variant
        self.store.product_variants.put(variant)

    def publishable_key(self, path: str, entry: dict[str, Any], channel_id: str) -> None:
        title = self.req(entry, path, "title", str, "a string")
        key = self.base("pk", self.explicit_id(entry, path, "publishable_api_keys"))
        del key["deleted_at"]
        key.update({"created_by": None, "revoked_by": None, "revoked_at": None, "title": title,
                    "sales_channel_ids": [channel_id]})
        self.store.publishable_api_keys.put(key)

    def load_publishable_api_keys(self) -> None:
        for path, entry in self.items("publishable_api_keys"):
            self.publishable_key(path, entry, self.default_channel_id)

    # -- mock extensions -----------------------------------------------------------------------
    def load_sales_channels(self) -> None:
        for path, entry in self.items("sales_channels"):
            channel = self.base("sc", self.explicit_id(entry, path, "sales_channels"))
            channel.update({
                "name": self.req(entry, path, "name", str, "a string"),
                "description": self.opt(entry, path, "description", str, "a string"),
                "is_disabled": bool(entry.get("is_disabled", False)),
                "metadata": self.metadata(entry, path),
            })
            self.store.sales_channels.put(channel)
            for i, handle in enumerate(self.opt(entry, path, "products", list,
                                                "a list of product handles", [])):
                product = self.products_by_handle.get(handle) if isinstance(handle, str) else None
                if product is None:
                    raise self.fail(f"{path}.products[{i}]",
                                    f"no product with handle {handle!r} in $.products")
                product["sales_channel_ids"].append(channel["id"])
            for kpath, key in self.sub(entry.get("publishable_api_keys"),
                                       f"{path}.publishable_api_keys"):
                self.publishable_key(kpath, key, channel["id"])

    def load_gift_cards(self) -> None:
        for path, entry in self.items("gift_cards"):
            code = self.req(entry, path, "code", str, "a string")
            if self.store.gift_cards.first(lambda g, c=code: g["code"] == c):
                raise self.fail(f"{path}.code", f"duplicate gift card code {code!r}")
            region = self.region_ref(f"{path}.region_id", entry.get("region_id"))
            value = self.req(entry, path, "value", int, "an integer amount")
            card = self.base("gift", self.explicit_id(entry, path, "gift_cards"))
            card.update({
                "code": code, "value": value,
                "balance": self.opt(entry, path, "balance", int, "an integer amount", value),
                "region_id": region["id"], "order_id": None,
                "is_disabled": bool(entry.get("is_disabled", False)),
                "ends_at": self.opt(entry, path, "ends_at", str, "an ISO 8601 date-time"),
                "tax_rate": region["tax_rate"] if region["gift_cards_taxable"] else None,
                "metadata": self.metadata(entry, path),
            })
            self.store.gift_cards.put(card)

    def load_discounts(self) -> None:
        for path, entry in self.items("discounts"):
            code = self.req(entry, path, "code", str, "a string").upper()
            if self.store.discounts.first(lambda d, c=code: d["code"] == c):
                raise self.fail(f"{path}.code", f"duplicate discount code {code!r}")
            rule_entry = self.req(entry, path, "rule", dict, "an object")
            kind = self.req(rule_entry, f"{path}.rule", "type", str, "a discount rule type")
            if kind not in DISCOUNT_RULE_TYPES:
                raise self.fail(f"{path}.rule.type",
                                f"must be one of {', '.join(DISCOUNT_RULE_TYPES)}")
            value = self.req(rule_entry, f"{path}.rule", "value", (int, float), "a number")
            if kind == "percentage" and not 0 <= value <= 100:
                raise self.fail(f"{path}.rule.value", "a percentage must be between 0 and 100")
            allocation = rule_entry.get("allocation", "total")
            if allocation not in ("total", "item"):
                raise self.fail(f"{path}.rule.allocation", "must be total or item")
            rule = self.base("dru")
            rule.update({"description": rule_entry.get("description"), "type": kind,
                         "value": value, "allocation": allocation, "metadata": None})
            regions = [self.region_ref(f"{path}.regions[{i}]", ref)["id"]
                       for i, ref in enumerate(self.req(entry, path, "regions", list,
                                                        "a list of region ids"))]
            discount = self.base("disc", self.explicit_id(entry, path, "discounts"))
            discount.update({
                "code": code, "is_dynamic": bool(entry.get("is_dynamic", False)),
                "rule_id": rule["id"], "rule": rule,
                "is_disabled": bool(entry.get("is_disabled", False)),
                "parent_discount_id": None,
                "starts_at": self.opt(entry, path, "starts_at", str, "an ISO 8601 date-time",
                                      self.now),
                "ends_at": self.opt(entry, path, "ends_at", str, "an ISO 8601 date-time"),
                "valid_duration": None,
                "usage_limit": self.opt(entry, path, "usage_limit", int, "an integer"),
                "usage_count": 0, "metadata": self.metadata(entry, path),
                "region_ids": regions,
            })
            self.store.discounts.put(discount)

    def load_return_reasons(self, entries: Any = None, parent: Record | None = None,
                            path: str = "$.return_reasons") -> None:
        if parent is None:
            entries = self.data.get("return_reasons")
        for rpath, entry in self.sub(entries, path):
            value = self.req(entry, rpath, "value", str, "a string")
            if self.store.return_reasons.first(lambda r, v=value: r["value"] == v):
                raise self.fail(f"{rpath}.value", f"duplicate return reason value {value!r}")
            reason = self.base("rr", self.explicit_id(entry, rpath, "return_reasons"))
            reason.update({
                "value": value, "label": self.req(entry, rpath, "label", str, "a string"),
                "description": self.opt(entry, rpath, "description", str, "a string"),
                "parent_return_reason_id": parent["id"] if parent else None,
                "metadata": self.metadata(entry, rpath),
            })
            self.store.return_reasons.put(reason)
            if entry.get("children") is not None:
                if parent is not None:
                    raise self.fail(f"{rpath}.children",
                                    "a child return reason cannot have children")
                self.load_return_reasons(entry["children"], reason, f"{rpath}.children")

    def address(self, path: str, entry: Any, customer_id: str | None) -> Record:
        if not isinstance(entry, dict):
            raise self.fail(path, "must be an object")
        address = self.base("addr")
        address.update({
            "customer_id": customer_id, "company": entry.get("company"),
            "first_name": entry.get("first_name"), "last_name": entry.get("last_name"),
            "address_1": entry.get("address_1"), "address_2": entry.get("address_2"),
            "city": entry.get("city"),
            "country_code": (entry.get("country_code") or "").lower() or None,
            "province": entry.get("province"), "postal_code": entry.get("postal_code"),
            "phone": entry.get("phone"), "metadata": entry.get("metadata"),
        })
        if address["country_code"] and not self.store.countries.get(address["country_code"]):
            raise self.fail(f"{path}.country_code",
                            f"unknown country code {entry['country_code']!r}")
        self.store.addresses.put(address)
        return address

    def tax_line(self, prefix: str, region: Record, **owner: str) -> Record:
        line = self.base(prefix)
        del line["deleted_at"]
        line.update({"rate": region["tax_rate"], "name": "default", "code": "default",
                     "metadata": None, **owner})
        return line

    def customer(self, email: str, *, has_account: bool, **fields: Any) -> Record:
        customer = self.base("cus")
        customer.update({
            "email": email.lower(), "first_name": fields.get("first_name"),
            "last_name": fields.get("last_name"), "billing_address_id": None,
            "phone": fields.get("phone"), "has_account": has_account,
            "password_hash": fields.get("password_hash"), "metadata": fields.get("metadata"),
        })
        self.store.customers.put(customer)
        self.customers_by_email[customer["email"]] = customer
        return customer

    def load_customers(self) -> None:
        for path, entry in self.items("customers"):
            email = self.req(entry, path, "email", str, "an email address")
            if "@" not in email:
                raise self.fail(f"{path}.email", f"{email!r} is not an email address")
            if email.lower() in self.customers_by_email:
                raise self.fail(f"{path}.email", f"duplicate customer email {email!r}")
            password = self.opt(entry, path, "password", str, "a string")
            customer = self.customer(
                email, has_account=password is not None,
                password_hash=self.hash_password(password) if password else None,
                first_name=entry.get("first_name"), last_name=entry.get("last_name"),
                phone=entry.get("phone"), metadata=entry.get("metadata"))
            for j, addr in enumerate(self.opt(entry, path, "addresses", list, "a list", [])):
                self.address(f"{path}.addresses[{j}]", addr, customer["id"])

    @staticmethod
    def unit_price(variant: Record, region: Record) -> int | None:
        """The price a cart in ``region`` gets: the lowest of its region and currency prices."""
        amounts = [p["amount"] for p in variant["prices"]
                   if p["price_list_id"] is None and p["min_quantity"] is None
                   and p["max_quantity"] is None
                   and (p["region_id"] == region["id"] or (
                       p["region_id"] is None and p["currency_code"] == region["currency_code"]))]
        return min(amounts) if amounts else None

    def load_orders(self) -> None:
        for path, entry in self.items("orders"):
            email = self.req(entry, path, "email", str, "an email address").lower()
            region = self.region_ref(f"{path}.region", entry.get("region"))
            customer_ref = entry.get("customer")
            if customer_ref is not None:
                customer = self.customers_by_email.get(str(customer_ref).lower())
                if customer is None:
                    raise self.fail(f"{path}.customer", f"no customer with email {customer_ref!r}")
            else:
                customer = self.customers_by_email.get(email) or self.customer(
                    email, has_account=False)
            order = self.base("order", entry.get("id"))
            if self.store.orders.get(order["id"]):
                raise self.fail(f"{path}.id", f"duplicate order id {order['id']!r}")
            shipping = entry.get("shipping_address")
            shipping_address = (self.address(f"{path}.shipping_address", shipping, None)
                                if shipping is not None else None)
            display_id = self.store.next_counter("order_display_id")
            order.update({
                "object": "order", "status": entry.get("status", "pending"),
                "fulfillment_status": entry.get("fulfillment_status", "not_fulfilled"),
                "payment_status": entry.get("payment_status", "awaiting"),
                "display_id": display_id, "cart_id": self.new_id("cart"),
                "customer_id": customer["id"], "email": email,
                "billing_address_id": None,
                "shipping_address_id": shipping_address["id"] if shipping_address else None,
                "region_id": region["id"], "currency_code": region["currency_code"],
                "tax_rate": None, "draft_order_id": None, "canceled_at": None,
                "no_notification": None, "idempotency_key": None, "external_id": None,
                "sales_channel_id": self.default_channel_id,
                "metadata": entry.get("metadata") or {},  # checkout gives `cart.metadata || {}`
                "shipping_methods": [], "payments": [], "fulfillments": [],
                "discounts": [], "gift_cards": [],
            })
            items = self.req(entry, path, "items", list, "a list of line items")
            if not items:
                raise self.fail(f"{path}.items", "an order needs at least one item")
            lines: list[Record] = []
            for j, item in enumerate(items):
                ipath = f"{path}.items[{j}]"
                if not isinstance(item, dict):
                    raise self.fail(ipath, "must be an object")
                sku = self.req(item, ipath, "sku", str, "a variant sku from $.products")
                variant = self.variants_by_sku.get(sku)
                if variant is None:
                    raise self.fail(f"{ipath}.sku", f"no variant with sku {sku!r} in $.products")
                price = self.unit_price(variant, region)
                if price is None:
                    raise self.fail(f"{ipath}.sku", f"variant {sku!r} has no "
                                    f"{region['currency_code']} price")
                quantity = self.req(item, ipath, "quantity", int, "a positive integer")
                if quantity < 1:
                    raise self.fail(f"{ipath}.quantity", "must be a positive integer")
                if variant["manage_inventory"]:
                    if variant["inventory_quantity"] < quantity and not variant["allow_backorder"]:
                        raise self.fail(f"{ipath}.quantity",
                                        f"variant {sku!r} has only "
                                        f"{variant['inventory_quantity']} in stock")
                    variant["inventory_quantity"] -= quantity  # placing an order reserves stock
                product = self.store.products.get(variant["product_id"])
                line = self.base("item")
                line.update({
                    "cart_id": order["cart_id"], "order_id": order["id"], "swap_id": None,
                    "claim_order_id": None, "title": product["title"] if product else sku,
                    "description": variant["title"], "thumbnail": product.get("thumbnail")
                    if product else None, "is_return": False,
                    "is_giftcard": bool(product and product["is_giftcard"]),
                    "should_merge": True,
                    "allow_discounts": bool(product["discountable"]) if product else True,
                    "has_shipping": True,
                    "unit_price": price, "variant_id": variant["id"],
                    "product_id": variant["product_id"], "quantity": quantity,
                    "fulfilled_quantity": quantity if order["fulfillment_status"] in (
                        "fulfilled", "shipped") else None,
                    "returned_quantity": None,
                    "shipped_quantity": quantity if order["fulfillment_status"] == "shipped"
                    else None, "metadata": {}, "original_item_id": None,
                    "order_edit_id": None,
                    "adjustments": [],
                })
                line["tax_lines"] = [self.tax_line("litl", region, item_id=line["id"])]
                self.store.line_items.put(line)
                lines.append(line)
            option_name = entry.get("shipping_option")
            if option_name is not None:
                option = self.option_by_name.get(option_name)
                if option is None or option["region_id"] != region["id"]:
                    raise self.fail(f"{path}.shipping_option",
                                    f"no shipping option {option_name!r} in that region")
                method_id = self.new_id("sm")
                order["shipping_methods"].append({
                    "id": method_id, "shipping_option_id": option["id"],
                    "order_id": order["id"], "claim_order_id": None,
                    "cart_id": order["cart_id"], "swap_id": None, "return_id": None,
                    "price": option["amount"] or 0, "data": {},
                    "tax_lines": [self.tax_line("smtl", region, shipping_method_id=method_id)],
                })
            order["payments"].append({
                "id": self.new_id("pay"), "created_at": self.now, "updated_at": self.now,
                "swap_id": None, "cart_id": order["cart_id"], "order_id": order["id"],
                "amount": self.order_total(order, lines), "currency_code": order["currency_code"],
                "amount_refunded": 0, "provider_id": region["payment_providers"][0],
                "data": {"status": "authorized"},
                "captured_at": self.now if order["payment_status"] == "captured" else None,
                "canceled_at": None,
                "metadata": None, "idempotency_key": None,
            })
            self.store.orders.put(order)

    # -- order edits (extension) -----------------------------------------------------------
    def load_order_edits(self) -> None:
        """Extension: ``order_edits``, edits a merchant prepared on seeded orders, as Medusa's
        admin routes leave them (``medusa seed`` ignores the key)::

            {"order": 4, "status": "requested", "internal_note": "...",
             "changes": [{"type": "item_add", "sku": "TSHIRT-L", "quantity": 1},
                         {"type": "item_update", "sku": "MUG-ONE", "quantity": 4},
                         {"type": "item_remove", "sku": "TSHIRT-S"}],
             "payment_collection": {"description": "...",
                                    "sessions": [{"provider_id": "mock-payment",
                                                  "outcome": "requires_more"}]}}

        ``order`` is a seeded order's display id. ``status``: ``requested`` (default),
        ``created`` (not yet sent to the customer), ``declined`` (with ``declined_reason``) or
        ``canceled`` (before it was requested); one created or requested edit per order, as
        Medusa allows; ``id`` (and ``payment_collection.id``) fix the ids. The edit gets a copy
        of the order's lines (``original_item_id`` names the order's line) and each change acts
        on the copy whose variant has that ``sku`` (an added line is priced in the order's
        region). A requested (or declined) edit whose total
        exceeds the order's gets a payment collection for the difference, as Medusa's request
        route creates one; ``payment_collection`` (``true`` or an object) asks for it
        explicitly, gives its ``description`` and opens ``sessions`` on it (``provider_id``
        among the region's, ``amount`` (the whole amount for a single session), and for
        ``mock-payment`` the ``outcome`` authorizing it ends in).
        """
        entries = self.items("order_edits")
        if not entries:
            return
        orders = {o["display_id"]: o for o in self.store.orders.values()}
        admin = self.new_id("usr")  # the admin user who prepared the edits
        for path, entry in entries:
            ref = self.req(entry, path, "order", int, "the display_id of an order in $.orders")
            order = orders.get(ref)
            if order is None:
                raise self.fail(f"{path}.order", f"no order with display_id {ref} in $.orders")
            status = self.opt(entry, path, "status", str, "an order edit status", "requested")
            if status not in EDIT_STATUSES:
                raise self.fail(f"{path}.status", "must be one of created, requested, declined "
                                "or canceled (a confirmed edit is the order as it is after the "
                                "edit: seed that order instead)")
            if status in ("created", "requested"):
                active = self.store.order_edits.first(
                    lambda e, o=order["id"]: e["order_id"] == o and e["confirmed_at"] is None
                    and e["canceled_at"] is None and e["declined_at"] is None)
                if active is not None:
                    raise self.fail(f"{path}.order", f"order {ref} already has an active edit "
                                    f"({active['id']}): Medusa allows one created or requested "
                                    "edit per order")
            edit = self.base("oe", self.explicit_id(entry, path, "order_edits"))
            del edit["deleted_at"]
            requested = status in ("requested", "declined")
            edit.update({
                "order_id": order["id"],
                "internal_note": self.opt(entry, path, "internal_note", str, "a string"),
                "created_by": admin, "requested_by": admin if requested else None,
                "requested_at": self.now if requested else None,
                "confirmed_by": None, "confirmed_at": None,
                "declined_by": None,
                "declined_reason": self.opt(entry, path, "declined_reason", str, "a string"),
                "declined_at": self.now if status == "declined" else None,
                "canceled_by": admin if status == "canceled" else None,
                "canceled_at": self.now if status == "canceled" else None,
                "payment_collection_id": None, "changes": [],
            })
            if edit["declined_reason"] is not None and status != "declined":
                raise self.fail(f"{path}.declined_reason", "only a declined edit has one")
            order_lines = self.store.line_items.find(lambda i, o=order["id"]: i["order_id"] == o)
            clones = [self.clone_line(line, edit["id"]) for line in order_lines]
            self.load_edit_changes(path, entry, order, edit, clones)
            if requested and not edit["changes"]:
                raise self.fail(f"{path}.changes", "a requested edit needs at least one change "
                                "(Medusa refuses to request an edit without)")
            lines = self.store.line_items.find(lambda i, e=edit["id"]: i["order_edit_id"] == e)
            difference = self.order_total(order, lines) - self.order_total(order, order_lines)
            self.load_edit_collection(path, entry, order, edit, difference, requested, admin)
            self.store.order_edits.put(edit)

    def clone_line(self, line: Record, edit_id: str) -> Record:
        """``LineItemService.cloneTo``: a copy on the edit (timestamps kept, as Medusa's spread
        keeps them), with copies of its tax lines and adjustments."""
        clone = json.loads(json.dumps(line))
        clone.update({"id": self.new_id("item"), "cart_id": None, "order_id": None,
                      "swap_id": None, "claim_order_id": None, "order_edit_id": edit_id,
                      "original_item_id": line["id"]})
        clone["tax_lines"] = [dict(t, id=self.new_id("litl"), item_id=clone["id"])
                              for t in line.get("tax_lines", [])]
        clone["adjustments"] = [dict(a, id=self.new_id("lia"), item_id=clone["id"])
                                for a in line.get("adjustments", [])]
        self.store.line_items.put(clone)
        return clone

    def load_edit_changes(self, path: str, entry: dict[str, Any], order: Record,
                          edit: Record, clones: list[Record]) -> None:
        region = self.store.regions.get(order["region_id"])
        changed: set[str] = set()
        for cpath, change in self.sub(entry.get("changes"), f"{path}.changes"):
            kind = self.req(change, cpath, "type", str, "item_add, item_update or item_remove")
            if kind not in ("item_add", "item_update", "item_remove"):
                raise self.fail(f"{cpath}.type", "must be item_add, item_update or item_remove")
            sku = self.req(change, cpath, "sku", str, "a variant sku")
            row = self.base("oic")
            row.update({"type": kind, "order_edit_id": edit["id"],
                        "original_line_item_id": None, "line_item_id": None})
            if kind == "item_add":
                variant = self.variants_by_sku.get(sku)
                if variant is None:
                    raise self.fail(f"{cpath}.sku", f"no variant with sku {sku!r} in $.products")
                price = self.unit_price(variant, region)
                if price is None:
                    raise self.fail(f"{cpath}.sku", f"variant {sku!r} has no "
                                    f"{region['currency_code']} price")
                row["line_item_id"] = self.added_line(cpath, change, edit, variant, price,
                                                      region)["id"]
            else:
                matches = [c for c in clones if (self.store.product_variants.get(
                    c.get("variant_id") or "") or {}).get("sku") == sku]
                if not matches:
                    raise self.fail(f"{cpath}.sku", f"order {order['display_id']} has no line "
                                    f"with sku {sku!r}")
                if len(matches) > 1:
                    raise self.fail(f"{cpath}.sku", f"order {order['display_id']} has several "
                                    f"lines with sku {sku!r}")
                clone = matches[0]
                if clone["id"] in changed:
                    raise self.fail(f"{cpath}.sku", f"the line with sku {sku!r} is already "
                                    "changed by this edit")
                changed.add(clone["id"])
                row["original_line_item_id"] = clone["original_item_id"]
                if kind == "item_update":
                    clone["quantity"] = self.quantity(change, cpath)
                    clone["updated_at"] = self.now
                    row["line_item_id"] = clone["id"]
                else:
                    self.store.line_items.delete(clone["id"])
            edit["changes"].append(row)

    def quantity(self, entry: dict[str, Any], path: str) -> int:
        quantity = self.req(entry, path, "quantity", int, "a positive integer")
        if quantity < 1:
            raise self.fail(f"{path}.quantity", "must be a positive integer")
        return quantity

    def added_line(self, path: str, change: dict[str, Any], edit: Record, variant: Record,
                   price: int, region: Record) -> Record:
        """``OrderEditService.addLineItem``: a new line on the edit, with the region's tax."""
        product = self.store.products.get(variant["product_id"])
        line = self.base("item")
        del line["deleted_at"]
        line.update({
            "cart_id": None, "order_id": None, "swap_id": None, "claim_order_id": None,
            "original_item_id": None, "order_edit_id": edit["id"],
            "title": product["title"] if product else variant["sku"],
            "description": variant["title"],
            "thumbnail": product.get("thumbnail") if product else None, "is_return": False,
            "is_giftcard": bool(product and product["is_giftcard"]), "should_merge": True,
            "allow_discounts": bool(product["discountable"]) if product else True,
            "has_shipping": None, "unit_price": price, "variant_id": variant["id"],
            "product_id": variant["product_id"], "quantity": self.quantity(change, path),
            "fulfilled_quantity": None, "returned_quantity": None, "shipped_quantity": None,
            "metadata": self.metadata(change, path) or {}, "adjustments": [],
        })
        line["tax_lines"] = [self.tax_line("litl", region, item_id=line["id"])]
        self.store.line_items.put(line)
        return line

    def load_edit_collection(self, path: str, entry: dict[str, Any], order: Record,
                             edit: Record, difference: int, requested: bool,
                             admin: str) -> None:
        """The payment collection Medusa's request route creates for a positive difference."""
        given = entry.get("payment_collection")
        cpath = f"{path}.payment_collection"
        if given is not None and given is not True and not isinstance(given, dict):
            raise self.fail(cpath, "must be true or an object")
        if not requested or difference <= 0:
            if given is not None:
                why = ("the edit was never requested" if not requested else
                       f"its difference_due is {difference}")
                raise self.fail(cpath, "Medusa creates a payment collection only when a "
                                f"requested edit costs more than the order; {why}")
            return
        options = given if isinstance(given, dict) else {}
        region = self.store.regions.get(order["region_id"])
        collection = self.base("paycol", self.explicit_id(options, cpath, "payment_collections"))
        collection.update({
            "type": "order_edit", "status": "not_paid",
            "description": self.opt(options, cpath, "description", str, "a string"),
            "amount": difference, "authorized_amount": None, "region_id": region["id"],
            "currency_code": region["currency_code"], "metadata": self.metadata(options, cpath),
            "created_by": admin, "payment_session_ids": [], "payment_ids": [],
        })
        sessions = self.sub(options.get("sessions"), f"{cpath}.sessions")
        total = 0
        for spath, spec in sessions:
            provider = self.req(spec, spath, "provider_id", str, "a payment provider id")
            offered = region["payment_providers"]
            if provider not in offered:
                raise self.fail(f"{spath}.provider_id", f"provider {provider!r} is not offered "
                                f"in region {region['name']} ({', '.join(offered)})")
            if len(sessions) == 1 and spec.get("amount") is None:
                amount = difference
            else:
                amount = self.req(spec, spath, "amount", int, "a positive integer amount")
                if amount < 1:
                    raise self.fail(f"{spath}.amount", "must be a positive integer amount")
            data: dict[str, Any] = {"status": "pending"}
            if provider == "mock-payment":
                outcome = self.opt(spec, spath, "outcome", str, "an outcome", "authorized")
                if outcome not in MOCK_OUTCOMES:
                    raise self.fail(f"{spath}.outcome",
                                    f"must be one of {', '.join(MOCK_OUTCOMES)}")
                data["outcome"] = outcome
            elif spec.get("outcome") is not None:
                raise self.fail(f"{spath}.outcome", "only a mock-payment session has an outcome")
            session = self.base("ps")
            del session["deleted_at"]
            session.update({"cart_id": None, "provider_id": provider, "is_selected": None,
                            "is_initiated": True, "status": "pending", "data": data,
                            "idempotency_key": None, "amount": amount,
                            "payment_authorized_at": None})
            self.store.payment_sessions.put(session)
            collection["payment_session_ids"].append(session["id"])
            total += amount
        if sessions and total != difference:
            raise self.fail(f"{cpath}.sessions", f"the amounts add up to {total}, not to the "
                            f"collection's amount {difference} (the edit's difference_due)")
        self.store.payment_collections.put(collection)
        edit["payment_collection_id"] = collection["id"]


def load_seed(store: Store, data: dict[str, Any], *, source: str,
              hash_password: Callable[[str], str],
              order_total: Callable[[Record, list[Record]], int]) -> None:
    """Fill an empty ``store`` from parsed seed ``data``; raise :class:`SeedError` if invalid.

    ``hash_password`` and ``order_total`` come from the domain layer (injected, so that this
    layer does not import it): seeded orders carry an authorized payment of their total, as an
    order placed through checkout does.
    """
    with store.lock:
        _Loader(source, data, store, hash_password, order_total).load()
