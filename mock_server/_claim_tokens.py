"""Claim tokens as Medusa signs them, for every layer that needs one.

``POST /store/orders/batch/customer/token`` e-mails (here: emits as ``order-update-token.created``)
an HS256 JWT signed with the deployment's ``jwt_secret``: ``{claimingCustomerId, orders, iat,
exp}``, ``exp`` being ``iat`` + 15 minutes, and ``POST /store/orders/customer/confirm`` refuses it
after that (``maxAge`` too). Tools that test a deployment they cannot read the e-mail of (the
contract suite, ``medusa-mock diff``, the benchmark) mint the same token with the same secret.

A leaf module: it imports nothing of the mock, so that the tools, ``bench`` and the contract
suite may use it without importing the server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import jwt
from jwt.algorithms import HMACAlgorithm

CLAIM_TOKEN_TTL = 15 * 60
"""Seconds a claim token is valid (Medusa's ``expiresIn: "15m"``)."""
CLAIM_TOKEN_EVENT = "order-update-token.created"
"""The event that carries a claim token (``GET /_mock/events?name=...`` on the mock)."""

_HS256 = HMACAlgorithm(HMACAlgorithm.SHA256)
# Medusa's development secret is "supersecret": as jsonwebtoken does, sign with any length.
_HS256.check_key_length = lambda key: None  # type: ignore[method-assign]
_SIGNER = jwt.PyJWS(algorithms=[])
_SIGNER.register_algorithm("HS256", _HS256)


def mint_claim_token(secret: str, customer_id: str, order_ids: Sequence[str], *,
                     now: float | None = None) -> str:
    """The claim token Medusa would send ``customer_id`` for ``order_ids``, issued at ``now``
    (epoch seconds; default: the current time)."""
    issued = int(time.time() if now is None else now)
    claims = {"claimingCustomerId": customer_id, "orders": list(order_ids), "iat": issued,
              "exp": issued + CLAIM_TOKEN_TTL}
    return _SIGNER.encode(json.dumps(claims, separators=(",", ":")).encode(), secret,
                          algorithm="HS256")
