"""Which operation of the Store document a request is, known before Connexion routes it.

Fault rules name operations, and the request journal shows them, for requests the router never
sees (the answer cache replays without routing; a fault answers first). The table is the
document's own (``_spec.routes``), matched as Connexion's Starlette router matches it: paths in
the document's order, a ``{parameter}`` standing for one segment, the first path and method that
both match winning (``HEAD`` is a ``GET``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from .._spec import routes


def is_control(path: str) -> bool:
    """A path of the control plane (``/_mock``)."""
    return path == "/_mock" or path.startswith("/_mock/")


def path_pattern(pattern: str) -> re.Pattern[str]:
    """A path template as a regular expression: ``{parameter}`` is one segment, and (in fault
    rules) ``*`` any part of one segment, ``**`` anything."""
    parts = re.split(r"(\*\*|\*|\{[^}/]*\})", pattern)
    regex = "".join(".*" if part == "**" else "[^/]*" if part == "*"
                    else "[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(regex, re.DOTALL)


@cache
def _table() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    return tuple((method, path_pattern(template), operation["operationId"])
                 for method, template, operation in routes())


@lru_cache(maxsize=4096)
def operation_id(method: str, path: str) -> str | None:
    """The operationId of the Store document that ``method path`` is routed to, if any."""
    method = "GET" if method == "HEAD" else method
    for route_method, pattern, operation in _table():
        if route_method == method and pattern.fullmatch(path):
            return operation
    return None


def operation_ids() -> frozenset[str]:
    return frozenset(operation for _, _, operation in _table())
