"""An injectable clock: real time plus an offset the control plane can advance."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """Wall-clock time that tests and the control plane can move forward.

    ``frozen_at`` pins time to a fixed epoch (seconds); otherwise time follows the real clock.
    ``advance`` adds an offset in both modes, so a token can expire without waiting.
    """

    def __init__(self, frozen_at: float | None = None) -> None:
        self._frozen_at = frozen_at
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        base = self._frozen_at if self._frozen_at is not None else time.time()
        return base + self._offset

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._offset += seconds
            return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def set_offset(self, seconds: float) -> None:
        """Put the clock back where a saved state had it."""
        with self._lock:
            self._offset = seconds

    @property
    def offset(self) -> float:
        return self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def iso(self) -> str:
        """The current time as Medusa serializes dates: ISO 8601, milliseconds, ``Z``."""
        return to_iso(self.time())


def to_iso(epoch: float) -> str:
    dt = datetime.fromtimestamp(epoch, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
