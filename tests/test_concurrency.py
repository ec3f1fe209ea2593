"""Shared state under threads: claims, confirms and registrations in parallel, bounded."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from .conftest import Mock


def test_parallel_registrations_and_claims_keep_state_consistent(mock: Mock) -> None:
    orders = [mock.order(n)["id"] for n in (1, 2, 3, 4)]
    errors: list[str] = []
    lock = threading.Lock()

    def journey(n: int) -> None:
        client = mock.app.test_client()
        email = f"thread{n}@example.com"
        client.post("/store/customers", json={"email": email, "password": "pw"})
        token = client.post("/store/auth/token", json={"email": email, "password": "pw"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        r = client.post("/store/orders/batch/customer/token", headers=headers,
                        json={"order_ids": orders})
        if r.status_code != 200:
            with lock:
                errors.append(f"claim {r.status_code}")
        mine = [e for e in mock.services.outbox.list("order-update-token.created")
                if e["data"]["new_customer_id"] == client.get(
                    "/store/customers/me", headers=headers).json()["customer"]["id"]]
        for event in mine:
            r = client.post("/store/orders/customer/confirm",
                            json={"token": event["data"]["token"]})
            if r.status_code != 200:
                with lock:
                    errors.append(f"confirm {r.status_code}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(journey, range(16)))

    assert errors == []
    customers = mock.services.store.customers
    registered = [c for c in customers.values() if c["email"].startswith("thread")]
    assert len(registered) == 16 and len({c["id"] for c in registered}) == 16
    # Every claimed order ends with exactly one owner, and owner and email agree.
    for order_id in orders:
        order = mock.services.store.orders.get(order_id)
        owner = customers.get(order["customer_id"])
        assert owner["email"] == order["email"]
        assert owner["email"].startswith("thread")
    # Each claim emitted one event per distinct email its orders had at that moment (emails
    # change as other threads confirm), so at least one per claim, and never an unknown order.
    events = mock.services.outbox.list("order-update-token.created")
    assert len(events) >= 16
    assert all(set(e["data"]["orders"]) <= set(orders) for e in events)


def test_concurrent_duplicate_registration_creates_one_account(mock: Mock) -> None:
    def register(_: int) -> int:
        return mock.app.test_client().post(
            "/store/customers", json={"email": "race@example.com", "password": "pw"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(register, range(8)))
    assert sorted(statuses) == [200] + [422] * 7
