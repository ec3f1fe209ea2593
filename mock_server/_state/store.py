"""In-memory repositories shared by every request.

Every table is a plain ``dict`` of id -> record (a JSON-shaped ``dict``). All reads and writes go
through :class:`Store` while holding :attr:`Store.lock` (a re-entrant lock), so a domain service can
read, check and write as one atomic step. Records handed out by ``get``/``list`` are the stored
objects: callers copy before returning them to the HTTP layer (the domain views do that).

**Indexes.** A table keeps secondary indexes on the columns of :data:`INDEXES` (a dotted name
reads into a nested object: ``data.customer_id``). :meth:`Table.by` answers "the rows whose
column has this value" from the index, in table order (the order rows were first stored), as a
scan would (``None`` is not indexed: looking it up scans). ``put`` and ``delete`` maintain
them; ``put`` of a row already stored files it again under its current values (it remembers the
value each row was filed under), so a record changed in place must be ``put`` again when an
indexed column changed. :meth:`Store.index_problems` compares every index with a scan (the
``verify`` mode runs it after every request that may write); a look-up also drops rows whose
column no longer has the value asked for.

**Recency.** Tables listed in :data:`TRACKED` keep their rows (other than the pinned ones: the
seed's) in the order they were last stored or :meth:`Table.touch`-ed, oldest first, for the
domain's bounds (least recently used first).
"""

from __future__ import annotations

import copy
import marshal
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

INDEXES: dict[str, tuple[str, ...]] = {
    "countries": ("region_id",),
    "customers": ("email", "billing_address_id"),
    "addresses": ("customer_id",),
    "orders": ("customer_id", "cart_id", "display_id", "shipping_address_id",
               "billing_address_id"),
    "line_items": ("cart_id", "order_id", "order_edit_id"),
    "sessions": ("data.customer_id",),
    "carts": ("customer_id", "shipping_address_id", "billing_address_id"),
    "payment_sessions": ("cart_id",),
    "payments": ("cart_id",),
    "returns": ("order_id",),
    "swaps": ("cart_id", "order_id", "shipping_address_id"),
}
"""The indexed columns of each table: what the request paths look rows up by."""

TRACKED = frozenset({"carts", "customers", "orders", "sessions", "idempotency_keys"})
"""Tables whose rows are kept in least-recently-used order (the bounded ones)."""

_UNCOUNTED = frozenset({"sessions"})
_MISSING: Any = object()
_UNHASHABLE: Any = object()  # the bucket of values that cannot be dict keys (lists, objects)


def column_reader(column: str) -> Callable[[Record], Any]:
    """A function reading ``column`` of a record; ``a.b`` reads ``b`` of the object in ``a``."""
    head, dot, rest = column.partition(".")
    if not dot:
        return lambda record: record.get(head)
    inner = column_reader(rest)

    def read(record: Record) -> Any:
        value = record.get(head)
        return inner(value) if isinstance(value, dict) else None
    return read


def _bucket_key(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return _UNHASHABLE
    return value


class Index:
    """Row ids by the value of one column, each bucket in table order. Rows whose column is
    ``None`` (most rows, for most indexed columns: a guest's cart, a cart's line on no order) are
    not filed: a look-up of ``None`` is a scan. A bucket of one row is that row's id (most
    values are one row's: a cart's address, a line's cart), a set of rows a dict of ids."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.read = column_reader(column)
        self.buckets: dict[Any, str | dict[str, None]] = {}
        self.filed: dict[str, Any] = {}  # row id -> the bucket key it is filed under
        self._unsorted: set[Any] = set()

    def file(self, key: str, record: Record, position: dict[str, int]) -> None:
        value = _bucket_key(self.read(record))
        old = self.filed.get(key, _MISSING)
        if old is not _MISSING:
            if old is value or (old == value and type(old) is type(value)):
                return
            self.unfile(key)
        if value is None:
            return
        bucket = self.buckets.get(value)
        if bucket is None:
            self.buckets[value] = key
        else:
            if isinstance(bucket, str):
                bucket = self.buckets[value] = {bucket: None}
            if position[next(reversed(bucket))] > position[key]:
                self._unsorted.add(value)  # filed again out of table order: sorted when read
            bucket[key] = None
        self.filed[key] = value

    def unfile(self, key: str) -> None:
        value = self.filed.pop(key, _MISSING)
        if value is _MISSING:
            return
        bucket = self.buckets[value]
        if isinstance(bucket, str):
            del self.buckets[value]
            return
        del bucket[key]
        if len(bucket) == 1:
            self.buckets[value] = next(iter(bucket))
            self._unsorted.discard(value)

    def ids(self, value: Any, position: dict[str, int]) -> Iterable[str]:
        key = _bucket_key(value)
        bucket = self.buckets.get(key)
        if bucket is None:
            return ()
        if isinstance(bucket, str):
            return (bucket,)
        if key in self._unsorted:
            bucket = dict.fromkeys(sorted(bucket, key=position.__getitem__))
            self.buckets[key] = bucket
            self._unsorted.discard(key)
        return bucket


class Table:
    def __init__(self, name: str, on_change: Callable[[], None] = lambda: None, *,
                 indexes: Iterable[str] = (), tracked: bool = False,
                 lock: threading.RLock | None = None) -> None:
        self.name = name
        self._rows: dict[str, Record] = {}
        self._on_change = on_change
        self._indexes = {column: Index(column) for column in indexes}
        self._position: dict[str, int] = {}
        self._next_position = 0
        self._recent: dict[str, None] | None = {} if tracked else None
        self.pinned: frozenset[str] = frozenset()
        """Rows the bounds never evict (the seed's), excluded from the recency order."""
        self._lock = lock or threading.RLock()

    # -- rows -----------------------------------------------------------------------------------
    def get(self, key: str) -> Record | None:
        return self._rows.get(key)

    def live(self, key: str) -> Record | None:
        """The row, unless it is not there or soft-deleted (``deleted_at`` set)."""
        record = self._rows.get(key)
        return record if record is not None and record.get("deleted_at") is None else None

    def put(self, record: Record) -> Record:
        """Store ``record`` (or store it again after a change): files it under its current
        values in every index and makes it the most recently used row."""
        key = record["id"]
        if key not in self._position:
            self._position[key] = self._next_position
            self._next_position += 1
        self._rows[key] = record
        for index in self._indexes.values():
            index.file(key, record, self._position)
        recent = self._recent
        if recent is not None and key not in self.pinned:
            recent.pop(key, None)
            recent[key] = None
        self._on_change()
        return record

    def delete(self, key: str) -> Record | None:
        self._on_change()
        record = self._rows.pop(key, None)
        if record is not None:
            for index in self._indexes.values():
                index.unfile(key)
            del self._position[key]
            if self._recent is not None:
                self._recent.pop(key, None)
        return record

    def values(self) -> Iterable[Record]:
        return self._rows.values()

    def keys(self) -> Iterable[str]:
        """Ids in the order the rows were first stored."""
        return self._rows.keys()

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    # -- look-ups -------------------------------------------------------------------------------
    def indexed(self, column: str) -> bool:
        return column in self._indexes

    def by(self, column: str, value: Any) -> list[Record]:
        """The rows whose ``column`` equals ``value``, in table order (from the index when the
        column has one, else by a scan)."""
        index = self._indexes.get(column)
        if index is None or value is None:
            read = column_reader(column)
            return self.find(lambda r: read(r) == value)
        rows = self._rows
        read = index.read
        return [r for key in index.ids(value, self._position)
                if (r := rows.get(key)) is not None and read(r) == value]

    def one_by(self, column: str, value: Any) -> Record | None:
        """The first row (in table order) whose ``column`` equals ``value``."""
        rows = self.by(column, value)
        return rows[0] if rows else None

    def find(self, predicate: Callable[[Record], bool]) -> list[Record]:
        """The rows ``predicate`` accepts: a scan of the whole table (for the seed's fixed-size
        tables; grown tables are read :meth:`by` an indexed column)."""
        return [r for r in self._rows.values() if predicate(r)]

    def find_where(self, **columns: Any) -> list[Record]:
        """The rows whose columns have these values (through an index when one has one)."""
        indexed = next((c for c in columns if c in self._indexes), None)
        rows = (self.by(indexed, columns[indexed]) if indexed is not None
                else list(self._rows.values()))
        return [r for r in rows if all(r.get(k) == v for k, v in columns.items())]

    def first_where(self, **columns: Any) -> Record | None:
        """The first row whose columns have these values."""
        rows = self.find_where(**columns)
        return rows[0] if rows else None

    def first(self, predicate: Callable[[Record], bool]) -> Record | None:
        for record in self._rows.values():
            if predicate(record):
                return record
        return None

    # -- recency (tracked tables) ---------------------------------------------------------------
    def touch(self, key: str) -> None:
        """Mark a row as just used (a read counts as much as a write)."""
        recent = self._recent
        if recent is not None and key in recent:
            with self._lock:
                if recent.pop(key, _MISSING) is not _MISSING:
                    recent[key] = None

    def oldest(self) -> str | None:
        """The least recently used row that is not pinned."""
        return next(iter(self._recent), None) if self._recent else None

    # -- whole table ----------------------------------------------------------------------------
    def dump(self) -> dict[str, Record]:
        return copy.deepcopy(self._rows)

    def load(self, rows: dict[str, Record], *, copied: bool = False) -> None:
        """Replace every row (``copied``: ``rows`` is the caller's to give away, no copy)."""
        self._rows = rows if copied else copy.deepcopy(rows)
        self._position = {key: i for i, key in enumerate(self._rows)}
        self._next_position = len(self._rows)
        self.reindex()
        if self._recent is not None:
            self._recent = {key: None for key in self._rows if key not in self.pinned}
        self._on_change()

    def index_problems(self) -> list[str]:
        """How each index differs from a scan of the table (empty when they agree)."""
        problems = []
        for column, index in self._indexes.items():
            fresh = self._scanned(column)
            if fresh.filed == index.filed:
                continue
            for key in sorted(set(fresh.filed) | set(index.filed)):
                was = index.filed.get(key, _MISSING)
                now = fresh.filed.get(key, _MISSING)
                if was is now or (was == now and type(was) is type(now)):
                    continue
                problems.append(f"{self.name}.{column}: row {key} is {_shown(was)} but holds "
                                f"{_shown(now, filed=False)}")
        return problems

    def reindex(self) -> None:
        """File every row again (after a load, or after :meth:`index_problems` found a stale
        index)."""
        for column in list(self._indexes):
            self._indexes[column] = self._scanned(column)

    def _scanned(self, column: str) -> Index:
        """An index of ``column`` built by a scan of every row."""
        index = Index(column)
        for key, record in self._rows.items():
            index.file(key, record, self._position)
        return index


def _shown(value: Any, filed: bool = True) -> str:
    if value is _MISSING:
        return "not filed" if filed else "nothing indexed (None)"
    text = "a list or object" if value is _UNHASHABLE else repr(value)
    return f"filed under {text}" if filed else text


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
            name: Table(name, self.changed if name not in _UNCOUNTED else _unchanged,
                        indexes=INDEXES.get(name, ()), tracked=name in TRACKED, lock=self.lock)
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

    def freeze(self) -> bytes:
        """The whole store as bytes that :meth:`thaw` turns back into it (much faster than a
        deep copy: ``marshal`` of JSON-shaped data)."""
        with self.lock:
            return marshal.dumps({"tables": {n: t._rows for n, t in self.tables.items()},
                                  "counters": self.counters})

    def thaw(self, frozen: bytes) -> None:
        """Replace every table and counter with those :meth:`freeze` gave."""
        state = marshal.loads(frozen)
        with self.lock:
            for name, table in self.tables.items():
                table.load(state["tables"].get(name, {}), copied=True)
            self.counters = state["counters"]

    def pin(self) -> None:
        """Pin every row stored now (the seed's): the bounds never evict them."""
        with self.lock:
            for table in self.tables.values():
                table.pinned = frozenset(table.keys())
                if table._recent is not None:
                    table._recent = {}

    def index_problems(self) -> list[str]:
        """Every index entry that differs from a scan (see :meth:`Table.index_problems`)."""
        with self.lock:
            return [p for table in self.tables.values() for p in table.index_problems()]

    def reindex(self) -> None:
        with self.lock:
            for table in self.tables.values():
                table.reindex()


def _unchanged() -> None:
    pass
