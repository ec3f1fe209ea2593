"""The mock's control plane under ``/_mock``: events, reset, clock."""

from __future__ import annotations

from typing import Any

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
