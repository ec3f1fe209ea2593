"""Errors the domain raises, named as Medusa names them (``MedusaError.Types``).

The HTTP layer turns them into responses; the status for each type lives in one place,
``mock_server._http._errors``.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorType(StrEnum):
    DB_ERROR = "database_error"
    DUPLICATE_ERROR = "duplicate_error"
    INVALID_ARGUMENT = "invalid_argument"
    INVALID_DATA = "invalid_data"
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    UNEXPECTED_STATE = "unexpected_state"
    CONFLICT = "conflict"
    PAYMENT_AUTHORIZATION_ERROR = "payment_authorization_error"


class MedusaError(Exception):
    """An error of one of Medusa's types, with the message Medusa would send."""

    def __init__(self, type: ErrorType, message: str,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.type = type
        self.message = message
        self.code = code  # Medusa's ``MedusaError.Codes`` (``insufficient_inventory``, ...)


class MedusaErrors(Exception):
    """Several errors answered at once (Medusa's ``{"errors": [...]}``), as one error of
    ``type``."""

    def __init__(self, type: ErrorType, errors: list[MedusaError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.type = type
        self.errors = errors


class UnexpectedError(Exception):
    """A failure that is not a ``MedusaError``: Medusa answers ``unknown_error``.

    Raised on purpose where Medusa lets a library error escape (see the quirks registry).
    """

    def __init__(self, detail: str, quirk: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.quirk = quirk


class NotAuthenticated(Exception):
    """The request carries no usable customer credential where one is required."""


def not_found(entity: str, **selector: object) -> MedusaError:
    """Medusa's "<Entity> with <key>: <value> was not found" message."""
    constraints = ", ".join(f"{key}: {value}" for key, value in selector.items())
    return MedusaError(ErrorType.NOT_FOUND, f"{entity} with {constraints} was not found")
