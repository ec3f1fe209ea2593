"""Per-request context, carried in the ASGI scope under :data:`SCOPE_KEY`.

The session middleware creates it; the identity middleware fills in the customer; handlers read
it (:func:`current`) and mark pure answers; the answer cache and CORS middlewares read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._domain.errors import ErrorType, MedusaError
from .._domain.services import Services
from ._session import RequestSession

if TYPE_CHECKING:
    from ._sandboxes import Selection

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
    before_router: bool = False
    """Set by the body middleware when it answered itself (body-parser's errors come before
    Medusa's store router, so without its CORS headers)."""
    selection: Selection | None = None
    """The sandbox serving the request, how it was chosen, and the registry of sandboxes
    (``_sandboxes.py``); ``services`` are that sandbox's."""

    @property
    def customer(self) -> str:
        """The acting customer's id, on a route whose security requires one (Connexion's
        security stage has answered passport's 401 already when there is none)."""
        if self.customer_id is None:
            raise MedusaError(ErrorType.UNAUTHORIZED, "Unauthorized")
        return self.customer_id


def current() -> RequestContext:
    """The context of the request being handled (for handlers running inside Connexion)."""
    from connexion.context import scope

    return scope[SCOPE_KEY]
