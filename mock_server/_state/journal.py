"""The request journal: a bounded ring buffer of what the mock received.

The HTTP layer records one entry per request, as a tuple of references (no copies, nothing
formatted: recording sits on every request's path, the answer cache's replays included) and
formats entries only when they are read (``GET /_mock/requests``). Appending to and copying a
``deque`` are single operations under the GIL, so recording takes no lock.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any

from .clock import Clock

DEFAULT_SIZE = 1000


class RequestJournal:
    """The last ``capacity`` entries, oldest first (``capacity`` 0: the journal is off)."""

    def __init__(self, clock: Clock, capacity: int = DEFAULT_SIZE) -> None:
        self.clock = clock
        self.capacity = capacity
        self.enabled = capacity > 0
        self._entries: deque[tuple[Any, ...]] = deque(maxlen=max(capacity, 1))
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    def record(self, entry: tuple[Any, ...]) -> None:
        self._entries.append(entry)

    def entries(self) -> list[tuple[Any, ...]]:
        """A copy of the entries, oldest first."""
        return list(self._entries.copy())

    def clear(self) -> None:
        self._entries.clear()
