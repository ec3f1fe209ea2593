"""The event outbox: what a real Medusa would hand to its event bus subscribers."""

from __future__ import annotations

import builtins
import copy
import threading
from typing import Any

from .clock import Clock


class EventOutbox:
    def __init__(self, clock: Clock, capacity: int = 10_000) -> None:
        self._clock = clock
        self._events: list[dict[str, Any]] = []
        self._capacity = capacity
        self._lock = threading.Lock()

    def emit(self, name: str, data: dict[str, Any]) -> None:
        event = {"name": name, "data": copy.deepcopy(data), "created_at": self._clock.iso()}
        with self._lock:
            self._events.append(event)
            if len(self._events) > self._capacity:
                del self._events[: len(self._events) - self._capacity]

    def list(self, name: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            events = list(self._events)
        if name is not None:
            events = [e for e in events if e["name"] == name]
        return copy.deepcopy(events)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()

    def replace(self, events: builtins.list[dict[str, Any]]) -> None:
        """Hold these events instead (a saved state's; the newest ``capacity`` of them)."""
        with self._lock:
            self._events = list(events[-self._capacity:])
