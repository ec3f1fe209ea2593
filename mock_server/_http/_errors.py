"""The one place that maps Medusa error types to HTTP responses.

Mirrors Medusa's ``api/middlewares/error-handler.ts``: a known type keeps its message and gets its
status; anything else becomes 500 ``unknown_error`` with Medusa's generic message.
"""

from __future__ import annotations

import json
from typing import Any

from .._domain.errors import ErrorType

STATUS_BY_TYPE: dict[str, int] = {
    "QueryRunnerAlreadyReleasedError": 409,
    "TransactionAlreadyStartedError": 409,
    "TransactionNotStartedError": 409,
    ErrorType.CONFLICT: 409,
    ErrorType.UNAUTHORIZED: 401,
    ErrorType.PAYMENT_AUTHORIZATION_ERROR: 422,
    ErrorType.DUPLICATE_ERROR: 422,
    ErrorType.NOT_ALLOWED: 400,
    ErrorType.INVALID_DATA: 400,
    ErrorType.NOT_FOUND: 404,
    ErrorType.DB_ERROR: 500,
    ErrorType.UNEXPECTED_STATE: 500,
    ErrorType.INVALID_ARGUMENT: 500,
}
# Types whose ``code`` Medusa overrides (it also rewrites the conflict message).
CODE_BY_TYPE: dict[str, str] = {
    ErrorType.CONFLICT: "invalid_state_error",
    "QueryRunnerAlreadyReleasedError": "invalid_state_error",
    "TransactionAlreadyStartedError": "invalid_state_error",
    "TransactionNotStartedError": "invalid_state_error",
    ErrorType.DUPLICATE_ERROR: "invalid_request_error",
    ErrorType.DB_ERROR: "api_error",
}
CONFLICT_MESSAGE = (
    "The request conflicted with another request. You may retry the request with the provided "
    "Idempotency-Key."
)
UNKNOWN_ERROR = {
    "code": "unknown_error",
    "type": "unknown_error",
    "message": "An unknown error occurred.",
}
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"


def error_body(error_type: str | None, message: str) -> tuple[int, dict[str, Any]]:
    """Status and body for an error of ``error_type``, as Medusa's error handler builds them."""
    if error_type not in STATUS_BY_TYPE:
        return 500, dict(UNKNOWN_ERROR)
    body: dict[str, Any] = {"type": str(error_type), "message": message}
    code = CODE_BY_TYPE.get(error_type)  # type: ignore[arg-type]
    if code is not None:
        body = {"code": code, **body}
    if code == "invalid_state_error":
        body["message"] = CONFLICT_MESSAGE
    return STATUS_BY_TYPE[error_type], body  # type: ignore[index]


def dumps(body: Any) -> bytes:
    """JSON as Express's ``res.json`` writes it: compact, UTF-8."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
