"""Responses shaped like Express's: ``res.json``, ``res.sendStatus`` and Medusa's errors."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response

from ._errors import JSON_CONTENT_TYPE, TEXT_CONTENT_TYPE, dumps, error_body
from ._etag import send_status_etag


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status=status, content_type=JSON_CONTENT_TYPE)


def send_status(status: int) -> Response:
    """Express's ``res.sendStatus``: the reason phrase as text/plain (nothing for 204)."""
    if status == 204:
        response = Response(b"", status=204)
        response.headers.pop("Content-Type", None)
        # res.send hashed the phrase before dropping the body for a 204
        response.headers["ETag"] = send_status_etag(HTTPStatus(204).phrase)
        return response
    return Response(HTTPStatus(status).phrase, status=status, content_type=TEXT_CONTENT_TYPE)


def error_response(error_type: str | None, message: str, code: str | None = None) -> Response:
    status, body = error_body(error_type, message, code)
    return json_response(body, status)
