"""The mock's control plane under ``/_mock``: events, inbox, reset, clock, faults, the request
journal and the web console."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from flask import Response

from ..._domain.errors import ErrorType, MedusaError
from .. import _faults, _journal
from .._context import current
from .._responses import json_response


def list_events(name: str | None = None) -> Any:
    return json_response({"events": current().services.outbox.list(name)})


def reset_state() -> Any:
    current().services.reset()
    return json_response({"reset": True})


def _clock() -> Any:
    clock = current().services.clock
    return json_response({"now": clock.iso(), "offset_seconds": clock.offset})


def get_clock() -> Any:
    return _clock()


def advance_clock(body: dict[str, Any]) -> Any:
    current().services.clock.advance(float(body["advance_seconds"]))
    return _clock()


# -- the inbox -------------------------------------------------------------------------------
# The Store API request that acts on a message (the console's button sends it); a ``None`` in
# the body is for the user to fill in.
_REQUESTS = {
    "confirm-claim": ("Confirm the claim", "/store/orders/customer/confirm",
                      lambda m: {"token": m["token"]}),
    "reset-password": ("Reset the password", "/store/customers/password-reset",
                       lambda m: {"email": m["to"], "token": m["token"], "password": None}),
}


def list_inbox() -> Any:
    messages = current().services.inbox.messages()
    for message in messages:
        if message.get("action") in _REQUESTS:
            label, path, body = _REQUESTS[message["action"]]
            message["request"] = {"label": label, "method": "POST", "path": path,
                                  "body": body(message)}
    return json_response({"messages": messages})


# -- faults ----------------------------------------------------------------------------------
def list_faults() -> Any:
    rules = current().services.faults.list()
    return json_response({"faults": [_faults.rule_view(r) for r in rules]})


def add_fault(body: dict[str, Any]) -> Any:
    rule = _faults.add_rule(current().services.faults, body)
    return json_response({"fault": _faults.rule_view(rule)}, 201)


def clear_faults() -> Any:
    faults = current().services.faults
    count = len(faults.list())
    faults.clear()
    return json_response({"deleted": count})


def remove_fault(id: str) -> Any:
    if not current().services.faults.remove(id):
        raise MedusaError(ErrorType.NOT_FOUND, f"Fault rule with id {id} was not found")
    return json_response({"deleted": 1})


# -- the request journal ---------------------------------------------------------------------
def list_requests(operation: str | None = None, method: str | None = None,
                  status: str | None = None, since: str | None = None,
                  limit: int | None = None) -> Any:
    journal = current().services.journal
    entries = _journal.list_entries(journal, operation=operation, method=method,
                                    status=status, since=since, limit=limit)
    return json_response({"requests": entries, "size": journal.capacity})


def clear_requests() -> Any:
    journal = current().services.journal
    count = len(journal.entries())
    journal.clear()
    return json_response({"deleted": count})


# -- the web console -------------------------------------------------------------------------
_CONSOLE_TYPES = {"html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
                  "js": "application/javascript; charset=utf-8", "svg": "image/svg+xml"}


@cache
def _console_file(name: str) -> bytes | None:
    entry = resources.files(__package__.rsplit(".", 1)[0]).joinpath("console", name)
    return entry.read_bytes() if entry.is_file() else None


def _console_response(name: str) -> Response:
    content = _console_file(name)
    if content is None:
        raise MedusaError(ErrorType.NOT_FOUND, f"No console file {name}")
    response = Response(content, status=200, content_type=_CONSOLE_TYPES[name.rsplit(".")[-1]])
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
    return response


def console_page() -> Any:
    return _console_response("index.html")


def console_asset(file: str) -> Any:
    return _console_response(file)
