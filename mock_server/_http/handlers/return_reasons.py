"""Return reasons: the top-level reasons with their children, and one reason."""

from __future__ import annotations

from typing import Any

from .._context import current
from .._responses import json_response


def get_return_reasons() -> Any:
    return json_response({"return_reasons": current().services.catalog.list_return_reasons()})


def get_return_reasons_reason(id: str) -> Any:
    reason = current().services.catalog.retrieve_return_reason(id)
    return json_response({"return_reason": reason})
