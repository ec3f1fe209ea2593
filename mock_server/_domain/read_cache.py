"""A read-through cache of catalog answers, exact by construction and checkable.

A cached answer is the value a read computed from the store while holding the store's lock, kept
with the store's :attr:`~mock_server._state.store.Store.generation` at that moment. It is handed
out again only while the generation is unchanged, that is while nothing has been written: every
table write moves the generation, and the HTTP layer moves it before and after every request
that may write in place. So a hit is what a fresh computation would give; the ``verify`` mode
proves it on every hit (it computes afresh and compares; the test suite and CI's audit of the
served mock run with it), and ``off`` turns the cache off.

Only reads whose answer is a function of the store and of the arguments in the key are cached
(the catalog's product and region reads: no clock, no randomness). Callers must not change what
they are handed: it is shared by every later hit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from .._state.store import Store

T = TypeVar("T")
MODES = ("on", "off", "verify")
MISSING: Any = object()  # what :meth:`ReadCache.lookup` gives when nothing current is kept


class StaleReadError(AssertionError):
    """A cached answer differs from a fresh computation (only raised in ``verify`` mode)."""


class ReadCache:
    def __init__(self, store: Store, mode: str = "on", max_entries: int = 512) -> None:
        if mode not in MODES:
            raise ValueError(f"read cache mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.store = store
        self.mode = mode
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def lookup(self, key: Any) -> Any:
        """What was kept for ``key`` at the store's current generation, else :data:`MISSING`."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != self.store.generation:
                self.misses += 1
                return MISSING
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def remember(self, key: Any, generation: int, value: Any) -> None:
        """Keep ``value``, computed at ``generation``, for ``key`` (the oldest entries go)."""
        with self._lock:
            self._entries[key] = (generation, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, or the value it gave for ``key`` if nothing was written since."""
        if self.mode == "off":
            return compute()
        with self.store.lock:  # no write can start while this runs
            generation = self.store.generation
            kept = self.lookup(key)
            if kept is not MISSING:
                if self.mode == "verify" and compute() != kept:
                    raise StaleReadError(f"the cached answer for {key!r} is stale")
                return kept
            value = compute()  # an error is raised to the caller and not cached
            if self.store.generation == generation:  # the computation itself wrote nothing
                self.remember(key, generation, value)
            return value
