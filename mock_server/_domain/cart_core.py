"""What every part of the cart service stands on: a cart's rows (its lines, sessions, region,
discounts and gift cards), its totals, and the atomic step that puts everything back when a step
fails half-way.

A cart row keeps its columns plus ``discount_ids``, ``gift_card_ids`` and its shipping methods;
its lines live in the ``line_items`` table (``cart_id``), its payment sessions in
``payment_sessions``. Totals, tax lines and line adjustments are computed by
:mod:`.cart_totals`; the cart service decides *when* (Medusa refreshes adjustments after every
change of lines or discounts, and computes tax lines at read time in regions with automatic
taxes).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

from .._state.clock import Clock
from .._state.ids import IdGenerator
from .._state.outbox import EventOutbox
from .._state.store import Record, Store
from . import cart_totals
from .customers import CustomerService
from .errors import ErrorType, MedusaError, UnexpectedError
from .payments import PaymentProviders
from .pricing import PricingService

T = TypeVar("T")


class CartCore:
    """The base of :class:`~.carts.CartService` and of the parts it is made of (views,
    discounts, shipping, payment sessions); ``CartService.__init__`` sets these."""

    store: Store
    clock: Clock
    ids: IdGenerator
    outbox: EventOutbox
    pricing: PricingService
    customers: CustomerService
    payments: PaymentProviders
    _default_channel: Callable[[], str | None]

    # -- look-ups -----------------------------------------------------------------------------
    def get(self, cart_id: Any) -> Record:
        cart = self.store.carts.live(cart_id) if isinstance(cart_id, str) else None
        if cart is None:
            raise MedusaError(ErrorType.NOT_FOUND, f"Cart with {cart_id} was not found")
        self.store.carts.touch(cart_id)
        return cart

    def get_or_fail(self, cart_id: str, *, shipping_options: bool = False) -> Record:
        """The cart, where Medusa's route loads it with a query that fails for an unknown id: an
        unknown id is an unexpected failure (:class:`UnexpectedError`, see the quirks
        registry), not a ``not_found``."""
        cart = self.store.carts.get(cart_id)
        if cart is None:
            if shipping_options:
                raise UnexpectedError(f"cart {cart_id} not found",
                                      quirk="cart-shipping-options-unknown-cart-500")
            raise UnexpectedError(f"cart {cart_id} not found", quirk="cart-unknown-id-500")
        self.store.carts.touch(cart_id)
        return cart

    def items(self, cart_id: str) -> list[Record]:
        rows = self.store.line_items.by("cart_id", cart_id)
        rows.sort(key=lambda i: (i["created_at"], i["id"]))
        return rows

    def sessions(self, cart_id: str) -> list[Record]:
        rows = self.store.payment_sessions.by("cart_id", cart_id)
        rows.sort(key=lambda s: (s["created_at"], s["id"]))
        return rows

    def region(self, cart: Record) -> Record:
        return self.pricing.region(cart["region_id"])

    def discounts(self, cart: Record) -> list[Record]:
        return [d for i in cart.get("discount_ids", []) if (d := self.store.discounts.get(i))]

    def gift_cards(self, cart: Record) -> list[Record]:
        return [g for i in cart.get("gift_card_ids", []) if (g := self.store.gift_cards.get(i))]

    def _touch(self, cart: Record) -> None:
        cart["updated_at"] = self.clock.iso()

    # -- totals -------------------------------------------------------------------------------
    def _region_in(self, cart: Record) -> dict[str, Any]:
        """The cart's region as the totals read it."""
        region = self.region(cart)
        return {"id": region["id"], "tax_rate": region["tax_rate"],
                "gift_cards_taxable": region.get("gift_cards_taxable", True),
                "automatic_taxes": bool(region.get("automatic_taxes", True)),
                "tax_code": region.get("tax_code")}

    def _totals_input(self, cart: Record) -> dict[str, Any]:
        region_in = self._region_in(cart)
        items = []
        for item in self.items(cart["id"]):
            entry = {k: item.get(k) for k in ("id", "unit_price", "quantity", "allow_discounts",
                                               "is_giftcard", "variant_id", "product_id",
                                               "is_return")}
            entry["adjustments"] = copy.deepcopy(item.get("adjustments", []))
            entry["tax_lines"] = copy.deepcopy(item.get("tax_lines", []))
            items.append(entry)
        methods = [{"id": m["id"], "price": m["price"],
                    "shipping_option_id": m["shipping_option_id"],
                    "tax_lines": copy.deepcopy(m.get("tax_lines", []))}
                   for m in cart.get("shipping_methods", [])]
        discounts = [self._discount_in(d) for d in self.discounts(cart)]
        cards = [{"id": g["id"], "code": g["code"], "balance": g["balance"], "value": g["value"],
                  "tax_rate": g.get("tax_rate"), "ends_at": g.get("ends_at")}
                 for g in self.gift_cards(cart)]
        return {"region": region_in, "items": items, "shipping_methods": methods,
                "discounts": discounts, "gift_cards": cards}

    @staticmethod
    def _discount_in(discount: Record) -> dict[str, Any]:
        return {"id": discount["id"], "code": discount["code"],
                "rule": {k: discount["rule"][k] for k in ("type", "value", "allocation")},
                "regions": list(discount.get("region_ids", []))}

    def compute(self, cart: Record, *, force_taxes: bool = False) -> dict[str, Any]:
        data = self._totals_input(cart)
        return cart_totals.compute(data["region"], data["items"], data["shipping_methods"],
                                   data["discounts"], data["gift_cards"],
                                   force_taxes=force_taxes)

    def total(self, cart: Record) -> int:
        return int(self.compute(cart, force_taxes=True)["cart"]["total"])

    def _refresh_adjustments(self, cart: Record) -> None:
        """``refreshAdjustments_``: drop the discount adjustments of the cart's lines and create
        them again for its (first non-free-shipping) discount."""
        items = self.items(cart["id"])
        for item in items:
            item["adjustments"] = [a for a in item.get("adjustments", [])
                                   if a.get("discount_id") is None]
        discount = next((d for d in self.discounts(cart)
                         if d["rule"]["type"] != "free_shipping"), None)
        if discount is None or not items:
            return
        region = self._region_in(cart)
        lines = [{k: i.get(k) for k in ("id", "unit_price", "quantity", "allow_discounts",
                                         "is_giftcard", "variant_id", "product_id")}
                 for i in items if not i.get("is_return")]
        made = cart_totals.line_adjustments(lines, self._discount_in(discount), region)
        by_id = {i["id"]: i for i in items}
        for item_id, adjustments in made.items():
            for adjustment in adjustments:
                by_id[item_id]["adjustments"].append({
                    "id": self.ids.new("lia"), "item_id": item_id,
                    "description": adjustment.get("description", "discount"),
                    "discount_id": adjustment["discount_id"], "amount": adjustment["amount"],
                    "metadata": adjustment.get("metadata"),
                })

    # -- atomic steps -------------------------------------------------------------------------
    def snapshot(self, cart: Record) -> dict[str, Any]:
        addresses = (self.store.addresses.get(cart.get(column) or "")
                     for column in ("billing_address_id", "shipping_address_id"))
        return {"cart": copy.deepcopy(cart),
                "items": {i["id"]: copy.deepcopy(i) for i in self.items(cart["id"])},
                "sessions": {s["id"]: copy.deepcopy(s) for s in self.sessions(cart["id"])},
                "addresses": {a["id"]: copy.deepcopy(a) for a in addresses if a is not None}}

    def rollback(self, cart: Record, snapshot: dict[str, Any], *, created: bool = False) -> None:
        """Undo a step that failed half-way: the cart, its lines, sessions and addresses as they
        were."""
        for row in snapshot.get("addresses", {}).values():
            self.store.addresses.put(row)
        for item in self.items(cart["id"]):
            if item["id"] not in snapshot["items"]:
                self.store.line_items.delete(item["id"])
        for row in snapshot["items"].values():
            self.store.line_items.put(row)
        for session in self.sessions(cart["id"]):
            if session["id"] not in snapshot["sessions"]:
                self.store.payment_sessions.delete(session["id"])
        for row in snapshot["sessions"].values():
            self.store.payment_sessions.put(row)
        if created:
            self.store.carts.delete(cart["id"])
            if cart.get("shipping_address_id"):
                self.store.addresses.delete(cart["shipping_address_id"])
        else:
            cart.clear()
            cart.update(snapshot["cart"])
            self._refile(cart)

    def _refile(self, cart: Record) -> None:
        """Store the cart again after changes in place: its customer and addresses are
        indexed columns."""
        if self.store.carts.get(cart["id"]) is cart:
            self.store.carts.put(cart)

    def _atomic(self, cart: Record, step: Callable[[], T]) -> T:
        snapshot = self.snapshot(cart)
        try:
            return step()
        except Exception:  # a refusal, or a failure the mock answers as Medusa's 500
            self.rollback(cart, snapshot)
            raise
        finally:
            self._refile(cart)

