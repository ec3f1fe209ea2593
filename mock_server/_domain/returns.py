"""After the sale: returns and swaps, as Medusa 1.20.11's return and swap services do them.

A return lists order lines (and how many of each) coming back, with an optional return shipping
method; its ``refund_amount`` is what those lines cost the customer (tax included, discounts
taken off) minus the return shipping. A swap is a return plus new items; Medusa creates a cart of
type ``swap`` holding the new lines and the returned ones at a negative price, and completing
that cart confirms the swap (see :mod:`.checkout`).
"""

from __future__ import annotations

import copy
from typing import Any

from .._state.clock import Clock
from .._state.ids import IdGenerator
from .._state.outbox import EventOutbox
from .._state.store import Record, Store
from . import cart_totals, line_items, views
from .carts import CartService
from .errors import ErrorType, MedusaError

RETURN_COLUMNS = ("id", "created_at", "updated_at", "status", "swap_id", "claim_order_id",
                  "order_id", "location_id", "shipping_data", "refund_amount", "received_at",
                  "no_notification", "metadata", "idempotency_key")
RETURN_ITEM_COLUMNS = ("return_id", "item_id", "quantity", "is_requested", "requested_quantity",
                       "received_quantity", "reason_id", "note", "metadata")
SWAP_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "fulfillment_status",
                "payment_status", "order_id", "difference_due", "shipping_address_id", "cart_id",
                "confirmed_at", "idempotency_key", "metadata")
SWAP_ALL_COLUMNS = (*SWAP_COLUMNS[:10], "canceled_at", "no_notification", "allow_backorder",
                    *SWAP_COLUMNS[10:])


class ReturnService:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, outbox: EventOutbox,
                 carts: CartService) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.outbox = outbox
        self.carts = carts

    # -- checks -------------------------------------------------------------------------------
    def _order(self, order_id: str) -> Record:
        order = self.store.orders.get(order_id) if isinstance(order_id, str) else None
        if order is None:
            raise MedusaError(ErrorType.NOT_FOUND, f"Order with id: {order_id} was not found")
        return order

    def _lines(self, order: Record, wanted: list[dict[str, Any]]) -> list[tuple[Record, dict]]:
        """Each requested line with its order line; Medusa's ``validateReturnLineItem``."""
        out = []
        for entry in wanted:
            line = self.store.line_items.get(entry["item_id"]) if isinstance(
                entry.get("item_id"), str) else None
            if line is None:
                raise MedusaError(ErrorType.NOT_FOUND,
                                  f"Line item with {entry.get('item_id')} was not found")
            if line.get("order_id") != order["id"]:
                raise MedusaError(ErrorType.INVALID_DATA,
                                  "Return contains invalid line items")
            returnable = line["quantity"] - int(line.get("returned_quantity") or 0)
            if entry["quantity"] > returnable:
                raise MedusaError(ErrorType.NOT_ALLOWED,
                                  "Cannot return more items than have been purchased")
            reason_id = entry.get("reason_id")
            if reason_id:
                reason = self.store.return_reasons.get(reason_id)
                if reason is None:
                    raise MedusaError(ErrorType.NOT_FOUND,
                                      f"Return Reason with id: {reason_id} was not found")
                if self.store.return_reasons.first_where(parent_return_reason_id=reason_id,
                                                         deleted_at=None):
                    raise MedusaError(ErrorType.INVALID_DATA,
                                      "Cannot apply return reason category")
            out.append((line, entry))
        return out

    def _return_option(self, order: Record, option_id: str) -> Record:
        option = self.store.shipping_options.get(option_id)
        if option is None or option.get("deleted_at") is not None:
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Shipping Option with id: {option_id} was not found")
        if not option.get("is_return") or option["region_id"] != order["region_id"]:
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "The shipping option is not available for returns")
        return option

    # -- money --------------------------------------------------------------------------------
    def _line_refund(self, order: Record, line: Record, quantity: int) -> float:
        """What ``quantity`` of a line cost: its refundable total, pro rata."""
        region = self.store.regions.get(order["region_id"]) or {}
        rate = sum(float(t.get("rate") or 0) for t in line.get("tax_lines", []))
        discount = sum(a.get("amount", 0) for a in line.get("adjustments", []))
        per_unit = (line["unit_price"] * line["quantity"] - discount) / line["quantity"]
        del region
        return per_unit * quantity * (1 + rate / 100)

    def _shipping_total(self, order: Record, option: Record | None) -> int:
        if option is None:
            return 0
        region = self.store.regions.get(order["region_id"]) or {}
        price = option.get("amount") or 0
        return cart_totals.js_round(price * (1 + float(region.get("tax_rate") or 0) / 100))

    # -- returns ------------------------------------------------------------------------------
    def create_return(self, data: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        with self.store.lock:
            order = self._order(data["order_id"])
            lines = self._lines(order, data["items"])
            option = None
            if data.get("return_shipping"):
                option = self._return_option(order, data["return_shipping"]["option_id"])
            ret = self._new_return(order, lines, option, swap_id=None,
                                   idempotency_key=idempotency_key)
            self.outbox.emit("order.return_requested", {"id": order["id"],
                                                         "return_id": ret["id"],
                                                         "no_notification": None})
            return self.return_view(ret)

    def _new_return(self, order: Record, lines: list[tuple[Record, dict]],
                    option: Record | None, *, swap_id: str | None,
                    idempotency_key: str | None) -> Record:
        now = self.clock.iso()
        ret_id = self.ids.new("ret")
        refund = sum(self._line_refund(order, line, entry["quantity"]) for line, entry in lines)
        refund_amount = cart_totals.js_round(refund) - self._shipping_total(order, option)
        ret: Record = {
            # a swap's return belongs to the swap only (no order id, no shipping data) and
            # takes the swap's no_notification; the route's ``fulfill`` gives a return with a
            # shipping method the provider's data (``{}`` for manual), one without none
            "id": ret_id, "created_at": now, "updated_at": now, "status": "requested",
            "swap_id": swap_id, "claim_order_id": None,
            "order_id": None if swap_id else order["id"], "location_id": None,
            "shipping_data": {} if option is not None and not swap_id else None,
            "refund_amount": max(refund_amount, 0),
            "received_at": None, "no_notification": True if swap_id else None, "metadata": None,
            "idempotency_key": idempotency_key,
            "items": [{"return_id": ret_id, "item_id": line["id"], "quantity": entry["quantity"],
                       "is_requested": True, "requested_quantity": entry["quantity"],
                       "received_quantity": None, "reason_id": entry.get("reason_id"),
                       "note": entry.get("note"), "metadata": {}}
                      for line, entry in lines],
            "shipping_method": None,
        }
        if option is not None:
            ret["shipping_method"] = {
                "id": self.ids.new("sm"), "shipping_option_id": option["id"], "order_id": None,
                "claim_order_id": None, "cart_id": None, "swap_id": None, "return_id": ret_id,
                "price": option.get("amount") or 0, "data": {}}
        self.store.returns.put(ret)
        return ret

    def return_view(self, ret: Record) -> dict[str, Any]:
        view = views.pick(ret, RETURN_COLUMNS)
        assert view is not None
        view["items"] = []
        for item in ret["items"]:
            entry = views.pick(item, RETURN_ITEM_COLUMNS)
            assert entry is not None
            reason = self.store.return_reasons.get(item.get("reason_id") or "")
            entry["reason"] = views.pick(reason, views.RETURN_REASON_COLUMNS) if reason else None
            view["items"].append(entry)
        return view

    # -- swaps --------------------------------------------------------------------------------
    def create_swap(self, data: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        with self.store.lock:
            order = self._order(data["order_id"])
            if order.get("payment_status") != "captured":
                raise MedusaError(ErrorType.NOT_ALLOWED,
                                  "Cannot swap an order that has not been captured")
            if order.get("fulfillment_status") == "not_fulfilled":
                raise MedusaError(ErrorType.NOT_ALLOWED,
                                  "Cannot swap an order that has not been fulfilled")
            lines = self._lines(order, data["return_items"])
            option = None
            if data.get("return_shipping_option"):
                option = self._return_option(order, data["return_shipping_option"])
            region = self.store.regions.get(order["region_id"]) or {}
            new_lines = [self.carts.generate_line(a["variant_id"], int(a["quantity"]), region,
                                                  order.get("customer_id"))
                         for a in data["additional_items"]]
            now = self.clock.iso()
            swap: Record = {
                "id": self.ids.new("swap"), "created_at": now, "updated_at": now,
                "deleted_at": None, "fulfillment_status": "not_fulfilled",
                "payment_status": "not_paid", "order_id": order["id"], "difference_due": None,
                "shipping_address_id": None, "cart_id": None, "confirmed_at": None,
                "canceled_at": None, "no_notification": True, "allow_backorder": False,
                "idempotency_key": idempotency_key, "metadata": None,
                "additional_item_ids": [], "return_id": None, "payment_id": None,
            }
            ret = self._new_return(order, lines, option, swap_id=swap["id"],
                                   idempotency_key=None)
            swap["return_id"] = ret["id"]
            for line in new_lines:
                record = line_items.new_line(line, line_id=self.ids.new("item"), now=now,
                                             swap_id=swap["id"], has_shipping=None)
                self.store.line_items.put(record)
                swap["additional_item_ids"].append(record["id"])
            self.store.swaps.put(swap)
            self.carts.create_swap_cart(swap, order, ret)
            self.outbox.emit("swap.created", {"id": swap["id"], "no_notification": True})
            return self.swap_view(swap, columns=SWAP_COLUMNS)

    def swap_by_cart(self, cart_id: str) -> dict[str, Any]:
        with self.store.lock:
            swap = self.store.swaps.one_by("cart_id", cart_id)
            if swap is None:
                raise MedusaError(ErrorType.NOT_FOUND, "Swap was not found")
            return self.swap_view(swap, columns=SWAP_ALL_COLUMNS)

    def swap_view(self, swap: Record, *, columns: tuple[str, ...]) -> dict[str, Any]:
        store = self.store
        view = views.pick(swap, columns)
        assert view is not None
        items = []
        for item_id in swap.get("additional_item_ids", []):
            item = store.line_items.get(item_id)
            if item is None:
                continue
            entry = views.pick(item, views.LINE_ITEM_COLUMNS)
            assert entry is not None
            entry["variant"] = views.variant(store, item.get("variant_id"))
            items.append(entry)
        view["additional_items"] = items
        view["fulfillments"] = []
        view["order"] = views.pick(store.orders.get(swap["order_id"]), views.ORDER_COLUMNS)
        payment = store.payments.get(swap.get("payment_id") or "")
        view["payment"] = views.pick(payment, views.PAYMENT_COLUMNS) if payment else None
        ret = store.returns.get(swap.get("return_id") or "")
        if ret is not None:
            ret_view = views.pick(ret, RETURN_COLUMNS)
            assert ret_view is not None
            ret_view["shipping_method"] = copy.deepcopy(ret.get("shipping_method"))
            ret_view["items"] = [views.pick(i, RETURN_ITEM_COLUMNS) for i in ret["items"]]
            view["return_order"] = ret_view
        else:
            view["return_order"] = None
        view["shipping_address"] = views.address(
            store.addresses.get(swap.get("shipping_address_id") or ""))
        view["shipping_methods"] = [copy.deepcopy(m) for m in swap.get("shipping_methods", [])]
        cart = store.carts.get(swap.get("cart_id") or "")
        view["cart"] = ({k: copy.deepcopy(cart.get(k)) for k in views.CART_COLUMNS}
                        if cart else None)
        return view
