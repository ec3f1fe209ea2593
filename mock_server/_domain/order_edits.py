"""Order edits as the Store API sees them: read, decline, complete (Medusa 1.20.11's
``OrderEditService`` and ``api/routes/store/order-edits``).

An edit row keeps its columns and its ``changes`` (Medusa's ``order_item_change`` rows). Its
items are rows of ``line_items`` with ``order_edit_id`` set: Medusa clones the order's lines onto
the edit (``original_item_id`` names the order's line) and changes the clones; confirming the edit
detaches the order's own lines (``order_id`` null) and attaches the edit's lines to the order.

The status is not stored: it follows from the timestamps, as the entity's ``afterLoad`` does.
The totals are the order's totals computed with the edit's items (``decorateTotals``), and
``difference_due`` is that total minus the order's current total.
"""

from __future__ import annotations

from typing import Any

from .._state.clock import Clock
from .._state.outbox import EventOutbox
from .._state.store import Record, Store
from . import cart_totals, line_items, views
from .errors import ErrorType, MedusaError
from .payment_collections import AUTHORIZED, PaymentCollectionService

# The store routes' columns (defaultStoreOrderEditFields: the admin list without internal_note
# and the created/confirmed/canceled_by columns; updated_at is never selected).
STORE_FIELDS = ("id", "created_at", "order_id", "requested_by", "requested_at", "confirmed_at",
                "declined_by", "declined_reason", "declined_at", "canceled_at",
                "payment_collection_id")
CHANGE_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "type", "order_edit_id",
                  "original_line_item_id", "line_item_id")
TOTAL_KEYS = ("discount_total", "gift_card_total", "gift_card_tax_total", "shipping_total",
              "subtotal", "tax_total", "total")

CREATED = "created"
REQUESTED = "requested"
CONFIRMED = "confirmed"
DECLINED = "declined"
CANCELED = "canceled"
CONFIRMED_EVENT = "order-edit.confirmed"
DECLINED_EVENT = "order-edit.declined"
PAYMENT_UPDATED_EVENT = "payment.updated"


def status(edit: Record) -> str:
    """``OrderEdit.loadStatus``: the last of requested, declined, confirmed, canceled whose
    timestamp is set (else created)."""
    result = CREATED
    for key, value in (("requested_at", REQUESTED), ("declined_at", DECLINED),
                       ("confirmed_at", CONFIRMED), ("canceled_at", CANCELED)):
        if edit.get(key):
            result = value
    return result


class OrderEditService:
    def __init__(self, store: Store, clock: Clock, outbox: EventOutbox,
                 payment_collections: PaymentCollectionService) -> None:
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self.payment_collections = payment_collections

    # -- rows ----------------------------------------------------------------------------------
    def _require(self, edit_id: str) -> Record:
        edit = self.store.order_edits.get(edit_id)
        if edit is None:
            raise MedusaError(ErrorType.NOT_FOUND, f"Order edit with id {edit_id} was not found")
        return edit

    def items(self, edit_id: str) -> list[Record]:
        return self.store.line_items.by("order_edit_id", edit_id)

    def _order(self, edit: Record) -> Record:
        order = self.store.orders.get(edit["order_id"])
        if order is None:  # the seed links every edit to an order
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Order with id {edit['order_id']} was not found")
        return order

    # -- totals --------------------------------------------------------------------------------
    def _compute(self, order: Record, items: list[Record]) -> dict[str, Any]:
        """``OrderService.decorateTotals`` of the order with these items, loaded as the edit's
        ``decorateTotals`` loads it: discounts, gift cards (not their transactions: the cards'
        balances count), region, shipping methods, and the stored tax lines."""
        region = self.store.regions.get(order["region_id"]) or {}
        region_in = {"id": region.get("id"), "tax_rate": region.get("tax_rate") or 0,
                     "gift_cards_taxable": region.get("gift_cards_taxable", True),
                     "automatic_taxes": False, "tax_code": region.get("tax_code")}
        lines = [dict(i, quantity=i["quantity"] - (i.get("returned_quantity") or 0),
                      adjustments=list(i.get("adjustments", [])),
                      tax_lines=list(i.get("tax_lines", []))) for i in items]
        methods = [dict(m) for m in order.get("shipping_methods", [])]
        discounts = [{"id": d["id"], "code": d["code"],
                      "rule": {k: d["rule"][k] for k in ("type", "value", "allocation")}}
                     for d in order.get("discounts", [])]
        cards = [self.store.gift_cards.get(c["id"]) or c for c in order.get("gift_cards", [])]
        computed = cart_totals.compute(region_in, lines, methods, discounts, cards)
        cart = computed["cart"]
        totals = {
            "discount_total": cart["discount_total"],
            "gift_card_total": cart["gift_card_total"],
            "gift_card_tax_total": cart["gift_card_tax_total"],
            "shipping_total": cart["shipping_total"],
            "subtotal": cart["subtotal"],
            "tax_total": cart["item_tax_total"] + cart["shipping_tax_total"]
            - cart["gift_card_tax_total"],
            "total": cart["total"],
        }
        discount = next((d for d in discounts if d["rule"]["type"] != "free_shipping"), None)
        return {"lines": lines, "items": computed["items"], "totals": totals,
                "discount": discount}

    # -- views ---------------------------------------------------------------------------------
    def _line(self, item: Record | None) -> dict[str, Any] | None:
        """A line item with every column and its variant (a change's line)."""
        if item is None:
            return None
        view = views.pick(item, line_items.ITEM_COLUMNS)
        assert view is not None
        view["variant"] = views.variant(self.store, item.get("variant_id"))
        return view

    def view(self, edit: Record) -> dict[str, Any]:
        """The edit as the store routes answer it: the store columns, changes, items with their
        totals, the payment collection, the status and the totals after the edit."""
        store = self.store
        view = views.pick(edit, STORE_FIELDS)
        assert view is not None
        changes = []
        for change in edit.get("changes", []):
            entry = views.pick(change, CHANGE_COLUMNS)
            assert entry is not None
            entry["line_item"] = self._line(store.line_items.get(change.get("line_item_id") or ""))
            entry["original_line_item"] = self._line(
                store.line_items.get(change.get("original_line_item_id") or ""))
            changes.append(entry)
        order = self._order(edit)
        edited = self._compute(order, self.items(edit["id"]))
        current = self._compute(order, views.order_items(store, order["id"]))
        items = []
        for line in edited["lines"]:
            entry = views.pick(line, line_items.ITEM_COLUMNS)
            assert entry is not None
            entry["adjustments"] = [dict(a) for a in line.get("adjustments", [])]
            entry["tax_lines"] = views.tax_lines(line.get("tax_lines", []))
            entry["variant"] = views.variant(store, line.get("variant_id"))
            entry.update({k: v for k, v in edited["items"].get(line["id"], {}).items()
                          if k != "tax_lines"})
            entry["refundable"] = cart_totals.line_item_refundable(
                line, line.get("tax_lines", []), edited["discount"])
            items.append(entry)
        collection = self.payment_collections.get(edit.get("payment_collection_id"))
        view.update({
            "changes": changes,
            "items": items,
            "payment_collection": (self.payment_collections.row_view(collection)
                                   if collection is not None else None),
            "status": status(edit),
        })
        view.update(edited["totals"])
        view["difference_due"] = edited["totals"]["total"] - current["totals"]["total"]
        return view

    # -- the store routes ----------------------------------------------------------------------
    def retrieve(self, edit_id: str) -> dict[str, Any]:
        with self.store.lock:
            return self.view(self._require(edit_id))

    def decline(self, edit_id: str, reason: str | None,
                customer_id: str | None) -> dict[str, Any]:
        """``OrderEditService.decline``: a declined edit is answered as it is; only a requested
        one can be declined."""
        with self.store.lock:
            edit = self._require(edit_id)
            current = status(edit)
            if current != DECLINED:
                if current != REQUESTED:
                    raise MedusaError(ErrorType.NOT_ALLOWED,
                                      f"Cannot decline an order edit with status {current}.")
                now = self.clock.iso()
                edit.update({"declined_at": now, "declined_by": customer_id, "updated_at": now})
                if reason is not None:
                    edit["declined_reason"] = reason
                self.outbox.emit(DECLINED_EVENT, {"id": edit["id"]})
            return self.view(edit)

    def complete(self, edit_id: str, customer_id: str | None) -> dict[str, Any]:
        """The complete route: with a payment collection it must be authorized, and its payments
        move to the order; a confirmed edit is answered as it is; only a requested one is
        confirmed."""
        with self.store.lock:
            edit = self._require(edit_id)
            current = status(edit)
            collection = self.payment_collections.get(edit.get("payment_collection_id"))
            if collection is not None and current in (REQUESTED, CONFIRMED):
                if collection["status"] != AUTHORIZED:
                    raise MedusaError(ErrorType.NOT_ALLOWED, "Unable to complete an order edit if "
                                      "the payment is not authorized")
                self._attach_payments(edit, collection)
            if current == CONFIRMED:
                return self.view(edit)
            if current != REQUESTED:
                raise MedusaError(ErrorType.NOT_ALLOWED,
                                  f"Cannot complete an order edit with status {current}")
            self._confirm(edit, customer_id)
            return self.view(edit)

    def _attach_payments(self, edit: Record, collection: Record) -> None:
        order = self._order(edit)
        now = self.clock.iso()
        for payment in self.payment_collections.payment_rows(collection):
            if payment.get("order_id") == order["id"]:
                continue
            payment["order_id"] = order["id"]
            payment["updated_at"] = now
            order.setdefault("payments", []).append(views.copy_json(payment))
            self.outbox.emit(PAYMENT_UPDATED_EVENT, payment)

    def _confirm(self, edit: Record, customer_id: str | None) -> None:
        """``OrderEditService.confirm``: the order's lines (other than this edit's) leave the
        order, the edit's lines join it."""
        order_id = edit["order_id"]
        now = self.clock.iso()
        lines = self.store.line_items
        for item in lines.by("order_id", order_id):
            if item.get("order_edit_id") != edit["id"]:
                item["order_id"] = None
                item["updated_at"] = now
                lines.put(item)
        for item in lines.by("order_edit_id", edit["id"]):
            item["order_id"] = order_id
            item["updated_at"] = now
            lines.put(item)
        edit.update({"confirmed_at": now, "confirmed_by": customer_id, "updated_at": now})
        self.outbox.emit(CONFIRMED_EVENT, {"id": edit["id"]})
