"""A cart's discounts and gift cards: applying codes as Medusa's ``applyDiscounts`` and
``applyGiftCard`` do, free shipping, and removing a discount."""

from __future__ import annotations

from .._state.store import Record
from .errors import ErrorType, MedusaError
from .payment_sessions import PaymentSessions


class CartDiscounts(PaymentSessions):
    # -- discounts and gift cards -------------------------------------------------------------
    def _apply_discounts(self, cart: Record, codes: list[str]) -> None:
        """``update`` with ``discounts``: Medusa empties the cart's discounts, then
        ``applyDiscounts`` keeps every free-shipping discount given and the first other one.
        Line adjustments are recreated only when a non-free-shipping discount was given (so the
        adjustments of a replaced discount stay on the lines, counting for nothing)."""
        found: list[Record] = []
        for code in codes:
            discount = self.store.discounts.first_where(code=str(code).upper(), deleted_at=None)
            if discount is not None and discount not in found:
                found.append(discount)
        missing = [c for c in codes if not any(d["code"] == str(c).upper() for d in found)]
        if missing:
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Discounts with code [{', '.join(map(str, missing))}] was not "
                              "found")
        for discount in found:
            self._validate_discount(cart, discount)
        previous = self.discounts(cart)
        chosen: list[str] = []
        saw_not_shipping = False
        for discount in found:
            if discount["rule"]["type"] == "free_shipping":
                chosen.append(discount["id"])
            elif not saw_not_shipping:
                saw_not_shipping = True
                chosen.append(discount["id"])
        cart["discount_ids"] = chosen
        had_free = any(d["rule"]["type"] == "free_shipping" for d in previous)
        has_free = any(d["rule"]["type"] == "free_shipping" for d in self.discounts(cart))
        if had_free and not has_free:
            self._adjust_free_shipping(cart, False)
        if has_free:
            self._adjust_free_shipping(cart, True)
        if saw_not_shipping:
            self._refresh_adjustments(cart)

    def _validate_discount(self, cart: Record, discount: Record) -> None:
        """``validateDiscountForCartOrThrow`` for the rules a seed can express."""
        code = discount["code"]
        if discount.get("is_disabled"):
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              f"The discount code {code} is disabled")
        now = self.clock.iso()
        if discount.get("starts_at") and discount["starts_at"] > now:
            raise MedusaError(ErrorType.NOT_ALLOWED, "Discount is not valid yet")
        if discount.get("ends_at") and discount["ends_at"] < now:
            raise MedusaError(ErrorType.NOT_ALLOWED, "Discount is expired")
        limit = discount.get("usage_limit")
        if limit is not None and discount.get("usage_count", 0) >= limit:
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "Discount has been used maximum allowed times")
        if cart["region_id"] not in discount.get("region_ids", []):
            raise MedusaError(ErrorType.INVALID_DATA,
                              "The discount is not available in current region")

    def _adjust_free_shipping(self, cart: Record, add: bool) -> None:
        for method in cart.get("shipping_methods", []):
            if add:
                method["price"] = 0
            else:
                option = self.store.shipping_options.get(method["shipping_option_id"]) or {}
                method["price"] = option.get("amount") or 0

    def _apply_gift_card(self, cart: Record, code: str) -> None:
        card = self.store.gift_cards.first(
            lambda g: g["code"] == code and g.get("deleted_at") is None)
        if card is None:
            raise MedusaError(ErrorType.NOT_FOUND, f"Gift card with code: {code} was not found")
        if card.get("is_disabled"):
            raise MedusaError(ErrorType.NOT_ALLOWED, "The gift card is disabled")
        if card["region_id"] != cart["region_id"]:
            raise MedusaError(ErrorType.INVALID_DATA,
                              "The gift card cannot be used in the current region")
        if card["id"] not in cart["gift_card_ids"]:
            cart["gift_card_ids"].append(card["id"])

    def remove_discount(self, cart_id: str, code: str) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)

            def step() -> None:
                discounts = self.discounts(cart)
                if any(d["rule"]["type"] == "free_shipping" for d in discounts):
                    self._adjust_free_shipping(cart, False)
                cart["discount_ids"] = [d["id"] for d in discounts if d["code"] != code]
                self._refresh_adjustments(cart)
                self._touch(cart)
                self._update_sessions_if_any(cart)
            self._atomic(cart, step)
            self.outbox.emit("cart.updated", {"id": cart["id"]})

