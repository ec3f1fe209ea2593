"""Per-request context, carried in the ASGI scope under :data:`SCOPE_KEY`."""

from __future__ import annotations

from dataclasses import dataclass

from .._domain.services import Services
from ._session import RequestSession

SCOPE_KEY = "medusa_mock"


@dataclass
class RequestContext:
    services: Services
    session: RequestSession
    customer_id: str | None = None
    """The customer this request acts for (session first, then bearer), like Medusa's req.user."""
    auth_via: str | None = None
    cacheable: bool = False
    """Set by a handler whose answer depends on the request and the store only (no clock, no
    randomness, no writes): its 200s may be replayed by the answer cache."""


def current() -> RequestContext:
    """The context of the request being handled (for handlers running inside Connexion)."""
    from connexion.context import scope

    return scope[SCOPE_KEY]
