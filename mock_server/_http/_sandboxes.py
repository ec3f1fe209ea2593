"""Sandboxes: isolated copies of the whole mock, one service container each.

A request chooses a sandbox with the header ``X-Medusa-Mock-Sandbox: NAME`` or the path prefix
``/_sandbox/NAME/`` in front of any Store or control route (what a storefront that can only set a
base URL uses); without either it is served by the default sandbox (the mock as it always was).
A named sandbox is made on first use from the seed (:meth:`Services.spawn`: a restore of the
frozen seed, a millisecond or two) and holds everything a container holds: tables, sessions,
events, clock, ids, read caches, and its answer cache here. :class:`Sandboxes` keeps at most
``Settings.max_sandboxes`` named ones (a new one past it replaces the least recently used) and
drops one unused for ``Settings.sandbox_ttl`` seconds of its own clock.

The sandbox middleware (first of the outer middleware) puts the sandbox's services and the
:class:`Selection` in the ASGI scope (``_middleware/_asgi.py``: ``services_of``,
``selection_of``), and takes the prefix off ``path`` and ``raw_path``: every later layer sees the
route as if it had been called without it, and reads the prefix (for the session cookie's
``Path``) and the sandbox from the selection. Each sandbox has its own fault rules and request
journal (they belong to its service container): ``POST /_mock/faults`` in a sandbox steers that
sandbox's requests only.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from .._domain.services import Services
from .._state.clock import Clock
from ._answer_cache import AnswerCache

log = logging.getLogger("medusa_mock")

DEFAULT = "default"
HEADER = b"x-medusa-mock-sandbox"
PREFIX = "/_sandbox/"
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME_RULE = "1 to 64 letters, digits, '_' or '-'"


class SandboxError(Exception):
    """A sandbox that cannot be chosen (a bad name, sandboxes turned off); the message says
    why."""


@dataclass
class Sandbox:
    name: str
    services: Services
    answers: AnswerCache
    created: float
    last_used: float
    build_ms: float = 0.0

    def describe(self) -> dict[str, Any]:
        from .._state.clock import to_iso

        store = self.services.store
        with store.lock:
            records = {name: len(table) for name, table in store.tables.items() if len(table)}
        return {"name": self.name, "default": self.name == DEFAULT,
                "created_at": to_iso(self.created), "last_used_at": to_iso(self.last_used),
                "build_ms": round(self.build_ms, 3), "records": records,
                "events": len(self.services.outbox.list())}


@dataclass(frozen=True)
class Selection:
    """The sandbox a request is served by, how it was chosen, and the registry."""

    sandbox: Sandbox
    registry: Sandboxes
    prefix: str = ""
    """``/_sandbox/NAME`` when the path chose the sandbox (the session cookie's ``Path``)."""
    original_path: str = ""


class Sandboxes:
    """The default sandbox and the named ones (least recently used first)."""

    def __init__(self, default: Services, answers: AnswerCache, clock: Clock | None = None
                 ) -> None:
        settings = default.settings
        self.clock = clock or Clock(frozen_at=settings.frozen_time)
        now = self.clock.time()
        self.default = Sandbox(DEFAULT, default, answers, now, now)
        self.max_sandboxes = settings.max_sandboxes
        self.ttl = settings.sandbox_ttl
        # a sandbox has no state file: only the default one is saved (serve --state FILE)
        self._settings = dataclasses.replace(settings, state_file=None)
        self._named: dict[str, Sandbox] = {}
        self._lock = threading.Lock()
        self._warned = False

    def get(self, name: str) -> Sandbox:
        """The sandbox called ``name``, made from the seed if there is none."""
        if not NAME.fullmatch(name):
            raise SandboxError(f"Invalid sandbox name {name!r}: {NAME_RULE}")
        now = self.clock.time()
        if name == DEFAULT:
            self.default.last_used = now
            return self.default
        with self._lock:
            self._expire(now)
            sandbox = self._named.pop(name, None)
            if sandbox is None:
                sandbox = self._create(name, now)
            sandbox.last_used = now
            self._named[name] = sandbox
            return sandbox

    def _create(self, name: str, now: float) -> Sandbox:
        if self.max_sandboxes <= 0:
            raise SandboxError("Sandboxes are turned off (serve --max-sandboxes 0)")
        while len(self._named) >= self.max_sandboxes:
            oldest = next(iter(self._named))
            del self._named[oldest]
            if not self._warned:
                self._warned = True
                log.warning("%d sandboxes, the --max-sandboxes cap: the least recently used "
                            "one is dropped for each new one from now on", self.max_sandboxes)
            log.info("sandbox %r dropped to make room for %r", oldest, name)
        started = time.perf_counter()
        services = self.default.services.spawn(self._settings)
        answers = AnswerCache(services.store, self.default.answers.mode)
        build_ms = (time.perf_counter() - started) * 1000
        return Sandbox(name, services, answers, now, now, build_ms)

    def _expire(self, now: float) -> None:
        while self._named:
            oldest = next(iter(self._named.values()))
            if now - oldest.last_used < self.ttl:
                return
            del self._named[oldest.name]
            log.info("sandbox %r dropped after %g s unused", oldest.name, self.ttl)

    def exists(self, name: str) -> bool:
        """Whether there is a sandbox of that name now (no use, no expiry)."""
        return name == DEFAULT or name in self._named

    def drop(self, name: str) -> bool:
        """Drop a named sandbox; ``False`` when there is none of that name."""
        with self._lock:
            return self._named.pop(name, None) is not None

    def describe(self) -> list[dict[str, Any]]:
        """The default sandbox, then the named ones, oldest first."""
        with self._lock:
            self._expire(self.clock.time())
            named = list(self._named.values())
        return [self.default.describe(),
                *(s.describe() for s in sorted(named, key=lambda s: s.created))]
