"""JSON Web Tokens signed and checked the way Medusa's ``jsonwebtoken`` calls do.

``sign`` puts ``iat`` (and ``exp`` when asked) after the payload's own keys; ``verify`` accepts only
HMAC algorithms, checks ``exp`` and an optional ``max_age`` against ``iat``, and reads the time from
the injectable clock, so expiry is testable without sleeping.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
from jwt.algorithms import HMACAlgorithm

from .._state.clock import Clock

_HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"]


class _AnyLengthHMAC(HMACAlgorithm):
    """HMAC that accepts short secrets: Medusa's development default is ``supersecret``."""

    def check_key_length(self, key: bytes) -> str | None:
        return None


_JWS = jwt.PyJWS(algorithms=[])
for _name, _hash in (("HS256", HMACAlgorithm.SHA256), ("HS384", HMACAlgorithm.SHA384),
                     ("HS512", HMACAlgorithm.SHA512)):
    _JWS.register_algorithm(_name, _AnyLengthHMAC(_hash))


class TokenError(Exception):
    """A token that ``jsonwebtoken.verify`` would reject (bad format, signature or age)."""


class TokenService:
    def __init__(self, secret: str, clock: Clock) -> None:
        self.secret = secret
        self.clock = clock

    def sign(self, payload: dict[str, Any], *, expires_in: int | None = None,
             secret: str | None = None) -> str:
        claims = dict(payload)
        iat = int(self.clock.time())
        claims.setdefault("iat", iat)
        if expires_in is not None:
            claims["exp"] = claims["iat"] + expires_in
        body = json.dumps(claims, separators=(",", ":")).encode()
        return _JWS.encode(body, secret if secret is not None else self.secret, algorithm="HS256")

    def verify(self, token: str, *, max_age: int | None = None,
               secret: str | None = None) -> dict[str, Any]:
        try:
            body = _JWS.decode(token, secret if secret is not None else self.secret,
                               algorithms=_HMAC_ALGORITHMS)
            claims = json.loads(body)
        except (jwt.PyJWTError, ValueError) as exc:
            raise TokenError(str(exc)) from None
        if not isinstance(claims, dict):
            raise TokenError("jwt payload is not an object")
        now = self.clock.time()
        exp = claims.get("exp")
        if exp is not None:
            if not isinstance(exp, int | float) or isinstance(exp, bool):
                raise TokenError("invalid exp value")
            if now >= exp:
                raise TokenError("jwt expired")
        nbf = claims.get("nbf")
        if nbf is not None and isinstance(nbf, int | float) and now < nbf:
            raise TokenError("jwt not active")
        if max_age is not None:
            iat = claims.get("iat")
            if not isinstance(iat, int | float) or isinstance(iat, bool):
                raise TokenError("iat required when maxAge is specified")
            if now >= iat + max_age:
                raise TokenError("maxAge exceeded")
        return claims
