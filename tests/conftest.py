"""Shared fixtures: a fresh in-process mock per test, and helpers to act as a storefront."""

from __future__ import annotations

import os

# Every mock the tests start (in-process or served) checks each read-cache hit against a fresh
# computation: a stale answer fails the test that saw it (mock_server/_domain/read_cache.py).
os.environ.setdefault("MEDUSA_MOCK_READ_CACHE", "verify")

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from mock_server import Settings, create_app
from mock_server._domain.tokens import TokenService

JANE = {"email": "jane@example.com", "password": "supersecret"}
SECRET = "supersecret"


@dataclass
class Mock:
    app: Any
    client: Any

    @property
    def services(self) -> Any:
        return self.app.services

    def bearer(self, email: str = JANE["email"], password: str = JANE["password"]) -> dict:
        r = self.client.post("/store/auth/token", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def order(self, display_id: int) -> dict:
        return next(o for o in self.services.store.orders.values()
                    if o["display_id"] == display_id)

    def customer(self, email: str) -> dict:
        return next(c for c in self.services.store.customers.values() if c["email"] == email)

    def events(self, name: str = "order-update-token.created") -> list[dict]:
        r = self.client.get("/_mock/events", params={"name": name})
        assert r.status_code == 200
        return r.json()["events"]

    def mint(self, payload: dict, *, secret: str = SECRET, expires_in: int | None = 900,
             iat_offset: int = 0) -> str:
        """A token signed like Medusa's jsonwebtoken would sign it, at mock time."""
        clock = self.services.clock
        claims = dict(payload)
        claims["iat"] = int(clock.time()) + iat_offset
        return TokenService(secret, clock).sign(claims, expires_in=expires_in)


def make_mock(**settings: Any) -> Mock:
    options: dict[str, Any] = {"validate_responses": True, "id_seed": 7}
    options.update(settings)
    app = create_app(Settings(**options))
    return Mock(app=app, client=app.test_client())


@pytest.fixture
def mock() -> Iterator[Mock]:
    yield make_mock()
