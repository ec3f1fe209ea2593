"""Sandboxes: isolated copies of the whole mock, chosen by a header or a path prefix."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Mock, make_mock

HEADER = "X-Medusa-Mock-Sandbox"


class Side:
    """A storefront bound to one sandbox: by the header, or by the path prefix (the base URL a
    storefront would be given)."""

    def __init__(self, mock: Mock, name: str | None, *, by_path: bool) -> None:
        self.client = mock.app.test_client()
        self.name = name
        self.base = f"/_sandbox/{name}" if name and by_path else ""
        self.headers = {HEADER: name} if name and not by_path else {}

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        r = self.client.request(method, self.base + path, headers=headers, **kwargs)
        assert r.status_code == expect, f"{self.name} {method} {path}: {r.status_code} {r.text}"
        return r


def _claim_and_confirm(side: Side, tag: str) -> tuple[str, str]:
    """Register, log in (bearer), claim guest order 1, read the token from this sandbox's
    events, confirm: (customer id, order id)."""
    email = f"{tag}@example.com"
    customer = side.call("POST", "/store/customers",
                         json={"email": email, "password": "pw-" + tag}).json()["customer"]
    token = side.call("POST", "/store/auth/token",
                      json={"email": email, "password": "pw-" + tag}).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    order = side.call("GET", "/store/orders", params={
        "display_id": 1, "email": "guest.one@example.com"}).json()["order"]
    side.call("POST", "/store/orders/batch/customer/token", json={"order_ids": [order["id"]]},
              headers=bearer)
    events = side.call("GET", "/_mock/events",
                       params={"name": "order-update-token.created"}).json()["events"]
    mine = [e for e in events if e["data"]["new_customer_id"] == customer["id"]]
    assert len(mine) == 1, f"{tag} sees claim tokens {events}"
    side.call("POST", "/store/orders/customer/confirm", json={"token": mine[0]["data"]["token"]})
    return customer["id"], order["id"]


def _checkout(side: Side, email: str) -> dict[str, Any]:
    cart = side.call("POST", "/store/carts", json={"region_id": "reg_eu"}).json()["cart"]
    products = side.call("GET", "/store/products", params={"region_id": "reg_eu"}).json()
    variant = next(v["id"] for p in products["products"] if not p["is_giftcard"]
                   for v in p["variants"] if v["inventory_quantity"] > 20)
    cid = cart["id"]
    side.call("POST", f"/store/carts/{cid}/line-items", json={"variant_id": variant,
                                                             "quantity": 1})
    side.call("POST", f"/store/carts/{cid}", json={"email": email, "shipping_address": {
        "first_name": "S", "last_name": "B", "address_1": "Sandweg 1", "city": "Kiel",
        "country_code": "de", "postal_code": "24103"}})
    option = side.call("GET", f"/store/shipping-options/{cid}").json()["shipping_options"][0]
    side.call("POST", f"/store/carts/{cid}/shipping-methods", json={"option_id": option["id"]})
    side.call("POST", f"/store/carts/{cid}/payment-sessions")
    side.call("POST", f"/store/carts/{cid}/payment-session", json={"provider_id": "manual"})
    done = side.call("POST", f"/store/carts/{cid}/complete").json()
    assert done["type"] == "order"
    return dict(done["data"])


def _run_in_threads(jobs: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = jobs[i]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_two_sandboxes_claim_and_check_out_at_once_and_see_nothing_of_each_other() -> None:
    mock = make_mock()
    alice = Side(mock, "alice", by_path=False)
    bob = Side(mock, "bob", by_path=True)

    def journey(side: Side) -> Callable[[], Any]:
        return lambda: (_claim_and_confirm(side, f"claimer-{side.name}"),
                        _checkout(side, f"buyer-{side.name}@example.com"))

    (alice_claim, alice_order), (bob_claim, bob_order) = _run_in_threads(
        [journey(alice), journey(bob)])
    for side, (claimer, order_id), own, other in (
            (alice, alice_claim, alice_order, bob_order),
            (bob, bob_claim, bob_order, alice_order)):
        order = side.call("GET", f"/store/orders/{order_id}").json()["order"]
        assert order["customer_id"] == claimer  # each claimed order 1 for its own customer
        side.call("GET", f"/store/orders/{own['id']}")
        side.call("GET", f"/store/orders/{other['id']}", expect=404)
        events = side.call("GET", "/_mock/events").json()["events"]
        claims = [e for e in events if e["name"] == "order-update-token.created"]
        assert [e["data"]["new_customer_id"] for e in claims] == [claimer]
        placed = [e["data"]["id"] for e in events if e["name"] == "order.placed"]
        assert placed == [own["id"]]
    for email, side in (("claimer-bob@example.com", alice), ("claimer-alice@example.com", bob)):
        side.call("POST", "/store/auth", expect=401, json={"email": email, "password": "x"})
    assert own["display_id"] == other["display_id"] == 7  # each its own counter
    default = Side(mock, None, by_path=False)
    guest = default.call("GET", "/store/orders", params={
        "display_id": 1, "email": "guest.one@example.com"}).json()["order"]
    assert guest["customer_id"] == mock.order(1)["customer_id"] != alice_claim
    assert default.call("GET", "/_mock/events").json()["events"] == []

    # a reset in one sandbox leaves the other as it was
    before = bob.call("GET", "/_mock/state").json()
    alice.call("POST", "/_mock/reset")
    alice.call("GET", f"/store/orders/{alice_order['id']}", expect=404)
    assert alice.call("GET", "/_mock/events").json()["events"] == []
    after = bob.call("GET", "/_mock/state").json()
    assert {k: v for k, v in after.items() if k != "exported_at"} == {
        k: v for k, v in before.items() if k != "exported_at"}
    bob.call("GET", f"/store/orders/{bob_order['id']}")


def test_a_storefront_on_a_sandbox_base_url_keeps_its_own_session_cookie() -> None:
    mock = make_mock()
    bob = Side(mock, "bob", by_path=True)
    r = bob.call("POST", "/store/customers", json={"email": "bob@example.com",
                                                   "password": "pw-bob"})
    assert "; Path=/_sandbox/bob; " in r.headers["set-cookie"]
    me = bob.call("GET", "/store/customers/me").json()["customer"]
    assert me["email"] == "bob@example.com"
    cart = bob.call("POST", "/store/carts", json={}).json()["cart"]
    assert cart["customer_id"] == me["id"]  # the session's customer, in its sandbox
    # the cookie is not sent outside its sandbox's path, and means nothing in another sandbox
    assert bob.client.get("/store/customers/me").status_code == 401
    sid = r.headers["set-cookie"].split(";", 1)[0]
    other = mock.app.test_client()
    assert other.get("/_sandbox/carol/store/customers/me",
                     headers={"Cookie": sid}).status_code == 401
    assert other.get("/store/customers/me", headers={"Cookie": sid}).status_code == 401


def test_a_sandbox_has_its_own_clock() -> None:
    mock = make_mock(frozen_time=1_700_000_000.0)
    alice = Side(mock, "alice", by_path=True)
    moved = alice.call("POST", "/_mock/clock", json={"advance_seconds": 3600}).json()
    assert moved["offset_seconds"] == 3600
    assert mock.client.get("/_mock/clock").json()["offset_seconds"] == 0


@pytest.mark.parametrize(("path", "headers", "message"), [
    ("/_sandbox/bad.name/store/regions", {}, "Invalid sandbox name 'bad.name': 1 to 64 "
                                            "letters, digits, '_' or '-'"),
    ("/_sandbox//store/regions", {}, "Invalid sandbox name '': 1 to 64 letters, digits, "
                                     "'_' or '-'"),
    ("/store/regions", {HEADER: "x" * 65}, f"Invalid sandbox name '{'x' * 65}': 1 to 64 "
                                           "letters, digits, '_' or '-'"),
    ("/store/regions", {HEADER: "a/b"}, "Invalid sandbox name 'a/b': 1 to 64 letters, digits, "
                                        "'_' or '-'"),
    ("/_sandbox/alice/store/regions", {HEADER: "bob"},
     "The sandbox header names 'bob' but the path names 'alice'"),
])
def test_a_bad_sandbox_name_is_a_400_in_medusas_shape(
        mock: Mock, path: str, headers: dict[str, str], message: str) -> None:
    r = mock.client.get(path, headers=headers)
    assert r.status_code == 400
    assert r.json() == {"type": "invalid_data", "message": message}
    assert len(mock.app.sandboxes.describe()) == 1


def test_sandboxes_are_listed_dropped_capped_and_expire() -> None:
    mock = make_mock(max_sandboxes=2, sandbox_ttl=600)
    registry = mock.app.sandboxes
    for name in ("a", "b"):
        Side(mock, name, by_path=False).call("POST", "/store/carts", json={})
    listed = mock.client.get("/_mock/sandboxes").json()["sandboxes"]
    assert [(s["name"], s["default"], s["records"].get("carts")) for s in listed] == [
        ("default", True, None), ("a", False, 1), ("b", False, 1)]
    assert all(s["build_ms"] > 0 for s in listed[1:])
    Side(mock, "a", by_path=True).call("GET", "/store/regions")  # "a" used again
    Side(mock, "c", by_path=False).call("GET", "/store/regions")  # over the cap: "b" goes
    assert [s["name"] for s in registry.describe()] == ["default", "a", "c"]
    r = mock.client.delete("/_mock/sandboxes/a")
    assert r.json() == {"id": "a", "object": "sandbox", "deleted": True}
    assert mock.client.delete("/_mock/sandboxes/a").json() == {
        "type": "not_found", "message": "Sandbox with name a was not found"}
    assert mock.client.delete("/_mock/sandboxes/default").status_code == 400
    assert mock.client.delete("/_mock/sandboxes/not.a.name").status_code == 400
    fresh = Side(mock, "a", by_path=False).call("GET", "/_mock/state").json()
    assert "carts" not in fresh["tables"]  # a dropped name starts again from the seed
    registry.clock.advance(601)
    assert [s["name"] for s in registry.describe()] == ["default"]


def test_sandboxes_can_be_turned_off() -> None:
    mock = make_mock(max_sandboxes=0)
    r = mock.client.get("/store/regions", headers={HEADER: "alice"})
    assert r.status_code == 400
    assert r.json()["message"] == "Sandboxes are turned off (serve --max-sandboxes 0)"
    assert mock.client.get("/store/regions", headers={HEADER: "default"}).status_code == 200


def test_kept_answers_are_per_sandbox_and_end_with_an_import() -> None:
    mock = make_mock(read_cache="on")
    alice = Side(mock, "alice", by_path=False)
    path = "/store/products/" + next(iter(mock.services.store.products.keys()))
    title = mock.client.get(path).json()["product"]["title"]
    assert alice.call("GET", path).json()["product"]["title"] == title
    state = alice.call("GET", "/_mock/state").json()
    product = next(p for p in state["tables"]["products"] if path.endswith(p["id"]))
    product["title"] = "Renamed in alice"
    alice.call("PUT", "/_mock/state", json=state)
    assert alice.call("GET", path).json()["product"]["title"] == "Renamed in alice"
    assert mock.client.get(path).json()["product"]["title"] == title
    assert mock.app.answer_cache.hits >= 1  # the default sandbox's answer was kept meanwhile


def test_fault_rules_and_the_journal_are_per_sandbox() -> None:
    mock = make_mock()
    alice, bob = Side(mock, "alice", by_path=True), Side(mock, "bob", by_path=False)
    rule = alice.call("POST", "/_mock/faults", 201,
                      json={"operation": "GetRegions", "status": 503})
    failed = alice.call("GET", "/store/regions", 503)
    assert failed.headers["x-medusa-mock-fault"] == rule.json()["fault"]["id"]
    bob.call("GET", "/store/regions")  # alice's rule is alice's
    assert mock.client.get("/store/regions").status_code == 200
    assert bob.call("GET", "/_mock/faults").json()["faults"] == []
    # each journal holds its own sandbox's requests, named
    mine = alice.call("GET", "/_mock/requests").json()["requests"]
    assert [(e["path"], e["status"], e["sandbox"]) for e in mine] == [
        ("/store/regions", 503, "alice")]
    assert [e["sandbox"] for e in bob.call("GET", "/_mock/requests").json()["requests"]] == [
        "bob"]
    assert [e["sandbox"] for e in mock.client.get("/_mock/requests").json()["requests"]] == [
        None]
    # a reset in alice removes alice's rules and journal only
    bob.call("POST", "/_mock/faults", 201, json={"operation": "GetRegions", "status": 500})
    alice.call("POST", "/_mock/reset")
    alice.call("GET", "/store/regions")
    bob.call("GET", "/store/regions", 500)
