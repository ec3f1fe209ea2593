"""Swaps: items of an order exchanged for other variants, paid through a cart."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response
from .returns import idempotent


def post_swaps(body: dict[str, Any]) -> Any:
    services = current().services
    key = _query.header("idempotency-key") or services.ids.uuid4()
    swap = services.returns.create_swap(body, idempotency_key=key)
    return idempotent({"swap": swap}, key)


def get_swaps_swap_cart_id(cart_id: str) -> Any:
    return json_response({"swap": current().services.returns.swap_by_cart(cart_id)})
