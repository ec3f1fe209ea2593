"""The mock's control plane under ``/_mock``: events, reset, clock, saved states, sandboxes.

Every route acts on the sandbox the request chose (``_sandboxes.py``)."""

from __future__ import annotations

from typing import Any

from ..._domain.errors import ErrorType, MedusaError
from .._context import current
from .._responses import json_response
from .._sandboxes import DEFAULT, Sandboxes


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


# -- saved states ------------------------------------------------------------------------------
def get_state() -> Any:
    ctx = current()
    name = ctx.selection.sandbox.name if ctx.selection is not None else None
    return json_response(ctx.services.export_state(
        sandbox=None if name in (None, DEFAULT) else name))


def replace_state(body: Any) -> Any:
    services = current().services
    services.import_state(body)
    return json_response({"imported": True, "records": services.record_counts()})


def save_state() -> Any:
    path = current().services.save_state()
    return json_response({"saved": True, "path": str(path)})


# -- sandboxes ---------------------------------------------------------------------------------
def _registry() -> Sandboxes:
    selection = current().selection
    assert selection is not None  # the sandbox middleware chooses one for every request
    return selection.registry


def list_sandboxes() -> Any:
    return json_response({"sandboxes": _registry().describe()})


def delete_sandbox(name: str) -> Any:
    if name == DEFAULT:
        raise MedusaError(ErrorType.NOT_ALLOWED, "The default sandbox cannot be dropped "
                          "(POST /_mock/reset resets it)")
    if not _registry().drop(name):
        raise MedusaError(ErrorType.NOT_FOUND, f"Sandbox with name {name} was not found")
    return json_response({"id": name, "object": "sandbox", "deleted": True})
