"""In-memory repositories shared by every request.

Every table is a plain ``dict`` of id -> record (a JSON-shaped ``dict``). All reads and writes go
through :class:`Store` while holding :attr:`Store.lock` (a re-entrant lock), so a domain service can
read, check and write as one atomic step. Records handed out by ``get``/``list`` are the stored
objects: callers copy before returning them to the HTTP layer (the domain views do that).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from typing import Any

Record = dict[str, Any]

TABLES = (
    "regions",
    "countries",
    "customers",
    "addresses",
    "orders",
    "line_items",
    "products",
    "product_variants",
    "shipping_options",
    "sessions",
    "password_tokens",
    # the catalog (read side), filled by the seed
    "stores",
    "shipping_profiles",
    "sales_channels",
    "publishable_api_keys",
    "product_collections",
    "product_categories",
    "product_tags",
    "product_types",
    "product_images",
    "product_options",
    "gift_cards",
    "discounts",
    "return_reasons",
    # checkout and after the sale
    "carts",
    "payment_sessions",
    "payments",
    "idempotency_keys",
    "gift_card_transactions",
    "returns",
    "swaps",
    "order_edits",
    "payment_collections",
)

_UNCOUNTED = frozenset({"sessions"})


class Table:
    def __init__(self, name: str, on_change: Callable[[], None] = lambda: None) -> None:
        self.name = name
        self._rows: dict[str, Record] = {}
        self._on_change = on_change

    def get(self, key: str) -> Record | None:
        return self._rows.get(key)

    def live(self, key: str) -> Record | None:
        """The row, unless it is not there or soft-deleted (``deleted_at`` set)."""
        record = self._rows.get(key)
        return record if record is not None and record.get("deleted_at") is None else None

    def put(self, record: Record) -> Record:
        self._rows[record["id"]] = record
        self._on_change()
        return record

    def delete(self, key: str) -> Record | None:
        self._on_change()
        return self._rows.pop(key, None)

    def values(self) -> Iterable[Record]:
        return self._rows.values()

    def keys(self) -> Iterable[str]:
        """Ids in the order the rows were first stored."""
        return self._rows.keys()

    def find(self, predicate: Callable[[Record], bool]) -> list[Record]:
        return [r for r in self._rows.values() if predicate(r)]

    def find_where(self, **columns: Any) -> list[Record]:
        """The rows whose columns have these values."""
        return self.find(lambda r: all(r.get(k) == v for k, v in columns.items()))

    def first_where(self, **columns: Any) -> Record | None:
        """The first row whose columns have these values."""
        return self.first(lambda r: all(r.get(k) == v for k, v in columns.items()))

    def first(self, predicate: Callable[[Record], bool]) -> Record | None:
        for record in self._rows.values():
            if predicate(record):
                return record
        return None

    def __len__(self) -> int:
        return len(self._rows)

    def dump(self) -> dict[str, Record]:
        return copy.deepcopy(self._rows)

    def load(self, rows: dict[str, Record]) -> None:
        self._rows = copy.deepcopy(rows)
        self._on_change()


class Store:
    """All tables plus the lock that serializes mutations and counters (``display_id``).

    :attr:`generation` counts changes: every ``put``, ``delete`` and ``load`` of a table moves
    it, and so does :meth:`changed`, which the HTTP layer calls before and after every request
    that may write (records are also changed in place, which no table sees). A value computed
    from the store while holding the lock is still current while the generation is the same
    (the domain's read cache relies on that).
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        # Sessions change on every log-in and never feed a computed view: they do not count.
        self.tables: dict[str, Table] = {
            name: Table(name, self.changed) if name not in _UNCOUNTED else Table(name)
            for name in TABLES}
        self.counters: dict[str, int] = {}

    def changed(self) -> None:
        with self.lock:
            self.generation += 1

    def __getattr__(self, name: str) -> Table:
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        raise AttributeError(name)

    def next_counter(self, name: str) -> int:
        with self.lock:
            value = self.counters.get(name, 0) + 1
            self.counters[name] = value
            return value

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "tables": {name: table.dump() for name, table in self.tables.items()},
                "counters": dict(self.counters),
            }

    def restore(self, snapshot: dict[str, Any]) -> None:
        with self.lock:
            for name, table in self.tables.items():
                table.load(snapshot["tables"].get(name, {}))
            self.counters = dict(snapshot["counters"])
