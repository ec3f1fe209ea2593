"""Returns: a customer sends items of an order back."""

from __future__ import annotations

from typing import Any

from .. import _query
from .._context import current
from .._responses import json_response


def idempotent(body: dict[str, Any], key: str) -> Any:
    """An answer of a route that runs under an idempotency key, with the key in its headers."""
    response = json_response(body)
    response.headers["Access-Control-Expose-Headers"] = "Idempotency-Key"
    response.headers["Idempotency-Key"] = key
    return response


def post_returns(body: dict[str, Any]) -> Any:
    services = current().services
    key = _query.header("idempotency-key") or services.ids.uuid4()
    ret = services.returns.create_return(body, idempotency_key=key)
    return idempotent({"return": ret}, key)
