"""Order edits: read, decline, complete (no login needed; a logged-in customer is recorded as
the one who declined or confirmed)."""

from __future__ import annotations

from typing import Any

from .._context import current
from .._responses import json_response


def get_order_edits_order_edit(id: str, **_query: Any) -> Any:
    return json_response({"order_edit": current().services.order_edits.retrieve(id)})


def post_order_edits_order_edit_complete(id: str) -> Any:
    ctx = current()
    return json_response({"order_edit": ctx.services.order_edits.complete(id, ctx.customer_id)})


def post_order_edits_order_edit_decline(id: str,
                                        body: dict[str, Any] | None = None) -> Any:
    ctx = current()
    reason = (body or {}).get("declined_reason")
    return json_response({"order_edit": ctx.services.order_edits.decline(
        id, reason, ctx.customer_id)})
