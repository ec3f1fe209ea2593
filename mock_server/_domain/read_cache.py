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

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, or the value it gave for ``key`` if nothing was written since."""
        if self.mode == "off":
            return compute()
        with self.store.lock:  # no write can start while this runs
            generation = self.store.generation
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[0] == generation:
                    self._entries.move_to_end(key)
                    self.hits += 1
                else:
                    entry = None
                    self.misses += 1
            if entry is not None:
                if self.mode == "verify":
                    fresh = compute()
                    if fresh != entry[1]:
                        raise StaleReadError(f"the cached answer for {key!r} is stale")
                return entry[1]  # type: ignore[no-any-return]
            value = compute()  # an error is raised to the caller and not cached
            if self.store.generation == generation:  # the computation itself wrote nothing
                with self._lock:
                    self._entries[key] = (generation, value)
                    self._entries.move_to_end(key)
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
            return value
