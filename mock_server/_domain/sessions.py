"""Server-side sessions behind the ``connect.sid`` cookie (express-session's memory store).

An expired session is gone when it is next read, and all expired sessions are swept once per
:data:`SWEEP_INTERVAL` seconds of the mock's clock (checked whenever a session is read or
saved: moving the clock sweeps on the next request, nothing sleeps). The sessions table is
bounded by ``Settings.max_sessions`` (:mod:`.bounds`).
"""

from __future__ import annotations

from typing import Any

from .._state.clock import Clock
from .._state.ids import IdGenerator
from .._state.store import Store
from .bounds import Bounds

SESSION_TTL = 10 * 60 * 60  # Medusa's default cookie maxAge: 10 hours
SWEEP_INTERVAL = 60.0


class SessionService:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, bounds: Bounds) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.bounds = bounds
        self._last_sweep = clock.time()

    def new_id(self) -> str:
        return self.ids.token(24)

    def load(self, sid: str) -> dict[str, Any]:
        with self.store.lock:
            now = self._sweep_if_due()
            record = self.store.sessions.get(sid)
            if record is None:
                return {}
            if record["expires"] <= now:
                self.store.sessions.delete(sid)
                return {}
            self.store.sessions.touch(sid)
            return dict(record["data"])

    def save(self, sid: str, data: dict[str, Any]) -> None:
        with self.store.lock:
            now = self._sweep_if_due()
            if not data:
                self.store.sessions.delete(sid)
                return
            if sid not in self.store.sessions:
                self.bounds.make_room("sessions")
            self.store.sessions.put({"id": sid, "data": dict(data),
                                     "expires": now + SESSION_TTL})

    def destroy(self, sid: str) -> None:
        with self.store.lock:
            self.store.sessions.delete(sid)

    def _sweep_if_due(self) -> float:
        now = self.clock.time()
        if now - self._last_sweep >= SWEEP_INTERVAL or now < self._last_sweep:
            self._last_sweep = now
            self.sweep()
        return now

    def sweep(self) -> int:
        """Delete every expired session; how many went."""
        with self.store.lock:
            now = self.clock.time()
            expired = [s["id"] for s in self.store.sessions.values() if s["expires"] <= now]
            for sid in expired:
                self.store.sessions.delete(sid)
            return len(expired)
