"""Whole answers of the catalog's pure reads, replayed while the store is unchanged.

The domain's read cache (``_domain/read_cache.py``) spares the catalog's computation; this one
spares the rest of the pipeline for a request seen before: the same method, path, query and
headers, acting for the same customer (cookies and credentials count only through the customer
they resolve to). Only answers of handlers that declare themselves pure (``RequestContext.
cacheable``: their answer is a function of the request and the store) are kept, only 200s, and
only while the store's generation has not moved (see ``Store.generation``): what is replayed is
the answer the pipeline gave to that request in that state. What the outer middleware adds per
request (session cookie, CORS, ``X-Powered-By``, gzip) is still added per request.

Modes follow ``Settings.read_cache``: ``off``; ``on``; ``verify``, where a hit runs the pipeline
anyway and a replay that differs from the fresh answer becomes a 500 naming the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.types import Scope

from .._domain.read_cache import ReadCache
from .._state.store import Store

_PER_CUSTOMER = frozenset({b"cookie", b"authorization"})


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class AnswerCache(ReadCache):
    """The domain's read cache (its generation rule, ``lookup`` and ``remember``), keyed by
    requests and holding :class:`Answer` s."""

    def __init__(self, store: Store, mode: str = "on", max_entries: int = 256) -> None:
        super().__init__(store, mode, max_entries)

    def key(self, scope: Scope, customer_id: str | None) -> Any:
        """The request's identity for replay, or ``None`` when it is never replayed."""
        if self.mode == "off" or scope["method"] != "GET":
            return None
        headers = tuple(h for h in scope["headers"] if h[0] not in _PER_CUSTOMER)
        return (scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape"),
                scope.get("query_string", b""), customer_id, headers)
