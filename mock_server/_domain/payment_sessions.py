"""A cart's payment sessions, as Medusa's ``setPaymentSessions``, ``setPaymentSession``,
``updatePaymentSession``, ``refreshPaymentSession`` and ``deletePaymentSession`` keep them: one
session per provider of the cart's region, amounts kept equal to the cart's total."""

from __future__ import annotations

from typing import Any

from .._quirks import implements
from .._state.store import Record
from .cart_core import CartCore
from .errors import ErrorType, MedusaError


class PaymentSessions(CartCore):
    # -- payment sessions ---------------------------------------------------------------------
    def _new_session(self, cart: Record, provider_id: str, total: int, *,
                     initiated: bool) -> Record:
        now = self.clock.iso()
        session = {
            "id": self.ids.new("ps"), "created_at": now, "updated_at": now,
            "cart_id": cart["id"], "provider_id": provider_id, "is_selected": None,
            "is_initiated": initiated, "status": "pending",
            "data": self.payments.initiate(provider_id, {"amount": total}) if initiated else {},
            "idempotency_key": None, "amount": total, "payment_authorized_at": None,
        }
        self.store.payment_sessions.put(session)
        return session

    @implements("payment-session-duplicate-422")
    def _set_sessions(self, cart: Record) -> None:
        """``setPaymentSessions``: one session per provider of the region, amounts kept current;
        a region with one provider gets its session created and selected."""
        total = self.total(cart)
        region = self.region(cart)
        sessions = self.sessions(cart["id"])
        if total <= 0:
            for session in sessions:
                self.store.payment_sessions.delete(session["id"])
            return
        providers = list(region.get("payment_providers", []))
        consumed = set()
        now = self.clock.iso()
        for session in sessions:
            if session["provider_id"] not in providers:
                self.store.payment_sessions.delete(session["id"])
                continue
            consumed.add(session["provider_id"])
            if session.get("is_selected") and session.get("is_initiated"):
                session["amount"] = total
                session["updated_at"] = now
                continue
            if session.get("is_initiated"):
                session.update({"is_initiated": False, "data": {}, "status": "pending"})
            session["amount"] = total
            session["updated_at"] = now
        has_selected = any(s.get("is_selected") for s in self.sessions(cart["id"]))
        if len(providers) == 1 and not has_selected:
            current = next((s for s in self.sessions(cart["id"])
                            if s["provider_id"] == providers[0]), None)
            if current is not None:  # Medusa creates a second row here: a duplicate_error
                raise MedusaError(ErrorType.DUPLICATE_ERROR, "Payment session with "
                                  f"{providers[0]} already exists for cart {cart['id']}")
            session = self._new_session(cart, providers[0], total, initiated=True)
            session["is_selected"] = True
            return
        for provider in providers:
            if provider not in consumed:
                self._new_session(cart, provider, total, initiated=False)

    def _update_sessions_if_any(self, cart: Record) -> None:
        if self.sessions(cart["id"]):
            self._set_sessions(cart)

    def create_payment_sessions(self, cart_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)
            self._atomic(cart, lambda: self._set_sessions(cart))

    def select_payment_session(self, cart_id: str, provider_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)
            self._atomic(cart, lambda: self._select(cart, provider_id))
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def _select(self, cart: Record, provider_id: str) -> None:
        region = self.region(cart)
        if provider_id != "system" and provider_id not in region.get("payment_providers", []):
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "The payment method is not available in this region")
        sessions = self.sessions(cart["id"])
        for session in sessions:
            if session.get("is_selected") and session["provider_id"] != provider_id:
                session["data"] = {}
            session["is_selected"] = None
            session["is_initiated"] = False if session["provider_id"] != provider_id else \
                session.get("is_initiated")
        target = next((s for s in sessions if s["provider_id"] == provider_id), None)
        if target is None:
            raise MedusaError(ErrorType.UNEXPECTED_STATE, "Could not find payment session")
        total = self.total(cart)
        if not target.get("is_initiated"):
            target["data"] = self.payments.initiate(provider_id, {"amount": total})
        target.update({"is_selected": True, "is_initiated": True, "amount": total,
                       "updated_at": self.clock.iso()})

    def update_payment_session(self, cart_id: str, provider_id: str,
                               data: dict[str, Any]) -> None:
        """``POST /store/carts/{id}/payment-sessions/{provider_id}``: the selected session's
        data gets the update (Medusa ignores the provider id of the path)."""
        with self.store.lock:
            cart = self.get_or_fail(cart_id)
            selected = next((s for s in self.sessions(cart["id"]) if s.get("is_selected")), None)
            if selected is not None:
                selected["data"] = self.payments.update_data(selected["provider_id"],
                                                             selected["data"], data)
                selected["updated_at"] = self.clock.iso()
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    @implements("refresh-unselects-session")
    def refresh_payment_session(self, cart_id: str, provider_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)
            session = next((s for s in self.sessions(cart["id"])
                            if s["provider_id"] == provider_id), None)
            if session is not None:
                total = self.total(cart)
                if session.get("is_selected"):
                    # the provider's session is recreated; the new row is not selected
                    self.store.payment_sessions.delete(session["id"])
                    self._new_session(cart, provider_id, total, initiated=True)
                else:
                    session["amount"] = total
                    session["updated_at"] = self.clock.iso()
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def delete_payment_session(self, cart_id: str, provider_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)
            for session in self.sessions(cart["id"]):
                if session["provider_id"] == provider_id:
                    self.store.payment_sessions.delete(session["id"])
            self.outbox.emit("cart.updated", {"id": cart["id"]})

