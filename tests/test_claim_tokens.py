"""Claim tokens minted in one place (``mock_server._claim_tokens``), as Medusa signs them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from mock_server._claim_tokens import CLAIM_TOKEN_EVENT, CLAIM_TOKEN_TTL, mint_claim_token
from mock_server._domain import orders
from mock_server._domain.tokens import TokenService
from mock_server._state.clock import Clock

from .conftest import Mock


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_minted_claim_token_is_what_medusa_signs() -> None:
    token = mint_claim_token("supersecret", "cus_1", ["order_1"], now=1_700_000_000)
    header, payload, signature = token.split(".")
    assert json.loads(_b64decode(header)) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(_b64decode(payload)) == {
        "claimingCustomerId": "cus_1", "orders": ["order_1"], "iat": 1_700_000_000,
        "exp": 1_700_000_900}
    expected = hmac.new(b"supersecret", f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert _b64decode(signature) == expected


def test_the_domain_signs_with_the_same_ttl_and_the_same_bytes() -> None:
    assert orders.CLAIM_TOKEN_TTL == CLAIM_TOKEN_TTL == 15 * 60
    assert orders.CLAIM_TOKEN_EVENT == CLAIM_TOKEN_EVENT
    clock = Clock(frozen_at=1_700_000_123.0)
    domain = TokenService("supersecret", clock).sign(
        {"claimingCustomerId": "cus_1", "orders": ["order_1", "order_2"]},
        expires_in=orders.CLAIM_TOKEN_TTL)
    assert mint_claim_token("supersecret", "cus_1", ("order_1", "order_2"),
                            now=clock.time()) == domain


def test_a_minted_token_confirms_a_claim_on_the_mock(mock: Mock) -> None:
    bearer = mock.bearer()
    jane = mock.customer("jane@example.com")
    order = mock.order(1)
    token = mint_claim_token("supersecret", jane["id"], [order["id"]],
                             now=mock.services.clock.time())
    r = mock.client.post("/store/orders/customer/confirm", json={"token": token}, headers=bearer)
    assert r.status_code == 200, r.text
    assert mock.order(1)["customer_id"] == jane["id"]
