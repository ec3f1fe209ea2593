"""The one place that maps Medusa error types to HTTP responses.

Mirrors Medusa's ``api/middlewares/error-handler.ts``: a known type keeps its message and gets its
status; anything else becomes 500 ``unknown_error`` with Medusa's generic message.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from .._domain.errors import ErrorType, MedusaError

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
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"


def error_body(error_type: str | None, message: str,
               code: str | None = None) -> tuple[int, dict[str, Any]]:
    """Status and body for an error of ``error_type`` (and the error's own ``code``, if any), as
    Medusa's error handler builds them."""
    if error_type not in STATUS_BY_TYPE:
        return 500, dict(UNKNOWN_ERROR)
    body: dict[str, Any] = {"type": str(error_type), "message": message}
    code = CODE_BY_TYPE.get(error_type, code)
    if code is not None:
        body = {"code": code, **body}
    if code == "invalid_state_error":
        body["message"] = CONFLICT_MESSAGE
    return STATUS_BY_TYPE[error_type], body


# The type an answer of the mock's own (a fault rule, a refused control request) names for a
# status: Medusa's own where Medusa answers that status, else the closest one.
_TYPE_BY_STATUS: dict[int, str] = {
    400: ErrorType.INVALID_DATA,
    401: ErrorType.UNAUTHORIZED,
    403: ErrorType.NOT_ALLOWED,
    404: ErrorType.NOT_FOUND,
    405: ErrorType.NOT_ALLOWED,
    409: ErrorType.CONFLICT,
    422: ErrorType.PAYMENT_AUTHORIZATION_ERROR,
}


def status_error_body(status: int, message: str) -> dict[str, Any]:
    """Medusa's error shape for an answer of ``status`` the mock gives on its own: the body of
    the error type Medusa answers with that status (for a status no type has, the nearest:
    ``not_allowed`` for 403 and 405, ``invalid_data`` for another 4xx, Medusa's unknown error
    for a 5xx)."""
    if status >= 500:
        return dict(UNKNOWN_ERROR)
    error_type = _TYPE_BY_STATUS.get(status, ErrorType.INVALID_DATA)
    return {"type": str(error_type), "message": message}


def errors_body(error_type: str, errors: list[MedusaError]) -> tuple[int, dict[str, Any]]:
    """Status and body of several errors answered at once (``{"errors": [...]}``, each with its
    message, type and code) as one error of ``error_type``."""
    return STATUS_BY_TYPE[error_type], {"errors": [
        {"message": e.message, "type": str(e.type),
         **({"code": e.code} if e.code is not None else {})} for e in errors]}


def _finite(value: Any) -> Any:
    """``JSON.stringify`` writes ``NaN`` and ``Infinity`` as ``null``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps(body: Any) -> bytes:
    """JSON as Express's ``res.json`` writes it (``JSON.stringify``): compact, UTF-8, non-finite
    numbers as ``null`` and a lone surrogate (a client may send ``"\\ud800"``) as an escape
    (quirk ``text-stored-as-sent``)."""
    try:
        return orjson.dumps(body)  # the same compact UTF-8; NaN and Infinity become null
    except (orjson.JSONEncodeError, TypeError):
        pass  # a lone surrogate, an integer past 64 bits, a key that is not a string
    try:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(body), separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(_escape_surrogate, text).encode("utf-8")
