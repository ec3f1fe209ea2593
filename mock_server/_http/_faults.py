"""Fault rules as the control plane takes and shows them (``POST``/``GET /_mock/faults``).

A rule names the requests it takes (an ``operation`` of the Store document, or a ``path``
pattern with an optional ``method``) and what happens to them: ``status`` (with ``body`` and
``headers``) answers instead of the mock, ``delay_ms`` waits first, ``drop`` closes the
connection without an answer; ``times`` and ``probability`` limit how many it takes. The rules
themselves live in ``_state/faults.py`` (one set per service container); the middleware that
applies them is ``_middleware/faults.py``.

A path pattern is the path with ``*`` for any characters within a segment, ``**`` for any
characters at all, and ``{name}`` (as the document writes parameters) for one whole segment.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from .._domain.errors import ErrorType, MedusaError
from .._state.faults import FaultRule, Faults
from ._errors import JSON_CONTENT_TYPE, dumps, status_error_body
from ._operations import is_control, operation_ids, path_pattern

FAULT_HEADER = b"x-medusa-mock-fault"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


def _invalid(message: str) -> MedusaError:
    return MedusaError(ErrorType.INVALID_DATA, message)


def add_rule(faults: Faults, spec: dict[str, Any]) -> FaultRule:
    """Add a rule the document's schema has checked already; the checks between fields here
    (a :class:`MedusaError` of type ``invalid_data`` for a rule that cannot be applied)."""
    operation, path = spec.get("operation"), spec.get("path")
    if (operation is None) == (path is None):
        raise _invalid("a fault rule takes either an operation or a path (with an optional "
                       "method)")
    if operation is not None and "method" in spec:
        raise _invalid("an operation names its method: give a method only with a path")
    if operation is not None and operation not in operation_ids():
        raise _invalid(f"no operation of the Store document is named {operation!r}")
    if path is not None and not path.startswith("/"):
        raise _invalid(f"the path pattern {path!r} does not start with /")
    if path is not None and is_control(path):
        raise _invalid("the control plane (/_mock) takes no faults")
    status, drop = spec.get("status"), spec.get("drop", False)
    if status is None and not drop and not spec.get("delay_ms"):
        raise _invalid("a fault rule needs a status, drop or delay_ms")
    if drop and status is not None:
        raise _invalid("a dropped connection has no status: give either drop or status")
    if status is None and ("body" in spec or "headers" in spec):
        raise _invalid("body and headers need a status")
    for name, value in (spec.get("headers") or {}).items():
        if not _TOKEN.fullmatch(name) or not _VALUE.fullmatch(str(value)):
            raise _invalid(f"the header {name!r}: {str(value)!r} cannot be sent (a header "
                           f"name is a token, a value Latin-1 text without line breaks)")
    rule = faults.add(spec, method=spec.get("method"),
                      path=path_pattern(path) if path is not None else None,
                      operation=operation, times=spec.get("times"),
                      probability=spec.get("probability"))
    if status is not None:
        rule.extra["answer"] = _answer(rule, status)
    return rule


def _answer(rule: FaultRule, status: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    spec = rule.spec
    headers = [(str(k).lower().encode("latin-1"), str(v).encode("latin-1"))
               for k, v in (spec.get("headers") or {}).items()]
    names = {k for k, _ in headers}
    if "body" in spec:
        body = spec["body"]
        payload = body.encode() if isinstance(body, str) else dumps(body)
        if isinstance(body, str) and b"content-type" not in names:
            headers.append((b"content-type", b"text/plain; charset=utf-8"))
    elif status >= 400:
        payload = dumps(status_error_body(
            status, f"{_phrase(status)} (medusa-mock fault {rule.id})"))
    else:
        payload = b""
    if payload and not any(k == b"content-type" for k, _ in headers):
        headers.append((b"content-type", JSON_CONTENT_TYPE.encode()))
    headers = [h for h in headers if h[0] not in (b"content-length", FAULT_HEADER)]
    headers += [(b"content-length", str(len(payload)).encode()),
                (FAULT_HEADER, rule.id.encode())]
    return status, headers, payload


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Status {status}"


def rule_view(rule: FaultRule) -> dict[str, Any]:
    return {"id": rule.id, **rule.spec, "hits": rule.hits, "remaining": rule.remaining,
            "created_at": rule.created_at}
