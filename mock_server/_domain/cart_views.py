"""Carts as the cart routes return them: columns, the loaded relations (in TypeORM's
alphabetical order) and the totals of ``retrieveWithTotals``."""

from __future__ import annotations

import copy
from typing import Any

from .._state.store import Record, Store
from . import line_items, views
from .cart_core import CartCore

ADDRESS_COLUMNS = (
    "id", "created_at", "updated_at", "deleted_at", "customer_id", "company", "first_name",
    "last_name", "address_1", "address_2", "city", "country_code", "province", "postal_code",
    "phone", "metadata",
)
METHOD_COLUMNS = ("id", "shipping_option_id", "order_id", "claim_order_id", "cart_id", "swap_id",
                  "return_id", "price", "data")
DISCOUNT_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "code", "is_dynamic",
                    "rule_id", "is_disabled", "parent_discount_id", "starts_at", "ends_at",
                    "valid_duration", "usage_limit", "usage_count", "metadata")
RULE_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "description", "type", "value",
                "allocation", "metadata")
GIFT_CARD_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "code", "value", "balance",
                     "region_id", "order_id", "is_disabled", "ends_at", "tax_rate", "metadata")

# The relations each cart route loads (Medusa's ``defaultStoreCartRelations`` plus what the
# route adds), on top of the ones ``retrieveWithTotals`` always adds.
DEFAULT_RELATIONS = frozenset({
    "billing_address", "discounts", "gift_cards", "items", "payment", "payment_sessions",
    "region", "region.countries", "region.payment_providers", "sales_channel",
    "shipping_address", "shipping_methods", "shipping_methods.shipping_option",
})
WITH_CUSTOMER = DEFAULT_RELATIONS | {"customer"}
REFRESH_RELATIONS = frozenset({"region", "region.countries", "region.payment_providers",
                               "shipping_methods", "payment_sessions",
                               "shipping_methods.shipping_option"})
TOTALS_RELATIONS = frozenset({"items", "gift_cards", "discounts", "shipping_methods",
                              "shipping_address", "region"})


class CartViews(CartCore):
    # -- views --------------------------------------------------------------------------------
    def view(self, cart: Record, relations: frozenset[str] = DEFAULT_RELATIONS, *,
             force_taxes: bool = False, raw_discount: bool = False) -> dict[str, Any]:
        """A cart as the routes return it: columns, the loaded relations (in TypeORM's
        alphabetical order) and the totals of ``retrieveWithTotals``."""
        store = self.store
        relations = relations | TOTALS_RELATIONS
        computed = self.compute(cart, force_taxes=force_taxes)
        out = {k: copy.deepcopy(cart.get(k)) for k in views.CART_COLUMNS}
        rel: dict[str, Any] = {}
        if "billing_address" in relations:
            rel["billing_address"] = _address(store, cart.get("billing_address_id"))
        if "customer" in relations:
            customer = store.customers.get(cart.get("customer_id") or "")
            rel["customer"] = views.pick(customer, views.CUSTOMER_FIELDS) if customer else None
        rel["discounts"] = [self._discount_view(d) for d in self.discounts(cart)]
        rel["gift_cards"] = [views.pick(g, GIFT_CARD_COLUMNS) for g in self.gift_cards(cart)]
        rel["items"] = [self._item_view(i, computed) for i in self.items(cart["id"])]
        if "payment" in relations:
            payment = store.payments.get(cart.get("payment_id") or "")
            rel["payment"] = views.pick(payment, views.PAYMENT_COLUMNS) if payment else None
        sessions = self.sessions(cart["id"]) if "payment_sessions" in relations else None
        if sessions is not None:
            rel["payment_sessions"] = [views.pick(s, views.PAYMENT_SESSION_COLUMNS)
                                       for s in sessions]
        rel["region"] = self._region_view(cart, relations)
        if "sales_channel" in relations:
            channel = store.sales_channels.get(cart.get("sales_channel_id") or "")
            rel["sales_channel"] = (views.pick(channel, views.SALES_CHANNEL_COLUMNS)
                                    if channel else None)
        rel["shipping_address"] = _address(store, cart.get("shipping_address_id"))
        with_option = "shipping_methods.shipping_option" in relations
        rel["shipping_methods"] = [self._method_view(m, computed, with_option=with_option)
                                   for m in cart.get("shipping_methods", [])]
        out.update(rel)
        if sessions is not None:
            selected = next((s for s in sessions if s.get("is_selected")), None)
            if selected is not None:
                out["payment_session"] = views.pick(selected, views.PAYMENT_SESSION_COLUMNS)
        totals = computed["cart"]
        for key in ("subtotal", "discount_total", "item_tax_total", "shipping_total",
                    "shipping_tax_total", "tax_total", "gift_card_total", "gift_card_tax_total",
                    "total"):
            out[key] = totals[key]
            if key == "discount_total" and raw_discount:
                out["raw_discount_total"] = totals.get("raw_discount_total", totals[key])
        return out

    def _discount_view(self, discount: Record) -> dict[str, Any]:
        view = views.pick(discount, DISCOUNT_COLUMNS)
        assert view is not None
        view["rule"] = views.pick(discount["rule"], RULE_COLUMNS)
        return view

    def _item_view(self, item: Record, computed: dict[str, Any]) -> dict[str, Any]:
        view = views.pick(item, line_items.ITEM_COLUMNS)
        assert view is not None
        view["adjustments"] = [dict(a) for a in item.get("adjustments", [])]
        totals = dict(computed["items"].get(item["id"], {}))
        view["tax_lines"] = totals.pop("tax_lines", views.tax_lines(item.get("tax_lines", [])))
        view["variant"] = self._variant_view(item.get("variant_id"))
        view.update(totals)
        return view

    def _variant_view(self, variant_id: str | None) -> dict[str, Any] | None:
        variant = self.store.product_variants.get(variant_id or "")
        if variant is None:
            return None
        view = views.pick(variant, views.VARIANT_FIELDS)
        assert view is not None
        product = self.store.products.get(variant["product_id"])
        if product is not None:
            entry = views.product_columns(product, None, with_collection=False)
            profile = self.store.shipping_profiles.get(product.get("profile_id") or "")
            profile_view = views.pick(profile, views.SHIPPING_PROFILE_COLUMNS)
            entry["profiles"] = [profile_view] if profile_view else []
            entry["profile"] = copy.deepcopy(profile_view)
            entry["profile_id"] = product.get("profile_id")
            view["product"] = entry
        return view

    def _method_view(self, method: Record, computed: dict[str, Any], *,
                     with_option: bool = True) -> dict[str, Any]:
        view = {k: copy.deepcopy(method.get(k)) for k in METHOD_COLUMNS}
        if with_option:
            option = self.store.shipping_options.get(method["shipping_option_id"])
            view["shipping_option"] = views.pick(option, views.SHIPPING_OPTION_COLUMNS)
        totals = dict(computed["shipping_methods"].get(method["id"], {}))
        view["tax_lines"] = totals.pop("tax_lines",
                                       views.tax_lines(method.get("tax_lines", [])))
        view.update(totals)
        return view

    def _region_view(self, cart: Record, relations: frozenset[str]) -> dict[str, Any]:
        region = self.region(cart)
        view = views.pick(region, views.REGION_COLUMNS)
        assert view is not None
        if "region.countries" in relations:
            countries = self.store.countries.by("region_id", region["id"])
            countries.sort(key=lambda c: c.get("region_rank", 0))
            view["countries"] = [dict(views.pick(c, views.COUNTRY_COLUMNS) or {},
                                      id=c["country_id"]) for c in countries]
        if "region.payment_providers" in relations:
            view["payment_providers"] = [{"id": p, "is_installed": True}
                                         for p in region.get("payment_providers", [])]
        view["tax_rates"] = []
        return view

    def read(self, cart_id: str, relations: frozenset[str] = DEFAULT_RELATIONS, *,
             force_taxes: bool = False, raw_discount: bool = False) -> dict[str, Any]:
        with self.store.lock:
            return self.view(self.get(cart_id), relations, force_taxes=force_taxes,
                             raw_discount=raw_discount)



def _address(store: Store, address_id: str | None) -> dict[str, Any] | None:
    record = store.addresses.get(address_id or "")
    return views.pick(record, ADDRESS_COLUMNS) if record else None


