"""Completing a cart: Medusa's idempotency keys, its cart completion strategy and
``OrderService.createFromCart``.

``complete`` answers what the strategy's ``response_body`` holds: an order (``type: order``), a
cart whose payment still needs the customer (``type: cart`` with ``payment_status``) or a swap
(``type: swap``). It raises :class:`CompletionRefused` when stock no longer covers the cart's
lines (the strategy's conflict, with one error per line), and :class:`MedusaError` for any other
refusal. A completed cart answers with its order again, and an ``Idempotency-Key`` that already
finished answers (or refuses) as it did the first time.
"""

from __future__ import annotations

import copy
from typing import Any

from .._state.clock import Clock
from .._state.ids import IdGenerator
from .._state.outbox import EventOutbox
from .._state.store import Record, Store
from . import inventory, views
from .bounds import Bounds
from .carts import INSUFFICIENT_INVENTORY, CartService
from .errors import ErrorType, MedusaError, MedusaErrors, UnexpectedError
from .orders import OrderService
from .payments import PaymentProviders


class CompletionRefused(MedusaErrors):
    """Stock no longer covers some of the cart's lines: one ``not_allowed`` error per variant,
    answered together as a conflict, under ``idempotency_key`` (a retry with that key is refused
    again)."""

    def __init__(self, variant_ids: list[str], idempotency_key: str) -> None:
        super().__init__(ErrorType.CONFLICT, [
            MedusaError(ErrorType.NOT_ALLOWED, f"Variant with id: {v} does not have the "
                        "required inventory", code=INSUFFICIENT_INVENTORY)
            for v in variant_ids])
        self.variant_ids = variant_ids
        self.idempotency_key = idempotency_key


class CheckoutService:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, outbox: EventOutbox,
                 carts: CartService, orders: OrderService, payments: PaymentProviders,
                 bounds: Bounds) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.outbox = outbox
        self.carts = carts
        self.orders = orders
        self.payments = payments
        self.bounds = bounds

    # -- idempotency keys ---------------------------------------------------------------------
    def _key(self, header: str | None, path: str) -> Record:
        """``initializeRequest``: the key named by the header, or a new one."""
        if header:
            existing = self.store.idempotency_keys.get(header)
            if existing is not None:
                return existing
        self.bounds.make_room("idempotency_keys")
        key = header or self.ids.uuid4()
        record: Record = {"id": key, "idempotency_key": key, "created_at": self.clock.iso(),
                  "locked_at": None, "request_method": "POST", "request_params": {},
                  "request_path": path, "response_body": None, "refused_variant_ids": None,
                  "recovery_point": "started"}
        self.store.idempotency_keys.put(record)
        return record

    def complete(self, cart_id: str, *, idempotency_key: str | None,
                 path: str) -> tuple[dict[str, Any], str]:
        """``(answer, idempotency key)`` of ``POST /store/carts/{id}/complete``."""
        with self.store.lock:
            key = self._key(idempotency_key, path)
            if key["recovery_point"] == "finished":
                if key["refused_variant_ids"]:
                    raise CompletionRefused(key["refused_variant_ids"], key["id"])
                return copy.deepcopy(key["response_body"]), key["id"]
            # an answer or a refusal finishes the key (the same key replays it); an error leaves
            # the key at its recovery point
            try:
                body = self._complete(cart_id, key)
            except CompletionRefused as refused:
                key.update({"recovery_point": "finished",
                            "refused_variant_ids": refused.variant_ids})
                raise
            key.update({"recovery_point": "finished", "response_body": copy.deepcopy(body)})
            return body, key["id"]

    # -- the strategy -------------------------------------------------------------------------
    def _complete(self, cart_id: str, key: Record) -> dict[str, Any]:
        """The strategy's stages. Each stage commits on its own, as Medusa's ``workStage``s do:
        a failure after the payment was authorized keeps the payment (and the key's recovery
        point, so a retry with the same ``Idempotency-Key`` goes straight to placing the order),
        and only the tax lines the attempt stored are removed."""
        cart = self.carts.get_or_fail(cart_id)
        if cart.get("completed_at"):
            if cart.get("type") == "swap":
                return {"data": self._swap_view(cart), "type": "swap"}
            return {"data": self.orders.completed_view(cart["id"]), "type": "order"}
        if key["recovery_point"] != "payment_authorized":
            snapshot = self.carts.snapshot(cart)
            try:
                self.carts.persist_tax_lines(cart)
                payment_status = self._authorize(cart)
            except (MedusaError, UnexpectedError):
                self.carts.rollback(cart, snapshot)
                raise
            if payment_status in ("requires_more", "pending"):
                self._drop_tax_lines(cart)
                view = self.carts.view(cart, frozenset({"payment_sessions"}))
                return {"data": view, "payment_status": payment_status, "type": "cart"}
            key["recovery_point"] = "payment_authorized"
        else:
            self.carts.persist_tax_lines(cart)
        cards = {g["id"]: copy.deepcopy(g) for g in self.carts.gift_cards(cart)}
        try:
            if not cart.get("payment_id") and self.carts.total(cart) > 0:
                raise MedusaError(ErrorType.INVALID_DATA, "Cart payment not authorized")
            missing = self._check_inventory(cart)
            if missing:
                self._cancel_payment(cart)
                cart["payment_authorized_at"] = None
                self._drop_tax_lines(cart)
                raise CompletionRefused(missing, key["id"])
            if cart.get("type") == "swap":
                return {"data": self._complete_swap(cart), "type": "swap"}
            order = self._create_order(cart)
        except (MedusaError, UnexpectedError):
            self._drop_tax_lines(cart)
            for card in cards.values():
                self.store.gift_cards.put(card)
            raise
        return {"data": self.orders.completed_view(order["cart_id"]), "type": "order"}

    def _drop_tax_lines(self, cart: Record) -> None:
        for item in self.carts.items(cart["id"]):
            if not item.get("is_return"):  # a returned line keeps the order's tax lines
                item["tax_lines"] = []
        for method in cart.get("shipping_methods", []):
            method["tax_lines"] = []

    def _authorize(self, cart: Record) -> str:
        """``cartService.authorizePayment``: ``authorized`` (a payment now exists), or the status
        the provider left the selected session in."""
        total = self.carts.total(cart)
        now = self.clock.iso()
        if total <= 0:
            cart["payment_authorized_at"] = now
            return "authorized"
        session = next((s for s in self.carts.sessions(cart["id"]) if s.get("is_selected")),
                       None)
        if session is None:
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "You cannot complete a cart without a payment session.")
        result = self.payments.authorize(session["provider_id"], session["data"])
        session.update({"status": result.status, "data": result.data, "updated_at": now})
        if result.status == "authorized" and self.store.payments.one_by("cart_id", cart["id"]):
            # Medusa inserts a second payment for the cart: the unique index refuses it
            raise MedusaError(ErrorType.DUPLICATE_ERROR,
                              f"Payment with cart_id {cart['id']} already exists.")
        if result.status == "authorized":
            session["payment_authorized_at"] = now
            region = self.carts.region(cart)
            payment = {
                "id": self.ids.new("pay"), "created_at": now, "updated_at": now,
                "swap_id": None, "cart_id": cart["id"], "order_id": None, "amount": total,
                "currency_code": region["currency_code"], "amount_refunded": 0,
                "provider_id": session["provider_id"], "data": copy.deepcopy(result.data),
                "captured_at": None, "canceled_at": None, "metadata": None,
                "idempotency_key": None,
            }
            self.store.payments.put(payment)
            cart["payment_id"] = payment["id"]
            cart["payment_authorized_at"] = now
        return result.status

    def _cancel_payment(self, cart: Record) -> None:
        payment = self.store.payments.get(cart.get("payment_id") or "")
        if payment is not None:
            payment["canceled_at"] = self.clock.iso()

    def _check_inventory(self, cart: Record) -> list[str]:
        return [i["variant_id"] for i in self.carts.items(cart["id"])
                if i.get("variant_id") and not self.carts.covered(i["variant_id"], i["quantity"])]

    def _create_order(self, cart: Record) -> Record:
        """``OrderService.createFromCart``."""
        items = self.carts.items(cart["id"])
        if not items:
            raise MedusaError(ErrorType.INVALID_DATA, "Cannot create order from empty cart")
        if not cart.get("customer_id"):
            raise MedusaError(ErrorType.INVALID_DATA,
                              "Cannot create an order from the cart without a customer")
        computed = self.carts.compute(cart)
        total = computed["cart"]["total"]
        payment = self.store.payments.get(cart.get("payment_id") or "")
        if total != 0 and payment is None:
            raise MedusaError(ErrorType.INVALID_ARGUMENT, "Cart does not contain a payment method")
        region = self.carts.region(cart)
        self.bounds.make_room("orders")
        now = self.clock.iso()
        order: Record = {
            "object": "order", "id": self.ids.new("order"), "created_at": now, "updated_at": now,
            "status": "pending", "fulfillment_status": "not_fulfilled",
            "payment_status": "awaiting",
            "display_id": self.store.next_counter("order_display_id"),
            "cart_id": cart["id"], "customer_id": cart["customer_id"], "email": cart["email"],
            "billing_address_id": cart.get("billing_address_id"),
            "shipping_address_id": cart.get("shipping_address_id"),
            "region_id": cart["region_id"], "currency_code": region["currency_code"],
            "tax_rate": None, "draft_order_id": None, "canceled_at": None,
            "metadata": copy.deepcopy(cart.get("metadata")) or {}, "no_notification": None,
            "idempotency_key": None, "external_id": None,
            "sales_channel_id": cart.get("sales_channel_id"),
            "shipping_methods": [], "payments": [], "fulfillments": [], "refunds": [],
            "discounts": [copy.deepcopy(d) for d in self.carts.discounts(cart)],
            "gift_cards": [], "gift_card_transactions": [], "swaps": [], "claims": [],
        }
        for item in items:
            item["order_id"] = order["id"]
            item["updated_at"] = now
            self.store.line_items.put(item)  # filed under its order
        for method in cart.get("shipping_methods", []):
            method["order_id"] = order["id"]  # one row, shared by the cart and the order
            entry = copy.deepcopy(method)
            entry["order_id"] = order["id"]
            order["shipping_methods"].append(entry)
        if payment is not None:
            payment["order_id"] = order["id"]
            payment["updated_at"] = now
            order["payments"].append(copy.deepcopy(payment))
        self._spend_gift_cards(cart, order, computed["cart"].get("gift_card_total") or 0)
        for discount in self.carts.discounts(cart):
            discount["usage_count"] = discount.get("usage_count", 0) + 1
        for item in items:  # stock leaves the shelf when the order is placed
            inventory.reserve(self.store.product_variants.get(item.get("variant_id") or ""),
                              item["quantity"])
        self.store.orders.put(order)
        cart["completed_at"] = now
        cart["updated_at"] = now
        self.outbox.emit("order.placed", {"id": order["id"], "no_notification": None})
        return order

    def _spend_gift_cards(self, cart: Record, order: Record, amount: int) -> None:
        """Debit the cart's gift cards, the ones ending first (then the smallest) first."""
        cards = sorted(self.carts.gift_cards(cart),
                       key=lambda g: (g.get("ends_at") or "2100-02-01T00:00:00.000Z",
                                      g["balance"]))
        remaining = amount
        for card in cards:
            new_balance = max(0, card["balance"] - remaining)
            used = card["balance"] - new_balance
            card["balance"] = new_balance
            card["is_disabled"] = new_balance == 0
            card["updated_at"] = self.clock.iso()
            order["gift_cards"].append({k: copy.deepcopy(v) for k, v in card.items()})
            order["gift_card_transactions"].append({
                "id": self.ids.new("gct"), "created_at": self.clock.iso(),
                "gift_card_id": card["id"], "order_id": order["id"], "amount": used,
                "is_taxable": bool(card.get("tax_rate")), "tax_rate": card.get("tax_rate")})
            remaining -= used
            if remaining == 0:
                break

    # -- swaps (their cart completes into the swap) -------------------------------------------
    def _complete_swap(self, cart: Record) -> dict[str, Any]:
        swap_id = (cart.get("metadata") or {}).get("swap_id")
        swap = self.store.swaps.get(swap_id or "")
        if swap is None:
            raise UnexpectedError(f"swap of cart {cart['id']} not found")
        now = self.clock.iso()
        total = self.carts.compute(cart)["cart"]["total"]
        for item in self.carts.items(cart["id"]):
            if not item.get("is_return"):
                item["swap_id"] = swap["id"]
        swap.update({"confirmed_at": now, "payment_status": "awaiting", "updated_at": now,
                     "payment_id": cart.get("payment_id"), "difference_due": total,
                     "shipping_address_id": cart.get("shipping_address_id"),
                     "shipping_methods": [dict(copy.deepcopy(m), swap_id=swap["id"])
                                          for m in cart.get("shipping_methods", [])]})
        self.store.swaps.put(swap)  # filed under its shipping address
        payment = self.store.payments.get(cart.get("payment_id") or "")
        if payment is not None:
            payment["swap_id"] = swap["id"]
        cart["completed_at"] = now
        self.outbox.emit("swap.payment_completed", {"id": swap["id"],
                                                    "no_notification": swap.get(
                                                        "no_notification")})
        return self._swap_view(cart)

    def _swap_view(self, cart: Record) -> dict[str, Any]:
        swap = self.store.swaps.get((cart.get("metadata") or {}).get("swap_id") or "")
        if swap is None:
            raise UnexpectedError(f"swap of cart {cart['id']} not found")
        from .returns import SWAP_ALL_COLUMNS

        view = {k: copy.deepcopy(swap.get(k)) for k in SWAP_ALL_COLUMNS}
        address = self.store.addresses.get(swap.get("shipping_address_id") or "")
        view["shipping_address"] = views.address(address)
        return view
