"""Medusa-style identifiers: ``<prefix>_<ULID>``, reproducible when seeded."""

from __future__ import annotations

import random
import secrets
import threading
from typing import Any

from .clock import Clock

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdGenerator:
    """Generates ULID-shaped ids. With a seed, the random part is reproducible."""

    def __init__(self, clock: Clock, seed: int | None = None) -> None:
        self._clock = clock
        self._seed = seed
        self._rng = random.Random(seed) if seed is not None else None
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            if self._seed is not None:
                self._rng = random.Random(self._seed)

    def state(self) -> list[Any] | None:
        """Where a seeded generator is in its sequence (JSON-shaped), ``None`` when unseeded."""
        with self._lock:
            if self._rng is None:
                return None
            version, internal, gauss = self._rng.getstate()
            return [version, list(internal), gauss]

    def set_state(self, state: list[Any] | None) -> None:
        """Continue a seeded sequence from :meth:`state` (ignored by an unseeded generator)."""
        with self._lock:
            if self._rng is not None and state is not None:
                self._rng.setstate(state_tuple(state))

    def _random_bits(self, bits: int) -> int:
        if self._rng is None:
            return secrets.randbits(bits)
        with self._lock:
            return self._rng.getrandbits(bits)

    def uuid4(self) -> str:
        """A version-4 UUID (Medusa's idempotency keys)."""
        import uuid

        return str(uuid.UUID(int=self._random_bits(128), version=4))

    def ulid(self) -> str:
        millis = int(self._clock.time() * 1000) & ((1 << 48) - 1)
        value = (millis << 80) | self._random_bits(80)
        chars = []
        for _ in range(26):
            chars.append(_CROCKFORD[value & 31])
            value >>= 5
        return "".join(reversed(chars))

    def new(self, prefix: str) -> str:
        return f"{prefix}_{self.ulid()}"

    def token(self, nbytes: int = 24) -> str:
        """An opaque url-safe random string (session ids)."""
        if self._rng is None:
            return secrets.token_urlsafe(nbytes)
        import base64

        raw = self._random_bits(nbytes * 8).to_bytes(nbytes, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def state_tuple(state: Any) -> tuple[Any, ...]:
    """A :meth:`IdGenerator.state` as :meth:`random.Random.setstate` takes it; ``ValueError``
    when it is not one."""
    if not (isinstance(state, list) and len(state) == 3 and isinstance(state[1], list)):
        raise ValueError("must be [version, [625 integers], null]")
    value = (state[0], tuple(state[1]), state[2])
    try:
        random.Random().setstate(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"is not a generator state ({exc})") from None
    return value
