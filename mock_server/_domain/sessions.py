"""Server-side sessions behind the ``connect.sid`` cookie (express-session's memory store)."""

from __future__ import annotations

from typing import Any

from .._state.clock import Clock
from .._state.ids import IdGenerator
from .._state.store import Store

SESSION_TTL = 10 * 60 * 60  # Medusa's default cookie maxAge: 10 hours


class SessionService:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids

    def new_id(self) -> str:
        return self.ids.token(24)

    def load(self, sid: str) -> dict[str, Any]:
        with self.store.lock:
            record = self.store.sessions.get(sid)
            if record is None:
                return {}
            if record["expires"] <= self.clock.time():
                self.store.sessions.delete(sid)
                return {}
            return dict(record["data"])

    def save(self, sid: str, data: dict[str, Any]) -> None:
        with self.store.lock:
            if not data:
                self.store.sessions.delete(sid)
                return
            self.store.sessions.put({"id": sid, "data": dict(data),
                                     "expires": self.clock.time() + SESSION_TTL})

    def destroy(self, sid: str) -> None:
        with self.store.lock:
            self.store.sessions.delete(sid)
