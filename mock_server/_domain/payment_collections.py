"""Payment collections: what a customer pays an order edit's difference with (Medusa 1.20.11's
``PaymentCollectionService`` and the store routes of ``api/routes/store/payment-collections``).

A collection row keeps its columns plus ``payment_session_ids`` and ``payment_ids``, the two
join tables Medusa keeps (``payment_collection_sessions``, ``payment_collection_payments``). Its
sessions are rows of the shared ``payment_sessions`` table with ``cart_id`` null; its payments
rows of ``payments`` (no cart, no order until the order edit is completed).

Faithful to Medusa, on purpose (see the quirks registry):

* setting sessions (single or batch) needs the collection ``not_paid``; the batch amounts must add
  up to the collection's amount (an ``unexpected_state`` error); providers the region does not offer
  are silently dropped from a batch; existing sessions not named are deleted;
* refreshing a session replaces it with a new one and the collection keeps **only** that new
  session (``payment-collection-refresh-drops-sessions``);
* authorizing recomputes the status (awaiting, partially_authorized, authorized) and
  ``authorized_amount`` and saves them even when the single-session route then refuses with a
  ``payment_authorization_error`` (``payment-authorization-422``).
"""

from __future__ import annotations

import copy
from typing import Any

from .._state.clock import Clock
from .._state.ids import IdGenerator
from .._state.outbox import EventOutbox
from .._state.store import Record, Store
from . import views
from .errors import ErrorType, MedusaError
from .payments import PaymentProviders

COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "type", "status", "description",
           "amount", "authorized_amount", "region_id", "currency_code", "metadata", "created_by")
# What GET /store/payment-collections/{id} selects by default (defaultPaymentCollectionFields
# without its two relation names, region and currency).
READ_FIELDS = ("id", "type", "status", "description", "amount", "currency_code", "metadata")
READ_RELATIONS = ("region", "payment_sessions")
# Relations the read route can load (``expand``, or a dotted ``fields`` entry); TypeORM refuses
# any other name (an unexpected error in Medusa).
RELATIONS = ("currency", "payment_sessions", "payments", "region", "region.countries",
             "region.currency", "region.fulfillment_providers", "region.payment_providers")

NOT_PAID = "not_paid"
AWAITING = "awaiting"
AUTHORIZED = "authorized"
PARTIALLY_AUTHORIZED = "partially_authorized"
PAYMENT_AUTHORIZED_EVENT = "payment-collection.payment_authorized"


def parse_read_query(fields: str | None, expand: str | None) -> tuple[tuple[str, ...],
                                                                      tuple[str, ...]]:
    """``transformStoreQuery`` of the read route: the columns and relations to load.

    ``fields`` replaces the default columns (``id`` always added; the relation names ``region``
    and ``currency`` select nothing; a dotted entry loads its relation); ``expand`` replaces the
    default relations (an empty ``expand`` loads none). The document only lets known names
    through (Medusa hands others to TypeORM: an unexpected error)."""
    select: tuple[str, ...] = READ_FIELDS
    relations: list[str] = list(READ_RELATIONS)
    field_relations: list[str] = []
    if fields is not None:
        wanted = [f.lstrip("+-") for f in fields.split(",") if f]
        field_relations = [f.rsplit(".", 1)[0] for f in wanted if "." in f]
        chosen = {f for f in wanted if f in COLUMNS} | {"id"}
        select = tuple(c for c in COLUMNS if c in chosen)
    if expand is not None:
        relations = [r for r in expand.split(",") if r]
    return select, tuple(dict.fromkeys([*field_relations, *relations]))


def new_session(session_id: str, now: str, provider_id: str, data: dict[str, Any],
                amount: int) -> Record:
    """A collection's payment session: in no cart, initiated (``data`` is what the provider
    initiated it with), pending."""
    return {
        "id": session_id, "created_at": now, "updated_at": now, "cart_id": None,
        "provider_id": provider_id, "is_selected": None, "is_initiated": True,
        "status": "pending", "data": data, "idempotency_key": None, "amount": amount,
        "payment_authorized_at": None,
    }


class PaymentCollectionService:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, outbox: EventOutbox,
                 payments: PaymentProviders) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.outbox = outbox
        self.payments = payments

    # -- rows ----------------------------------------------------------------------------------
    def get(self, collection_id: str | None) -> Record | None:
        return self.store.payment_collections.get(collection_id or "")

    def _require(self, collection_id: str) -> Record:
        collection = self.get(collection_id)
        if collection is None:
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Payment collection with id {collection_id} was not found")
        return collection

    def sessions(self, collection: Record) -> list[Record]:
        rows = (self.store.payment_sessions.get(i) for i in collection["payment_session_ids"])
        return [r for r in rows if r is not None]

    def payment_rows(self, collection: Record) -> list[Record]:
        rows = (self.store.payments.get(i) for i in collection["payment_ids"])
        return [r for r in rows if r is not None]

    def _region(self, collection: Record) -> Record:
        region = self.store.regions.get(collection["region_id"])
        if region is None:  # a seed always gives one
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Region with id {collection['region_id']} was not found")
        return region

    # -- views ---------------------------------------------------------------------------------
    @staticmethod
    def row_view(collection: Record) -> dict[str, Any]:
        """Every column (the ``payment_collection`` relation of an order edit)."""
        view = views.pick(collection, COLUMNS)
        assert view is not None
        return view

    def _view(self, collection: Record, *, select: tuple[str, ...] = COLUMNS,
              relations: tuple[str, ...] = ()) -> dict[str, Any]:
        view = views.pick(collection, select)
        assert view is not None
        roots = {r.split(".", 1)[0] for r in relations}
        if "currency" in roots:
            symbol, native, name = views.CURRENCIES.get(collection["currency_code"], ["", "", ""])
            view["currency"] = {"code": collection["currency_code"], "symbol": symbol,
                                "symbol_native": native, "name": name}
        if "payment_sessions" in roots:
            view["payment_sessions"] = [views.pick(s, views.PAYMENT_SESSION_COLUMNS)
                                        for s in self.sessions(collection)]
        if "payments" in roots:
            view["payments"] = [views.pick(p, views.PAYMENT_COLUMNS)
                                for p in self.payment_rows(collection)]
        if "region" in roots:
            nested = [r.split(".", 1)[1] for r in relations if r.startswith("region.")]
            view["region"] = views.region_entity(self.store, self._region(collection), None,
                                                 nested)
        return view

    @staticmethod
    def session_view(session: Record) -> dict[str, Any]:
        view = views.pick(session, views.PAYMENT_SESSION_COLUMNS)
        assert view is not None
        return view

    # -- the read route ------------------------------------------------------------------------
    def retrieve(self, collection_id: str, fields: str | None = None,
                 expand: str | None = None) -> dict[str, Any]:
        select, relations = parse_read_query(fields, expand)
        with self.store.lock:
            return self._view(self._require(collection_id), select=select, relations=relations)

    # -- sessions ------------------------------------------------------------------------------
    def set_session(self, collection_id: str, provider_id: str) -> dict[str, Any]:
        """``setPaymentSession``: this provider's session becomes the only one, for the whole
        amount (the provider's existing session is updated)."""
        with self.store.lock:
            collection = self._require(collection_id)
            region = self._region(collection)
            if provider_id not in region.get("payment_providers", []):
                raise MedusaError(ErrorType.INVALID_DATA, "Payment provider not found")
            existing = next((s for s in self.sessions(collection)
                             if s["provider_id"] == provider_id), None)
            entry: dict[str, Any] = {"provider_id": provider_id, "amount": collection["amount"]}
            if existing is not None:
                entry["session_id"] = existing["id"]
            self._set_sessions(collection, [entry])
            return self._view(collection, relations=("payment_sessions", "region",
                                                     "region.payment_providers"))

    def set_sessions(self, collection_id: str,
                     sessions: list[dict[str, Any]]) -> dict[str, Any]:
        """``setPaymentSessionsBatch``."""
        with self.store.lock:
            collection = self._require(collection_id)
            self._set_sessions(collection, sessions)
            return self._view(collection, relations=("payment_sessions", "region",
                                                     "region.payment_providers"))

    def _set_sessions(self, collection: Record, entries: list[dict[str, Any]]) -> None:
        if collection["status"] != NOT_PAID:
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "Cannot set payment sessions for a payment collection with "
                              f"status {collection['status']}")
        offered = self._region(collection).get("payment_providers", [])
        entries = [e for e in entries if e.get("provider_id") in offered]
        if sum(e["amount"] for e in entries) != collection["amount"]:
            raise MedusaError(ErrorType.UNEXPECTED_STATE,
                              f"The sum of sessions is not equal to {collection['amount']} on "
                              "Payment Collection")
        current = {s["id"]: s for s in self.sessions(collection)}
        now = self.clock.iso()
        kept: list[str] = []
        for entry in entries:
            existing = current.get(entry.get("session_id") or "")
            if existing is not None:
                # updateSession: the existing session's own provider, the new amount
                if existing["amount"] != entry["amount"] or not existing["is_initiated"]:
                    existing.update({"amount": entry["amount"], "is_initiated": True,
                                     "updated_at": now})
                session = existing
            else:
                session = self._new_session(collection, entry["provider_id"], entry["amount"])
            kept.append(session["id"])
        for session_id in current:
            if session_id not in kept:
                self.store.payment_sessions.delete(session_id)
        collection["payment_session_ids"] = list(dict.fromkeys(kept))

    def _new_session(self, collection: Record, provider_id: str, amount: int) -> Record:
        data = self.payments.initiate(provider_id, {
            "amount": amount, "currency_code": collection["currency_code"],
            "resource_id": collection["id"]})
        session = new_session(self.ids.new("ps"), self.clock.iso(), provider_id, data, amount)
        self.store.payment_sessions.put(session)
        return session

    def refresh_session(self, collection_id: str, session_id: str) -> dict[str, Any]:
        """``refreshPaymentSession``: the session is deleted and a new one of the same provider
        and amount created. The collection is found through the session and saved with that new
        session as its only one (Medusa loads only the matching session into the relation)."""
        with self.store.lock:
            collection = self.store.payment_collections.first(
                lambda c: session_id in c["payment_session_ids"])
            if collection is None:
                raise MedusaError(ErrorType.NOT_FOUND, "Payment collection related to Payment "
                                  f"Session id {session_id} was not found")
            if collection["id"] != collection_id:
                raise MedusaError(ErrorType.NOT_ALLOWED, f"Payment Session {session_id} does "
                                  f"not belong to Payment Collection {collection_id}")
            session = self.store.payment_sessions.get(session_id)
            if session is None:
                raise MedusaError(ErrorType.NOT_ALLOWED,
                                  f"Session with id {session_id} was not found")
            self.store.payment_sessions.delete(session_id)
            fresh = self._new_session(collection, session["provider_id"], session["amount"])
            collection["payment_session_ids"] = [fresh["id"]]
            if session.get("payment_authorized_at") and collection.get("authorized_amount"):
                collection["authorized_amount"] -= session["amount"]
                collection["updated_at"] = self.clock.iso()
            return self.session_view(fresh)

    # -- authorization -------------------------------------------------------------------------
    def authorize(self, collection_id: str, session_ids: list[str]) -> dict[str, Any]:
        """``authorizePaymentSessions``: the collection with its sessions and payments."""
        with self.store.lock:
            collection = self._authorize(self._require(collection_id), session_ids)
            return self._view(collection, relations=("payment_sessions", "payments"))

    def authorize_session(self, collection_id: str, session_id: str) -> dict[str, Any]:
        """The single-session route: the batch authorization of one id, then a
        ``payment_authorization_error`` unless that session of the collection ends up authorized
        (what was saved stays saved)."""
        with self.store.lock:
            collection = self._authorize(self._require(collection_id), [session_id])
            session = next((s for s in self.sessions(collection) if s["id"] == session_id), None)
            if session is None or session["status"] != AUTHORIZED:
                raise MedusaError(ErrorType.PAYMENT_AUTHORIZATION_ERROR,
                                  f'Failed to authorize Payment Session id "{collection_id}"')
            return self.session_view(session)

    def _authorize(self, collection: Record, session_ids: list[str]) -> Record:
        if collection.get("authorized_amount") == collection["amount"]:
            return collection
        now = self.clock.iso()
        if collection["amount"] <= 0:
            collection.update({"authorized_amount": 0, "status": AUTHORIZED, "updated_at": now})
            return collection
        sessions = self.sessions(collection)
        if not sessions:
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "You cannot complete a Payment Collection without a payment "
                              "session.")
        authorized = 0
        for session in sessions:
            if session.get("payment_authorized_at"):
                authorized += session["amount"]
                continue
            if session["id"] not in session_ids:
                continue
            result = self.payments.authorize(session["provider_id"], session["data"])
            session.update({"status": result.status, "data": copy.deepcopy(result.data),
                            "updated_at": now})
            if result.status != AUTHORIZED:
                continue
            session["payment_authorized_at"] = now
            authorized += session["amount"]
            payment = {
                "id": self.ids.new("pay"), "created_at": now, "updated_at": now,
                "swap_id": None, "cart_id": None, "order_id": None, "amount": session["amount"],
                "currency_code": collection["currency_code"], "amount_refunded": 0,
                "provider_id": session["provider_id"], "data": copy.deepcopy(result.data),
                "captured_at": None, "canceled_at": None, "metadata": None,
                "idempotency_key": None,
            }
            self.store.payments.put(payment)
            collection["payment_ids"].append(payment["id"])
        if authorized == 0:
            collection["status"] = AWAITING
        elif authorized < collection["amount"]:
            collection["status"] = PARTIALLY_AUTHORIZED
        elif authorized == collection["amount"]:
            collection["status"] = AUTHORIZED
        collection["authorized_amount"] = authorized
        collection["updated_at"] = now
        self.outbox.emit(PAYMENT_AUTHORIZED_EVENT,
                         self._view(collection, relations=("payment_sessions", "payments")))
        return collection
