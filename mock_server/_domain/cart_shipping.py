"""A cart's shipping: the options it can use (``GET /store/shipping-options/{cart_id}``) and
adding a shipping method (one per shipping profile)."""

from __future__ import annotations

import copy
from typing import Any

from .._state.store import Record
from . import views
from .cart_discounts import CartDiscounts
from .errors import ErrorType, MedusaError


class CartShipping(CartDiscounts):
    # -- shipping -----------------------------------------------------------------------------
    def shipping_options(self, cart_id: str) -> list[dict[str, Any]]:
        """``GET /store/shipping-options/{cart_id}``: the region's options whose requirements the
        cart meets, for the profiles of its lines, priced with the region's tax."""
        with self.store.lock:
            cart = self.get_or_fail(cart_id, shipping_options=True)
            computed = self.compute(cart)
            subtotal = computed["cart"]["subtotal"]
            profiles = self._cart_profiles(cart)
            out = []
            for option in self.store.shipping_options.values():
                if (option.get("deleted_at") is not None or option.get("admin_only")
                        or option.get("is_return") or option["region_id"] != cart["region_id"]
                        or option["profile_id"] not in profiles
                        or not self._requirements_met(option, subtotal)):
                    continue
                view = views.pick(option, views.SHIPPING_OPTION_COLUMNS)
                assert view is not None
                profile = self.store.shipping_profiles.get(option["profile_id"])
                view["profile"] = views.pick(profile, views.SHIPPING_PROFILE_COLUMNS)
                view["requirements"] = [dict(r) for r in option.get("requirements", [])
                                        if r.get("deleted_at") is None]
                view.update(self.pricing.shipping_option_pricing(option))
                out.append(view)
            return out

    def _cart_profiles(self, cart: Record) -> set[str]:
        profiles = set()
        for item in self.items(cart["id"]):
            product = self.store.products.get(item.get("product_id") or "")
            if product is not None and product.get("profile_id"):
                profiles.add(product["profile_id"])
        return profiles

    @staticmethod
    def _requirements_met(option: Record, subtotal: int) -> bool:
        for requirement in option.get("requirements", []):
            if requirement.get("deleted_at") is not None:
                continue
            if requirement["type"] == "min_subtotal" and subtotal < requirement["amount"]:
                return False
            if requirement["type"] == "max_subtotal" and subtotal > requirement["amount"]:
                return False
        return True

    def add_shipping_method(self, cart_id: str, option_id: str,
                            data: dict[str, Any] | None) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)
            self._atomic(cart, lambda: self._add_shipping_method(cart, option_id, data))
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def _add_shipping_method(self, cart: Record, option_id: str,
                             data: dict[str, Any] | None) -> None:
        option = self.store.shipping_options.get(option_id)
        if option is None or option.get("deleted_at") is not None:
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Shipping Option with id: {option_id} was not found")
        if option["region_id"] != cart["region_id"]:
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "The shipping option is not available in the cart's region")
        subtotal = self.compute(cart)["cart"]["subtotal"]
        if not self._requirements_met(option, subtotal):
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "The Cart does not satisfy the shipping option's requirements")
        if data is None:  # the manual provider hands the data back; the column is NOT NULL
            raise MedusaError(ErrorType.INVALID_DATA, "Can't insert null value in field data "
                              "on insert in table shipping_method")
        method = {"id": self.ids.new("sm"), "shipping_option_id": option["id"],
                  "order_id": None, "claim_order_id": None, "cart_id": cart["id"],
                  "swap_id": None, "return_id": None, "price": option.get("amount") or 0,
                  "data": copy.deepcopy(data), "tax_lines": []}
        kept = [m for m in cart.get("shipping_methods", [])
                if (self.store.shipping_options.get(m["shipping_option_id"]) or {}).get(
                    "profile_id") != option["profile_id"]]
        cart["shipping_methods"] = [method, *kept]
        profiles = {(self.store.shipping_options.get(m["shipping_option_id"]) or {}).get(
            "profile_id") for m in cart["shipping_methods"]}
        for item in self.items(cart["id"]):
            product = self.store.products.get(item.get("product_id") or "") or {}
            profile = product.get("profile_id")
            item["has_shipping"] = (not profile) or profile in profiles
        if any(d["rule"]["type"] == "free_shipping" for d in self.discounts(cart)):
            self._adjust_free_shipping(cart, True)
        self._touch(cart)
        self._update_sessions_if_any(cart)

