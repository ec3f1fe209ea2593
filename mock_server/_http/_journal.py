"""The request journal as ``GET /_mock/requests`` shows it: entries formatted when read.

The middleware (``_middleware/journal.py``) records references only; here an entry becomes
JSON: its operation (``_operations.py``), its time on the mock's clock, the bodies decoded (JSON
where they parse, text otherwise, nothing for binary answers), each cut at :data:`BODY_LIMIT`
bytes (``..._truncated`` says so), and the filters of the query applied.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from .._domain.errors import ErrorType, MedusaError
from .._state.clock import to_iso
from .._state.journal import RequestJournal
from ._operations import operation_id

BODY_LIMIT = 16384
"""Bytes of each request and response body the journal keeps."""
_TEXT_TYPES = re.compile(r"^(text/|application/(.*[+/])?(json|xml|x-www-form-urlencoded))")


def _body(raw: bytes, content_type: str | None) -> tuple[Any, bool]:
    truncated = len(raw) >= BODY_LIMIT
    if not raw:
        return None, False
    if content_type is not None and not _TEXT_TYPES.match(content_type):
        return None, truncated
    text = raw.decode("utf-8", errors="replace")
    if not truncated:
        try:
            return json.loads(text), False
        except ValueError:
            pass
    return text, truncated


def entry_view(entry: tuple[Any, ...]) -> dict[str, Any]:
    (entry_id, at, method, path, query, status, duration, request_body, response_body,
     raw_type, sandbox, fault) = entry
    request, request_cut = _body(request_body, None)
    content_type = raw_type.decode("latin-1") if raw_type is not None else None
    response, response_cut = _body(response_body, content_type)
    return {
        "id": entry_id, "time": to_iso(at), "method": method, "path": path,
        "query": query.decode("latin-1"), "operation_id": operation_id(method, path),
        "status": status, "duration_ms": round(duration * 1000, 3),
        "request_body": request, "request_body_truncated": request_cut,
        "response_content_type": content_type,
        "response_body": response, "response_body_truncated": response_cut,
        "sandbox": sandbox, "fault": fault,
    }


def _since(value: str) -> tuple[str, float]:
    if value.isdigit():
        return "id", float(value)
    try:
        return "time", datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise MedusaError(ErrorType.INVALID_DATA,
                          f"since {value!r} is neither an entry id nor an ISO 8601 time"
                          ) from None


def list_entries(journal: RequestJournal, *, operation: str | None = None,
                 method: str | None = None, status: str | None = None,
                 since: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The entries that pass every filter given, oldest first (the newest ``limit`` of them):
    ``status`` is a status (``404``) or a class (``4xx``); ``since`` an entry id (entries after
    it) or a time (entries received at or after it)."""
    entries = journal.entries()
    if since is not None:
        kind, bound = _since(since)
        entries = [e for e in entries if (e[0] > bound if kind == "id" else e[1] >= bound)]
    if method is not None:
        entries = [e for e in entries if e[2] == method.upper()]
    if status is not None:
        if status.lower().endswith("xx"):
            entries = [e for e in entries if e[5] is not None and e[5] // 100 == int(status[0])]
        else:
            entries = [e for e in entries if e[5] == int(status)]
    if operation is not None:
        entries = [e for e in entries if operation_id(e[2], e[3]) == operation]
    if limit is not None:
        entries = entries[-limit:] if limit > 0 else []
    return [entry_view(e) for e in entries]
