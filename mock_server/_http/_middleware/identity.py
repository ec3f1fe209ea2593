"""The acting customer, as passport resolves Medusa's ``req.user``: the session's customer
first, else a bearer JWT signed with ``jwt_secret`` whose ``domain`` is ``store``. Anything else
(no credential, a bad or foreign token) leaves the request anonymous: routes that need a customer
answer passport's 401 later (Connexion's security stage)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ..._domain.tokens import TokenError, TokenService
from .._context import SCOPE_KEY, RequestContext
from ._asgi import header, services_of


class IdentityMiddleware:
    def __init__(self, app: ASGIApp, tokens: TokenService) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self._identify(scope, scope[SCOPE_KEY])
        await self.app(scope, receive, send)

    def _identify(self, scope: Scope, context: RequestContext) -> None:
        customer_id = context.session.data.get("customer_id")
        if customer_id:
            context.customer_id, context.auth_via = customer_id, "session"
            return
        authorization = header(scope, b"authorization")
        if not authorization:
            return
        kind, _, token = authorization.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            return
        services = services_of(scope, None)  # its clock decides whether a token has expired
        tokens: TokenService = services.tokens if services is not None else self.tokens
        try:
            claims = tokens.verify(token.strip())
        except TokenError:
            return
        if claims.get("domain") == "store" and claims.get("customer_id"):
            context.customer_id, context.auth_via = claims["customer_id"], "bearer"
