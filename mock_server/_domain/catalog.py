"""The catalog a storefront reads: products, variants, regions, shipping options, return reasons
and gift cards, as Medusa 1.20.11's Store API shows them (collections, tags, types and categories
are :mod:`.taxonomy`'s part of the service). Lists follow Medusa's list configuration
(:mod:`.listing`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._quirks import implements
from .._state.store import Record, Store, Table
from . import views
from .errors import ErrorType, MedusaError, UnexpectedError, not_found
from .listing import ListConfig, as_list, compare_date, list_config, page, query_key, sort_rows
from .pricing import PricingContext, PricingService
from .read_cache import ReadCache
from .taxonomy import CATEGORY_SCOPE, Taxonomy

# -- route configurations (``api/routes/store/<area>/index.js``) -------------------------------
PRODUCT_DEFAULT_RELATIONS = (
    "variants", "variants.prices", "variants.options", "options", "options.values", "images",
    "tags", "collection", "type", "profiles",
)
PRODUCT_DEFAULT_FIELDS = (
    "id", "title", "subtitle", "status", "external_id", "description", "handle", "is_giftcard",
    "discountable", "thumbnail", "collection_id", "type_id", "weight", "length", "height", "width",
    "hs_code", "origin_country", "mid_code", "material", "created_at", "updated_at", "deleted_at",
    "metadata",
)
PRODUCT_ALLOWED_FIELDS = (*PRODUCT_DEFAULT_FIELDS, "profile_id", "variants.title",
                          "variants.prices.amount")
# ``categories`` joins these only with the product_categories feature flag, off by default.
PRODUCT_ALLOWED_RELATIONS = (*PRODUCT_DEFAULT_RELATIONS, "variants.inventory_items",
                             "sales_channels")
VARIANT_DEFAULT_RELATIONS = ("prices", "options", "product")
VARIANT_ALLOWED_RELATIONS = (*VARIANT_DEFAULT_RELATIONS, "inventory_items")
REGION_DEFAULT_RELATIONS = ("countries", "payment_providers", "fulfillment_providers",
                            "currency")
INT4 = (-(2 ** 31), 2 ** 31 - 1)  # PostgreSQL's integer, the type of inventory_quantity



class CatalogService(Taxonomy):
    def __init__(self, store: Store, pricing: PricingService,
                 read_cache: ReadCache | None = None) -> None:
        self.store = store
        self.pricing = pricing
        self.read_cache = read_cache or ReadCache(store, "off")

    # -- publishable keys and sales channels ---------------------------------------------------
    @implements("publishable-key-unknown-ignored")
    def key_scopes(self, key: str | None) -> list[str]:
        """The sales channels a publishable API key is scoped to (none for an unknown key: Medusa
        then answers as if no key was sent)."""
        if not key:
            return []
        record = self.store.publishable_api_keys.get(key)
        if record is None or record.get("revoked_at"):
            return []
        return list(record.get("sales_channel_ids", []))

    def channel_param_errors(self, channels: Sequence[str], wanted: Any) -> list[str]:
        """``validateSalesChannelParam``: a ``sales_channel_id`` outside the publishable key's
        ``channels`` is an error (answered after the query is validated)."""
        if not wanted:
            return []
        wanted = wanted if isinstance(wanted, list) else [wanted]
        if channels and not all(c in channels for c in wanted):
            return [f"Provided sales channel id param: {','.join(map(str, wanted))} is not "
                    "associated with the Publishable API Key passed in the header of the "
                    "request."]
        return []

    def product_scope_errors(self, product_id: str, channels: Sequence[str]) -> list[str]:
        """``validateProductSalesChannelAssociation``: a product outside the publishable key's
        ``channels`` is an error (an unknown product is a ``not_found`` first)."""
        in_scope = not channels or self.product_in_channels(product_id, channels)
        return self._scope_errors("Product", self.store.products, product_id, in_scope)

    def variant_scope_errors(self, variant_id: str, channels: Sequence[str]) -> list[str]:
        """``validateVariantsSalesChannelAssociation``: the same for a variant."""
        in_scope = not channels or self.variant_in_channels(variant_id, channels)
        return self._scope_errors("Variant", self.store.product_variants, variant_id, in_scope)

    @staticmethod
    def _scope_errors(entity: str, table: Table, row_id: str, in_scope: bool) -> list[str]:
        if in_scope:
            return []
        if table.live(row_id) is None:
            raise not_found(entity, id=row_id)
        return [f"{entity} with id: {row_id} is not associated with sales channels defined by "
                "the Publishable API Key passed in the header of the request."]

    def default_sales_channel_id(self) -> str | None:
        for record in self.store.stores.values():
            return record.get("default_sales_channel_id")
        return None

    # -- products ------------------------------------------------------------------------------
    def _category_ids(self, ids: list[str], include_children: bool) -> list[str]:
        wanted = list(dict.fromkeys(ids))
        if include_children:
            queue = list(wanted)
            while queue:
                parent = queue.pop()
                for child in self.store.product_categories.find_where(
                        parent_category_id=parent):
                    if child["id"] not in wanted:
                        wanted.append(child["id"])
                        queue.append(child["id"])
        return [cid for cid in wanted if (cat := self.store.product_categories.get(cid))
                and all(cat.get(k) == v for k, v in CATEGORY_SCOPE.items())]

    def _product_matches_q(self, product: Record, q: str) -> bool:
        needle = q.lower()
        texts = [product.get("title"), product.get("description")]
        for variant in self._variants_of(product["id"]):
            texts += [variant.get("title"), variant.get("sku")]
        collection = self.store.product_collections.get(product.get("collection_id") or "")
        if collection:
            texts.append(collection.get("title"))
        return any(needle in t.lower() for t in texts if isinstance(t, str))

    def _filter_products(self, filters: dict[str, Any]) -> list[Record]:
        ids = filters.get("id")
        category_ids: list[str] | None = None
        if filters.get("category_id") is not None:
            category_ids = self._category_ids(as_list(filters["category_id"]),
                                              bool(filters.get("include_category_children")))

        def keep(p: Record) -> bool:
            if p.get("deleted_at") is not None or p["status"] not in filters.get(
                    "status", ("published",)):
                return False
            if ids is not None and p["id"] not in as_list(ids):
                return False
            for key in ("collection_id", "type_id"):
                if filters.get(key) is not None and p.get(key) not in as_list(filters[key]):
                    return False
            for key in ("title", "description", "handle", "is_giftcard"):
                if key in filters and p.get(key) != filters[key]:
                    return False
            if filters.get("tags") is not None and not set(p["tag_ids"]) & set(filters["tags"]):
                return False
            channels = filters.get("sales_channel_id")
            if channels is not None and not set(p["sales_channel_ids"]) & set(channels):
                return False
            if category_ids is not None and not set(p["category_ids"]) & set(category_ids):
                return False
            if not compare_date(p["created_at"], filters.get("created_at")):
                return False
            if not compare_date(p["updated_at"], filters.get("updated_at")):
                return False
            return not (filters.get("q") and not self._product_matches_q(p, filters["q"]))

        return self.store.products.find(keep)

    # The product and region reads are answered from the read cache (see read_cache.py): their
    # answers depend on the store and their arguments only. What they return is shared.
    def list_products(self, query: dict[str, Any], *, customer_id: str | None = None,
                      key_channels: Sequence[str] = ()) -> tuple[list[dict[str, Any]], int]:
        return self.read_cache.get(
            ("list_products", query_key(query), customer_id, tuple(key_channels)),
            lambda: self._list_products(query, customer_id=customer_id,
                                        key_channels=key_channels))

    def retrieve_product(self, product_id: str, query: dict[str, Any], *,
                         customer_id: str | None = None) -> dict[str, Any]:
        return self.read_cache.get(
            ("retrieve_product", product_id, query_key(query), customer_id),
            lambda: self._retrieve_product(product_id, query, customer_id=customer_id))

    def list_regions(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        return self.read_cache.get(("list_regions", query_key(query)),
                                   lambda: self._list_regions(query))

    def retrieve_region(self, region_id: str, query: dict[str, Any]) -> dict[str, Any]:
        return self.read_cache.get(("retrieve_region", region_id, query_key(query)),
                                   lambda: self._retrieve_region(region_id, query))

    @implements("products-count-without-relations")
    def _list_products(self, query: dict[str, Any], *, customer_id: str | None = None,
                       key_channels: Sequence[str] = ()) -> tuple[list[dict[str, Any]], int]:
        config = list_config(query, default_fields=PRODUCT_DEFAULT_FIELDS,
                             allowed_fields=PRODUCT_ALLOWED_FIELDS,
                             default_relations=PRODUCT_DEFAULT_RELATIONS,
                             allowed_relations=PRODUCT_ALLOWED_RELATIONS, default_limit=100)
        filters = {k: v for k, v in query.items()
                   if k not in ("limit", "offset", "expand", "fields", "order", "cart_id",
                                "region_id", "currency_code")}
        if key_channels:
            filters.setdefault("sales_channel_id", list(key_channels))
            if "sales_channels" not in config.relations:
                config.relations.append("sales_channels")
        with self.store.lock:
            ctx = self.pricing.context(region_id=query.get("region_id"),
                                       currency_code=query.get("currency_code"),
                                       cart_id=query.get("cart_id"), customer_id=customer_id)
            rows = sort_rows(self._filter_products(filters), config.order,
                             views.PRODUCT_COLUMNS)
            selected = page(rows, config)
            # Without any relation Medusa counts the page, not the matches (``expand=``).
            count = len(rows) if config.relations else len(selected)
            products = [self.product_entity(p, config, ctx) for p in selected]
        return [views.clean_response(p, config.allowed_properties) for p in products], count

    def _retrieve_product(self, product_id: str, query: dict[str, Any], *,
                          customer_id: str | None = None) -> dict[str, Any]:
        config = list_config(query, default_fields=PRODUCT_DEFAULT_FIELDS,
                             allowed_fields=PRODUCT_ALLOWED_FIELDS,
                             default_relations=PRODUCT_DEFAULT_RELATIONS,
                             allowed_relations=PRODUCT_ALLOWED_RELATIONS, is_list=False)
        with self.store.lock:
            product = self.store.products.get(product_id)
            if product is None or product.get("deleted_at") is not None:
                raise not_found("Product", id=product_id)
            ctx = self._context(query, customer_id)
            entity = self.product_entity(product, config, ctx)
        return views.clean_response(entity, config.allowed_properties)

    def _context(self, query: dict[str, Any], customer_id: str | None) -> PricingContext:
        """The pricing context of a route that looks its ``cart_id`` up (an unknown cart is a
        ``not_found``)."""
        return self.pricing.context(region_id=query.get("region_id"),
                                    currency_code=query.get("currency_code"),
                                    cart_id=query.get("cart_id"), customer_id=customer_id,
                                    unknown_cart_not_found=True)

    def product_in_channels(self, product_id: str, channel_ids: Sequence[str]) -> bool:
        product = self.store.products.get(product_id)
        return bool(product and set(product["sales_channel_ids"]) & set(channel_ids))

    @implements("search-without-plugin")
    def search_products(self, q: str | None, *, offset: float | None = None,
                        limit: float | None = None) -> list[dict[str, Any]]:
        """What a search plugin indexes and returns: published products matching ``q`` in the
        title, subtitle, description, handle, variant titles or SKUs, collection title, tags."""
        with self.store.lock:
            rows = sort_rows(self._filter_products({}), {"created_at": "DESC"},
                             views.PRODUCT_COLUMNS)
            if q:
                needle = q.lower()
                rows = [p for p in rows if any(needle in t.lower()
                                               for t in self._search_texts(p))]
            start = int(offset or 0)
            rows = rows[start:] if limit is None else rows[start:start + int(limit)]
            config = ListConfig(select=None, relations=["variants", "variants.options",
                                                        "options", "options.values", "images",
                                                        "tags", "collection", "type"])
            return [self.product_entity(p, config, PricingContext()) for p in rows]

    def _search_texts(self, product: Record) -> list[str]:
        texts = [product.get(k) for k in ("title", "subtitle", "description", "handle")]
        for variant in self._variants_of(product["id"]):
            texts += [variant.get("title"), variant.get("sku")]
        collection = self.store.product_collections.get(product.get("collection_id") or "")
        if collection:
            texts.append(collection["title"])
        texts += [t["value"] for tid in product["tag_ids"]
                  if (t := self.store.product_tags.get(tid))]
        return [t for t in texts if isinstance(t, str)]

    def _variants_of(self, product_id: str) -> list[Record]:
        rows = self.store.product_variants.find(
            lambda v: v["product_id"] == product_id and v.get("deleted_at") is None)
        rows.sort(key=lambda v: (v.get("variant_rank") or 0, v["id"]))
        return rows

    # -- entities with relations ---------------------------------------------------------------
    def product_entity(self, product: Record, config: ListConfig,
                       ctx: PricingContext) -> dict[str, Any]:
        """A product with the configured columns and relations, priced like Medusa prices it."""
        relations = set(config.relations)
        for rel in list(relations):
            parts = rel.split(".")
            for i in range(1, len(parts)):
                relations.add(".".join(parts[:i]))
        select = [s for s in (config.select or []) if "." not in s]
        nested_select = [s for s in (config.select or []) if "." in s]
        for column in select:
            if column not in views.PRODUCT_COLUMNS and column != "profile_id":
                raise UnexpectedError(f"column {column} does not exist")
        entity = views.product_columns(product, select or None,
                                       with_collection="collection" in relations)
        store = self.store
        if "collection" in relations:
            entity["collection"] = views.pick(
                store.product_collections.get(product.get("collection_id") or ""),
                views.COLLECTION_COLUMNS)
            if "collection_id" in entity:
                entity["collection_id"] = entity.pop("collection_id")
        if "images" in relations:
            entity["images"] = [views.pick(store.product_images.get(i), views.IMAGE_COLUMNS)
                                for i in product["image_ids"]]
        variants = self._variants_of(product["id"])
        if "options" in relations:
            options = store.product_options.find(lambda o: o["product_id"] == product["id"]
                                                 and o.get("deleted_at") is None)
            options.sort(key=lambda o: (o.get("rank", 0), o["id"]))
            entity["options"] = [views.product_option(o, variants if "options.values"
                                                      in relations else None) for o in options]
        if "profiles" in relations:
            profile = store.shipping_profiles.get(product["profile_id"])
            entity["profiles"] = [views.pick(profile, views.SHIPPING_PROFILE_COLUMNS)]
            entity["profile_id"] = product["profile_id"]
        if "sales_channels" in relations:
            entity["sales_channels"] = [
                views.pick(store.sales_channels.get(c), views.SALES_CHANNEL_COLUMNS)
                for c in product["sales_channel_ids"] if store.sales_channels.get(c)]
        if "tags" in relations:  # the join returns tags in the order they were created
            tag_ids = product["tag_ids"]
            if len(tag_ids) > 1:
                order = {tag_id: i for i, tag_id in enumerate(store.product_tags.keys())}
                tag_ids = sorted(tag_ids, key=lambda t: order.get(t, 0))
            entity["tags"] = [views.pick(store.product_tags.get(t), views.TAG_COLUMNS)
                              for t in tag_ids]
        if "type" in relations:
            entity["type"] = views.pick(store.product_types.get(product.get("type_id") or ""),
                                        views.TYPE_COLUMNS)
        if "variants" in relations:
            variant_select = [s.split(".", 1)[1] for s in nested_select
                              if s.startswith("variants.") and s.count(".") == 1]
            priced = ("variants.prices" in relations and not variant_select)
            tax_rates = (self.pricing.product_tax_rates(product["id"], ctx)
                         if priced and ctx.taxed else None)
            variant_relations = {r.split(".", 1)[1] for r in relations
                                 if r.startswith("variants.")}
            out = []
            for variant in variants:
                view = self.variant_entity(variant, variant_relations,
                                           select=variant_select or None)
                if priced:
                    self.pricing.apply(view, variant, ctx, tax_rates)
                out.append(view)
            entity["variants"] = out
        return entity

    def variant_entity(self, variant: Record, relations: set[str], *,
                       select: list[str] | None = None) -> dict[str, Any]:
        columns: tuple[str, ...] = views.VARIANT_FIELDS
        if select:
            unknown = [c for c in select if c not in views.VARIANT_FIELDS]
            if unknown:
                raise UnexpectedError(f"column {unknown[0]} does not exist")
            columns = tuple(c for c in views.VARIANT_FIELDS if c in select)
        view = views.pick(variant, columns)
        assert view is not None
        if "inventory_items" in relations:
            view["inventory_items"] = []
        if "options" in relations:
            view["options"] = [views.pick(v, views.OPTION_VALUE_COLUMNS)
                               for v in variant.get("options", [])]
        if "prices" in relations:
            view["prices"] = PricingService.raw_prices(variant)
        if "product" in relations:
            view["product"] = views.pick(self.store.products.get(variant["product_id"]),
                                         views.PRODUCT_COLUMNS)
        return view

    # -- variants ------------------------------------------------------------------------------
    def list_variants(self, query: dict[str, Any], *,
                      customer_id: str | None = None) -> list[dict[str, Any]]:
        config = list_config(query, default_relations=VARIANT_DEFAULT_RELATIONS,
                             allowed_relations=VARIANT_ALLOWED_RELATIONS, default_limit=100)
        ids = query.get("id")
        if query.get("ids"):
            ids = query["ids"].split(",")
        titles = query.get("title")
        inventory = query.get("inventory_quantity")
        bounds = inventory.values() if isinstance(inventory, dict) else [inventory]
        if any(isinstance(b, int | float)
               and not (float(b).is_integer() and INT4[0] <= b <= INT4[1]) for b in bounds):
            # the variants are queried first: PostgreSQL refuses the bound for an integer column
            raise UnexpectedError("inventory_quantity is no PostgreSQL integer",
                                  quirk="variant-inventory-int4-500")

        def keep(v: Record) -> bool:
            if v.get("deleted_at") is not None:
                return False
            if ids is not None and v["id"] not in as_list(ids):
                return False
            if titles is not None and v["title"] not in as_list(titles):
                return False
            if isinstance(inventory, dict):
                checks = {"lt": lambda a, b: a < b, "gt": lambda a, b: a > b,
                          "lte": lambda a, b: a <= b, "gte": lambda a, b: a >= b}
                return all(checks[op](v["inventory_quantity"], bound)
                           for op, bound in inventory.items() if bound is not None)
            return inventory is None or v["inventory_quantity"] == inventory

        with self.store.lock:
            ctx = self._context(query, customer_id)
            rows = sort_rows(self.store.product_variants.find(keep), config.order,
                             views.VARIANT_FIELDS)
            rows = page(rows, config)
            return self._priced_variants(rows, config, ctx, listed=True)

    def _priced_variants(self, rows: list[Record], config: ListConfig, ctx: PricingContext,
                         *, listed: bool = False) -> list[dict[str, Any]]:
        """``setVariantPrices``: one tax-rate look-up, for the first variant's product. The list
        (``ProductVariantService.list``) never loads the ``prices`` relation: a variant's
        ``prices`` there are the pricing's, so one without a price in the context has none."""
        tax_rates = (self.pricing.product_tax_rates(rows[0]["product_id"], ctx)
                     if rows and ctx.taxed else None)
        relations = set(config.relations) - ({"prices"} if listed else set())
        out = []
        for variant in rows:
            view = self.variant_entity(variant, relations, select=config.select)
            self.pricing.apply(view, variant, ctx, tax_rates)
            out.append(view)
        return out

    def retrieve_variant(self, variant_id: str, query: dict[str, Any], *,
                         customer_id: str | None = None) -> dict[str, Any]:
        config = list_config(query, default_relations=VARIANT_DEFAULT_RELATIONS,
                             allowed_relations=VARIANT_ALLOWED_RELATIONS, is_list=False)
        with self.store.lock:
            variant = self.store.product_variants.get(variant_id)
            if variant is None or variant.get("deleted_at") is not None:
                raise not_found("Variant", id=variant_id)
            ctx = self._context(query, customer_id)
            return self._priced_variants([variant], config, ctx)[0]

    def variant_in_channels(self, variant_id: str, channel_ids: Sequence[str]) -> bool:
        variant = self.store.product_variants.get(variant_id)
        return bool(variant and self.product_in_channels(variant["product_id"], channel_ids))

    # -- regions -------------------------------------------------------------------------------
    def _region_config(self, query: dict[str, Any], is_list: bool) -> ListConfig:
        config = list_config(query, default_fields=views.REGION_FIELDS,
                             default_relations=REGION_DEFAULT_RELATIONS,
                             allowed_relations=REGION_DEFAULT_RELATIONS, is_list=is_list,
                             default_limit=100)
        for column in config.select or ():
            if column not in views.REGION_COLUMNS:
                raise UnexpectedError(f"column {column} does not exist")
        return config

    def _list_regions(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        config = self._region_config(query, True)

        def keep(r: Record) -> bool:
            return (r.get("deleted_at") is None
                    and compare_date(r["created_at"], query.get("created_at"))
                    and compare_date(r["updated_at"], query.get("updated_at")))

        with self.store.lock:
            rows = sort_rows(self.store.regions.find(keep), config.order, views.REGION_FIELDS)
            by_region = (views.countries_by_region(self.store)
                         if "countries" in config.relations else None)
            return ([views.region_entity(self.store, r, config.select, config.relations,
                                         by_region=by_region)
                     for r in page(rows, config)], len(rows))

    def _retrieve_region(self, region_id: str, query: dict[str, Any]) -> dict[str, Any]:
        config = self._region_config(query, False)
        with self.store.lock:
            region = self.store.regions.get(region_id)
            if region is None or region.get("deleted_at") is not None:
                raise MedusaError(ErrorType.NOT_FOUND, f"Region with {region_id} was not found")
            return views.region_entity(self.store, region, config.select, config.relations)

    # -- shipping options ----------------------------------------------------------------------
    @implements("shipping-options-product-filter")
    def list_shipping_options(self, *, is_return: bool | None, region_id: str | None,
                              product_ids: list[str]) -> list[dict[str, Any]]:
        """``GET /store/shipping-options``: an empty ``region_id`` filters nothing (the route
        tests it for truthiness); any ``product_ids`` (the comma-separated value split, empty
        parts included) selects no option, as Medusa 1.20 filters on the products'
        ``profile_id``, which its products no longer carry."""
        if product_ids:
            return []
        with self.store.lock:
            def keep(o: Record) -> bool:
                if o.get("deleted_at") is not None or o.get("admin_only"):
                    return False
                if is_return is not None and bool(o["is_return"]) != is_return:
                    return False
                return not region_id or o["region_id"] == region_id

            out = []
            for option in self.store.shipping_options.find(keep):
                view = views.pick(option, views.SHIPPING_OPTION_COLUMNS)
                assert view is not None
                view["requirements"] = [dict(r) for r in option.get("requirements", [])
                                        if r.get("deleted_at") is None]
                view.update(self.pricing.shipping_option_pricing(option))
                out.append(view)
            return out

    # -- return reasons ------------------------------------------------------------------------
    def _reason_children(self, reason_id: str) -> list[dict[str, Any]]:
        rows = self.store.return_reasons.find(
            lambda r: r["parent_return_reason_id"] == reason_id and r.get("deleted_at") is None)
        return [views.pick(r, views.RETURN_REASON_COLUMNS) for r in rows]

    def _reason_view(self, reason: Record) -> dict[str, Any]:
        view = views.pick(reason, views.RETURN_REASON_FIELDS)
        assert view is not None
        parent = self.store.return_reasons.get(reason.get("parent_return_reason_id") or "")
        view["parent_return_reason"] = views.pick(parent, views.RETURN_REASON_COLUMNS)
        view["return_reason_children"] = self._reason_children(reason["id"])
        return view

    def list_return_reasons(self) -> list[dict[str, Any]]:
        with self.store.lock:
            rows = self.store.return_reasons.find(
                lambda r: r["parent_return_reason_id"] is None and r.get("deleted_at") is None)
            return [self._reason_view(r) for r in rows]

    def retrieve_return_reason(self, reason_id: str) -> dict[str, Any]:
        with self.store.lock:
            reason = self.store.return_reasons.live(reason_id)
            if reason is None:
                raise MedusaError(ErrorType.NOT_FOUND,
                                  f"Return Reason with id: {reason_id} was not found.")
            return self._reason_view(reason)

    # -- gift cards ----------------------------------------------------------------------------
    def retrieve_gift_card(self, code: str) -> dict[str, Any]:
        with self.store.lock:
            card = self.store.gift_cards.first(
                lambda g: g["code"] == code and g.get("deleted_at") is None)
            if card is None:
                raise MedusaError(ErrorType.NOT_FOUND, f"Gift card with code: {code} was not found")
            view = views.pick(card, views.GIFT_CARD_STORE_FIELDS)
            assert view is not None
            view["region"] = views.pick(self.store.regions.get(card["region_id"]),
                                        views.REGION_COLUMNS)
            return view
