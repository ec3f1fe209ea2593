"""The store's secondary indexes: equal to a scan after any sequence of writes, used by every
look-up a request makes on a table that grows with use, and checked after every request that
may write (``verify`` mode)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import Settings, create_app
from mock_server._state.store import INDEXES, Store, Table

from .conftest import JANE, Mock

ROOT = Path(__file__).resolve().parents[1]

# -- the table on its own -------------------------------------------------------------------------
VALUES = st.sampled_from(["a", "b", "c", None, 1, True, ["x"], {"k": 1}])
OPS = st.lists(st.tuples(st.sampled_from(["put", "put_copy", "in_place", "delete", "touch"]),
                         st.integers(0, 7), VALUES, VALUES), max_size=60)


def _scan(table: Table, column: str, value: Any) -> list[str]:
    read = table._indexes[column].read
    return [r["id"] for r in table.values() if read(r) == value]


@settings(max_examples=150, deadline=None)
@given(OPS)
def test_look_ups_equal_a_scan_in_table_order_after_any_writes(ops: list[Any]) -> None:
    table = Table("t", indexes=("owner", "data.customer_id"), tracked=True)
    for op, n, value, nested in ops:
        key = f"r{n}"
        row = table.get(key)
        if op == "put" or (op in ("put_copy", "in_place") and row is None):
            table.put({"id": key, "owner": value, "data": {"customer_id": nested}})
        elif op == "put_copy":
            assert row is not None
            table.put(dict(row, owner=value))  # another object for the same id
        elif op == "in_place":
            assert row is not None
            row["owner"] = value  # changed in place, then stored again
            table.put(row)
        elif op == "delete":
            table.delete(key)
        else:
            table.touch(key)
        assert table.index_problems() == []
    for value in ["a", "b", "c", None, 1, True, ["x"], {"k": 1}, "nothing"]:
        assert [r["id"] for r in table.by("owner", value)] == _scan(table, "owner", value)
        assert ([r["id"] for r in table.by("data.customer_id", value)]
                == _scan(table, "data.customer_id", value))


def test_a_row_filed_again_keeps_its_place_in_table_order() -> None:
    table = Table("t", indexes=("owner",))
    for n in range(4):
        table.put({"id": f"r{n}", "owner": "a" if n % 2 else "b"})
    first = table.get("r0")
    assert first is not None
    first["owner"] = "a"
    table.put(first)  # r0 joins the bucket of r1 and r3 last, but comes first by table order
    assert [r["id"] for r in table.by("owner", "a")] == ["r0", "r1", "r3"]
    table.delete("r0")
    table.put({"id": "r0", "owner": "a"})  # stored anew: now last in table order
    assert [r["id"] for r in table.by("owner", "a")] == ["r1", "r3", "r0"]


def test_a_change_in_place_without_a_put_is_found_and_repaired() -> None:
    store = Store()
    store.line_items.put({"id": "item_1", "cart_id": "cart_1", "order_id": "order_0"})
    store.line_items.put({"id": "item_2", "cart_id": "cart_1", "order_id": None})
    item, other = store.line_items.get("item_1"), store.line_items.get("item_2")
    assert item is not None and other is not None
    item["order_id"] = "order_1"  # no put: the index still files it under order_0
    other["order_id"] = "order_1"  # nor this one, never filed (None is not indexed)
    assert store.index_problems() == [
        "line_items.order_id: row item_1 is filed under 'order_0' but holds 'order_1'",
        "line_items.order_id: row item_2 is not filed but holds 'order_1'"]
    # a look-up never answers a row whose column no longer holds the value
    assert store.line_items.by("order_id", "order_0") == []
    assert store.line_items.by("order_id", "order_1") == []  # what verify mode is there for
    store.reindex()
    assert store.index_problems() == []
    assert store.line_items.by("order_id", "order_1") == [item, other]


def test_least_recently_used_order_leaves_pinned_rows_out() -> None:
    store = Store()
    for n in range(3):
        store.carts.put({"id": f"seeded_{n}"})
    store.pin()
    for n in range(3):
        store.carts.put({"id": f"cart_{n}"})
    store.carts.touch("cart_0")
    store.carts.touch("seeded_1")  # pinned rows are not in the order at all
    assert store.carts.oldest() == "cart_1"
    store.carts.put(store.carts.get("cart_1"))  # a write is a use too
    assert store.carts.oldest() == "cart_2"


def test_freeze_and_thaw_give_an_equal_independent_store() -> None:
    store = Store()
    store.carts.put({"id": "cart_1", "customer_id": "cus_1", "nested": {"list": [1, 2]}})
    store.next_counter("order_display_id")
    frozen = store.freeze()
    copy = Store()
    copy.thaw(frozen)
    assert copy.snapshot() == store.snapshot()
    thawed = copy.carts.get("cart_1")
    assert thawed is not None and thawed is not store.carts.get("cart_1")
    thawed["nested"]["list"].append(3)
    assert store.carts.get("cart_1")["nested"]["list"] == [1, 2]  # type: ignore[index]
    assert copy.carts.by("customer_id", "cus_1") == [thawed]


# -- every look-up on a request path reads an index -------------------------------------------
GROWING = {"carts", "line_items", "payment_sessions", "payments", "orders", "customers",
           "addresses", "sessions", "idempotency_keys", "returns", "swaps"}


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The tables scanned whole (``find``, ``first``, ``values``, ``by`` of an unindexed column)
    while the fixture is active."""
    seen: list[str] = []
    originals = {name: getattr(Table, name) for name in ("find", "first", "values")}

    def spy(name: str) -> Any:
        def scanned(self: Table, *args: Any, **kwargs: Any) -> Any:
            seen.append(f"{self.name}.{name}")
            return originals[name](self, *args, **kwargs)
        return scanned

    for name in originals:
        monkeypatch.setattr(Table, name, spy(name))
    original_by = Table.by

    def by(self: Table, column: str, value: Any) -> list[dict[str, Any]]:
        if not self.indexed(column):
            seen.append(f"{self.name}.by({column})")
        return original_by(self, column, value)

    monkeypatch.setattr(Table, "by", by)
    yield seen


def _storefront_journey(mock: Mock) -> None:
    client = mock.client
    ok = (200, 201)

    def call(method: str, path: str, **kwargs: Any) -> Any:
        r = client.request(method, path, **kwargs)
        assert r.status_code in ok, f"{method} {path}: {r.status_code} {r.text[:300]}"
        return r.json() if r.headers.get("content-type", "").startswith(
            "application/json") else r.text

    email = f"journey.{random.randrange(10**9)}@example.com"
    call("POST", "/store/customers", json={"email": email, "password": "pw-journey",
                                           "first_name": "J", "last_name": "R"})
    call("POST", "/store/auth", json={"email": email, "password": "pw-journey"})
    call("POST", "/store/customers/me/addresses", json={"address": {
        "first_name": "J", "last_name": "R", "address_1": "Street 1", "city": "Kiel",
        "country_code": "de", "postal_code": "24103"}})
    me = call("GET", "/store/customers/me")["customer"]
    regions = call("GET", "/store/regions")["regions"]
    eu = next(r for r in regions if r["currency_code"] == "eur")
    products = call("GET", "/store/products", params={"region_id": eu["id"]})["products"]
    variant = next(v for p in products if not p["is_giftcard"] for v in p["variants"]
                   if v["inventory_quantity"] > 5)
    cart = call("POST", "/store/carts", json={"region_id": eu["id"]})["cart"]
    cid = cart["id"]
    call("POST", f"/store/carts/{cid}/line-items", json={"variant_id": variant["id"],
                                                         "quantity": 2})
    item = call("GET", f"/store/carts/{cid}")["cart"]["items"][0]
    call("POST", f"/store/carts/{cid}/line-items/{item['id']}", json={"quantity": 1})
    call("POST", f"/store/carts/{cid}", json={
        "shipping_address": me["shipping_addresses"][0]["id"], "discounts": [
            {"code": "WELCOME10"}]})
    options = call("GET", f"/store/shipping-options/{cid}")["shipping_options"]
    call("POST", f"/store/carts/{cid}/shipping-methods", json={"option_id": options[0]["id"]})
    call("POST", f"/store/carts/{cid}/payment-sessions")
    call("POST", f"/store/carts/{cid}/payment-session", json={"provider_id": "manual"})
    call("POST", f"/store/carts/{cid}/taxes")
    order = call("POST", f"/store/carts/{cid}/complete")["data"]
    call("GET", f"/store/carts/{cid}")
    call("GET", f"/store/orders/{order['id']}")
    call("GET", f"/store/orders/cart/{cid}")
    call("GET", "/store/orders", params={"display_id": order["display_id"], "email": email})
    call("GET", "/store/customers/me/orders")
    call("POST", "/store/returns", json={"order_id": order["id"], "items": [
        {"item_id": order["items"][0]["id"], "quantity": 1}]})
    guest = mock.services.store.orders.by("display_id", 2)[0]
    token = mock.bearer(JANE["email"], JANE["password"])
    call("POST", "/store/orders/batch/customer/token", json={"order_ids": [guest["id"]]},
         headers=token)
    claim = mock.events()[-1]["data"]["token"]
    call("POST", "/store/orders/customer/confirm", json={"token": claim})
    call("POST", "/store/customers/me", json={"billing_address": {
        "first_name": "J", "address_1": "Billing 1", "city": "Kiel", "country_code": "de",
        "postal_code": "24103"}})
    call("DELETE", "/store/auth")


def test_no_request_of_a_storefront_journey_scans_a_growing_table(
        mock: Mock, scans: list[str]) -> None:
    _storefront_journey(mock)
    growing = sorted({s for s in scans if s.split(".")[0] in GROWING})
    assert growing == [], f"whole-table scans on a request path: {growing}"
    assert any(s.startswith("product") for s in scans)  # the spy sees the catalog's scans


def test_every_indexed_column_is_a_column_of_a_table() -> None:
    from mock_server._state.store import TABLES

    assert set(INDEXES) <= set(TABLES)


def test_a_stale_index_after_a_request_is_a_500_in_verify_mode(mock: Mock) -> None:
    assert mock.services.settings.read_cache == "verify"
    order = mock.order(1)
    order["customer_id"] = "cus_someone_else"  # in place, behind the store's back
    r = mock.client.post("/store/carts", json={})
    assert r.status_code == 500
    assert r.headers["x-medusa-mock-stale-index"].startswith(
        f"orders.customer_id: row {order['id']} is filed under")
    assert mock.services.store.index_problems() == []  # rebuilt
    assert mock.client.post("/store/carts", json={}).status_code == 200


@pytest.mark.parametrize("seed", [None, ROOT / "tests" / "data" / "seeds" / "nordic.json"],
                         ids=["default", "nordic"])
def test_a_loaded_seed_leaves_no_index_stale(seed: Path | None) -> None:
    """The seed loader stores a row again whenever it changes an indexed column of it: nothing
    rebuilds the indexes after seeding."""
    store = create_app(Settings(seed=seed)).services.store
    assert store.index_problems() == []
