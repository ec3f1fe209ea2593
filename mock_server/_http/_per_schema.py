"""Objects built once per schema (a validator for each schema dict of the documents)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class PerSchema(Generic[T]):
    """``build(schema)`` once per schema dict, found again by the dict's ``id``.

    Each entry keeps its schema alive beside what was built from it, so that id is never handed
    to another dict while the entry lives (a freed schema's id, reused by another app's
    document, once found the wrong validator); the identity check says so where it is used."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self._build = build
        self._known: dict[int, tuple[Any, T]] = {}

    def __call__(self, schema: Any) -> T:
        known = self._known.get(id(schema))
        if known is None or known[0] is not schema:
            known = self._known[id(schema)] = (schema, self._build(schema))
        return known[1]
