"""Caps on the tables that grow with use, and what goes when one is reached.

Each cap (``Settings.max_carts``, ``max_customers``, ``max_orders``, ``max_sessions``; ``None``
for none) is checked before a new row of its table is stored (:meth:`Bounds.make_room`, called
by the service that stores it, under the store's lock and before the step changes anything). At
the cap, the least recently used rows go first (a row is used when a route reads or writes it;
a session when it is read or saved), never one the seed made (:attr:`Table.pinned`), each with
what belongs only to it:

* a cart: its payment sessions, its lines that are on no order or swap, its payments that are
  on no order or swap, and its addresses when nothing else (no order, cart, swap or customer)
  uses them; a completed cart goes the same way (its order keeps its lines and addresses);
* a session: nothing else (its customer is logged out);
* a customer, only once it has no cart and no order left: its sessions and the addresses of
  its address book that nothing else uses;
* an order: its lines, payments, returns and swaps (with their carts), its cart, and its
  addresses when nothing else uses them; idempotency keys (one per completion) follow the
  orders' cap, oldest first.

The first time a cap is reached, the log says so (once per table and container).
"""

from __future__ import annotations

import logging

from .._quirks import implements
from .._settings import Settings
from .._state.store import Record, Store

log = logging.getLogger("medusa_mock")

OPTIONS = {"carts": "--max-carts", "customers": "--max-customers", "orders": "--max-orders",
           "sessions": "--max-sessions", "idempotency_keys": "--max-orders"}
# Rows looked at per new row before the table is let past its cap (customers still in use).
_TRIES = 64


class Bounds:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.caps: dict[str, int | None] = {
            "carts": settings.max_carts, "customers": settings.max_customers,
            "orders": settings.max_orders, "sessions": settings.max_sessions,
            "idempotency_keys": settings.max_orders,
        }
        self.evicted: dict[str, int] = {}
        self._warned: set[str] = set()

    @implements("state-caps")
    def make_room(self, table: str) -> None:
        """Before a new row of ``table`` is stored: while the table is at its cap, its least
        recently used row goes (with what belongs only to it)."""
        cap = self.caps.get(table)
        rows = self.store.tables[table]
        if not cap or len(rows) < cap:
            return
        with self.store.lock:
            self._warn(table, cap)
            tries = _TRIES
            while len(rows) >= cap and tries > 0:
                victim = rows.oldest()
                if victim is None:
                    break
                tries -= 1
                if self._evict(table, victim):
                    self.evicted[table] = self.evicted.get(table, 0) + 1
                else:
                    rows.touch(victim)  # still in use: the next one

    def _warn(self, table: str, cap: int) -> None:
        if table in self._warned:
            return
        self._warned.add(table)
        log.warning("%d %s stored, the %s cap: the least recently used ones are dropped to make "
                    "room from now on (seeded rows never)", cap, table.replace("_", " "),
                    OPTIONS[table])

    # -- evictions ----------------------------------------------------------------------------
    def _evict(self, table: str, key: str) -> bool:
        store = self.store
        if table == "carts":
            self.drop_cart(key)
        elif table == "customers":
            if store.carts.by("customer_id", key) or store.orders.by("customer_id", key):
                return False
            self.drop_customer(key)
        elif table == "orders":
            self.drop_order(key)
        else:
            store.tables[table].delete(key)
        return True

    def _droppable(self, table: str, key: str) -> Record | None:
        rows = self.store.tables[table]
        return None if key in rows.pinned else rows.get(key)

    def _delete_by(self, table: str, column: str, value: str,
                   unless_on: tuple[str, ...] = ()) -> None:
        """Delete the rows whose ``column`` is ``value``, but those on any of ``unless_on``."""
        rows = self.store.tables[table]
        for row in rows.by(column, value):
            if all(row.get(other) is None for other in unless_on):
                rows.delete(row["id"])

    def drop_cart(self, cart_id: str) -> None:
        cart = self._droppable("carts", cart_id)
        if cart is None:
            return
        self._delete_by("payment_sessions", "cart_id", cart_id)
        self._delete_by("line_items", "cart_id", cart_id, unless_on=("order_id", "swap_id"))
        self._delete_by("payments", "cart_id", cart_id, unless_on=("order_id", "swap_id"))
        self.store.carts.delete(cart_id)
        self._drop_addresses(cart.get("shipping_address_id"), cart.get("billing_address_id"))

    def drop_customer(self, customer_id: str) -> None:
        customer = self._droppable("customers", customer_id)
        if customer is None:
            return
        store = self.store
        store.customers.delete(customer_id)
        self._delete_by("sessions", "data.customer_id", customer_id)
        book = [a["id"] for a in store.addresses.by("customer_id", customer_id)]
        self._drop_addresses(*book, customer.get("billing_address_id"), own=customer_id)

    def drop_order(self, order_id: str) -> None:
        order = self._droppable("orders", order_id)
        if order is None:
            return
        store = self.store
        self._delete_by("returns", "order_id", order_id)
        for swap in store.swaps.by("order_id", order_id):
            for item_id in swap.get("additional_item_ids", []):
                store.line_items.delete(item_id)
            if swap.get("cart_id"):
                self._delete_by("payments", "cart_id", swap["cart_id"])
                self.drop_cart(swap["cart_id"])
            store.swaps.delete(swap["id"])
            self._drop_addresses(swap.get("shipping_address_id"))
        self._delete_by("line_items", "order_id", order_id)
        for payment in order.get("payments", []):
            store.payments.delete(payment["id"])
        store.orders.delete(order_id)
        if order.get("cart_id"):
            self.drop_cart(order["cart_id"])
        self._drop_addresses(order.get("shipping_address_id"), order.get("billing_address_id"))

    def _drop_addresses(self, *address_ids: str | None, own: str | None = None) -> None:
        """Delete these addresses where nothing uses them any more: only addresses of no
        customer (a cart's, an order's) or of the customer ``own`` being dropped."""
        store = self.store
        for address_id in dict.fromkeys(a for a in address_ids if a):
            address = store.addresses.get(address_id)
            if (address is None or address_id in store.addresses.pinned
                    or address.get("customer_id") not in (None, own)
                    or self._address_in_use(address_id)):
                continue
            store.addresses.delete(address_id)

    def _address_in_use(self, address_id: str) -> bool:
        store = self.store
        return bool(store.carts.by("shipping_address_id", address_id)
                    or store.carts.by("billing_address_id", address_id)
                    or store.orders.by("shipping_address_id", address_id)
                    or store.orders.by("billing_address_id", address_id)
                    or store.customers.by("billing_address_id", address_id)
                    or store.swaps.by("shipping_address_id", address_id))
