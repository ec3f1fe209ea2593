"""Fault rules: which requests the HTTP layer answers otherwise (an error, a delay, a dropped
connection), with their hit counts.

The rules are data here; what a rule does to a request is the HTTP layer's
(``_http/_middleware/faults.py``). Randomness (a rule's probability, the latency's jitter) comes
from ``rng`` and waiting from ``sleep``: both injectable, so tests neither guess nor wait.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock


@dataclass
class FaultRule:
    id: str
    spec: dict[str, Any]
    """The rule as it was added (echoed by the listing)."""
    created_at: str
    method: str | None = None
    path: re.Pattern[str] | None = None
    operation: str | None = None
    times: int | None = None
    probability: float | None = None
    hits: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    """What the HTTP layer prepared once for answering (encoded body and headers)."""

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(self.times - self.hits, 0)


class Faults:
    def __init__(self, clock: Clock, seed: int | None = None) -> None:
        self.clock = clock
        self.rng = random.Random(seed)
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
        self._seed = seed
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._rules)

    def add(self, spec: dict[str, Any], **matching: Any) -> FaultRule:
        with self._lock:
            rule = FaultRule(id=f"fault_{next(self._ids)}", spec=spec,
                             created_at=self.clock.iso(), **matching)
            self._rules.append(rule)
            return rule

    def list(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            kept = [r for r in self._rules if r.id != rule_id]
            found = len(kept) != len(self._rules)
            self._rules = kept
            return found

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def reset(self) -> None:
        """No rules, ids from 1 again, the random sequence from its seed again."""
        with self._lock:
            self._rules = []
            self._ids = itertools.count(1)
            self.rng.seed(self._seed)

    def pick(self, method: str, path: str, operation: Callable[[], str | None]
             ) -> FaultRule | None:
        """The first rule (in the order added) that takes this request, its hit counted; a rule
        whose ``times`` are used up takes none, one with a ``probability`` takes each matching
        request with that chance (drawn from ``rng``)."""
        with self._lock:
            for rule in self._rules:
                if rule.times is not None and rule.hits >= rule.times:
                    continue
                if rule.method is not None and rule.method != method:
                    continue
                if rule.path is not None and rule.path.fullmatch(path) is None:
                    continue
                if rule.operation is not None and rule.operation != operation():
                    continue
                if rule.probability is not None and self.rng.random() >= rule.probability:
                    continue
                rule.hits += 1
                return rule
        return None
