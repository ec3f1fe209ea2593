"""Payment collections: read, sessions (single, batch, refresh), authorization (single, batch).
No login is needed, as in Medusa."""

from __future__ import annotations

from typing import Any

from .._context import current
from .._responses import json_response


def _collections() -> Any:
    return current().services.payment_collections


def get_payment_collections_payment_collection(id: str, **query: Any) -> Any:
    collection = _collections().retrieve(id, query.get("fields"), query.get("expand"))
    return json_response({"payment_collection": collection})


def post_payment_collections_sessions(id: str, body: dict[str, Any]) -> Any:
    collection = _collections().set_session(id, body["provider_id"])
    return json_response({"payment_collection": collection})


def post_payment_collections_payment_collection_sessions_batch(
        id: str, body: dict[str, Any]) -> Any:
    collection = _collections().set_sessions(id, body["sessions"])
    return json_response({"payment_collection": collection})


def post_payment_collections_sessions_batch_authorize(
        id: str, body: dict[str, Any]) -> Any:
    collection = _collections().authorize(id, list(body["session_ids"]))
    return json_response({"payment_collection": collection})


def post_payment_collections_payment_collection_payment_sessions_session(
        id: str, session_id: str) -> Any:
    return json_response({"payment_session": _collections().refresh_session(id, session_id)})


def post_payment_collections_sessions_session_authorize(id: str,
                                                        session_id: str) -> Any:
    return json_response({"payment_session": _collections().authorize_session(id, session_id)})
