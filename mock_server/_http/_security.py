"""Security functions the document names (``x-apikeyInfoFunc``, ``x-bearerInfoFunc``).

The outer middleware has already resolved who is acting (session first, then bearer, as passport
does); these only tell Connexion whether that worked for the scheme it is checking.
"""

from __future__ import annotations

from typing import Any

from ._context import SCOPE_KEY


def _acting(request: Any, via: str) -> dict[str, Any] | None:
    context = request.scope.get(SCOPE_KEY)
    if context is not None and context.customer_id and context.auth_via == via:
        return {"sub": context.customer_id}
    return None


def session_cookie(api_key: str, required_scopes: Any = None, request: Any = None) -> Any:
    return _acting(request, "session")


def bearer_token(token: str, required_scopes: Any = None, request: Any = None) -> Any:
    return _acting(request, "bearer")
