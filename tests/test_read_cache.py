"""The catalog's read caches: the domain's cache of catalog reads and the HTTP layer's answer
cache. Hits are exact, and every write (over HTTP or to a table) ends them.

The whole suite runs with ``MEDUSA_MOCK_READ_CACHE=verify`` (see conftest.py): there, every hit is
computed afresh and compared. These tests pin the parts that suite-wide check relies on.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server._domain.read_cache import ReadCache, StaleReadError
from mock_server._state.store import Store

from .conftest import JANE, Mock, make_mock

UK_ADDRESS = {"first_name": "Ann", "last_name": "Buyer", "address_1": "1 High St",
              "city": "London", "country_code": "gb", "postal_code": "N1 1AA"}
CATALOG_READS = (
    "/store/products?limit=12&region_id=reg_uk",
    "/store/products?limit=5&offset=2&currency_code=eur&expand=variants,variants.prices",
    "/store/products?q=shirt&order=-title",
    "/store/regions",
    "/store/regions?limit=1&offset=1",
    "/store/regions/reg_eu",
)


def _stock_of(mock: Mock, variant_id: str) -> int:
    products = mock.client.get("/store/products?limit=100&region_id=reg_uk").json()["products"]
    return next(v["inventory_quantity"] for p in products for v in p["variants"]
                if v["id"] == variant_id)


def _buy(mock: Mock, variant_id: str, quantity: int) -> None:
    c = mock.client
    cart_id = c.post("/store/carts", json={"region_id": "reg_uk"}).json()["cart"]["id"]
    assert c.post(f"/store/carts/{cart_id}/line-items",
                  json={"variant_id": variant_id, "quantity": quantity}).status_code == 200
    assert c.post(f"/store/carts/{cart_id}", json={"email": "buyer@example.com",
                                                     "shipping_address": UK_ADDRESS}
                  ).status_code == 200
    option = c.get(f"/store/shipping-options/{cart_id}").json()["shipping_options"][0]["id"]
    assert c.post(f"/store/carts/{cart_id}/shipping-methods",
                  json={"option_id": option}).status_code == 200
    assert c.post(f"/store/carts/{cart_id}/payment-sessions").status_code == 200
    assert c.post(f"/store/carts/{cart_id}/complete").json()["type"] == "order"


def _managed_variant(mock: Mock) -> str:
    return next(v["id"] for v in mock.services.store.product_variants.values()
                if v.get("manage_inventory") and v.get("sku", "").startswith("TSHIRT-"))


@pytest.mark.parametrize("mode", ["on", "verify"])
def test_repeated_reads_are_hits_with_the_same_answer(mode: str) -> None:
    """``on``: the answer cache replays the second request; ``verify``: the request runs again
    (its catalog read is then a domain-cache hit) and the replay is compared with it."""
    mock = make_mock(read_cache=mode)
    cache, answers = mock.services.catalog.read_cache, mock.app.answer_cache
    for path in CATALOG_READS:
        first = mock.client.get(path)
        hits, replays = cache.hits, answers.hits
        again = mock.client.get(path)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert answers.hits == replays + 1, path
        assert cache.hits == hits + (mode == "verify"), path


def test_a_different_query_header_or_customer_is_not_a_replay(mock: Mock) -> None:
    c, answers = mock.client, mock.app.answer_cache
    c.get("/store/products?limit=2")
    c.get("/store/products?limit=3")
    c.get("/store/products?limit=2", headers={"x-publishable-api-key": "pk_unknown"})
    assert answers.hits == 0
    assert c.post("/store/auth", json=JANE).status_code == 200  # a write: a new generation
    c.get("/store/products?limit=2")  # as Jane
    signed_in = c.get("/store/products?limit=2")
    assert answers.hits == 1
    c.cookies.clear()
    anonymous = c.get("/store/products?limit=2")
    assert answers.hits == 1  # a guest is not Jane
    assert anonymous.content == signed_in.content  # (no customer-group prices in the seed)


def test_a_replay_still_gets_its_own_session_cookie_and_cors_headers(mock: Mock) -> None:
    c = mock.client
    first = c.get("/store/regions", headers={"Origin": "http://localhost:8000"})
    c.cookies.clear()
    again = c.get("/store/regions", headers={"Origin": "http://localhost:8000"})
    assert mock.app.answer_cache.hits == 1
    assert again.content == first.content
    assert again.headers["access-control-allow-origin"] == "http://localhost:8000"
    assert again.headers["x-powered-by"] == "Express"
    cookies = first.headers["set-cookie"], again.headers["set-cookie"]
    assert all(c.startswith("connect.sid=") for c in cookies) and cookies[0] != cookies[1]


def test_errors_and_uncacheable_reads_are_never_replayed(mock: Mock) -> None:
    c = mock.client
    for path in ("/store/regions/reg_missing", "/store/products?limit=x", "/store/collections",
                 "/store/customers/me"):
        c.get(path)
        c.get(path)
    assert mock.app.answer_cache.hits == 0


def test_verify_mode_turns_a_stale_replay_into_a_500() -> None:
    mock = make_mock(read_cache="verify")
    store = mock.services.store
    assert mock.client.get("/store/regions/reg_eu").status_code == 200
    store.regions.get("reg_eu")["name"] = "Renamed behind the cache's back"  # type: ignore[index]
    stale = mock.client.get("/store/regions/reg_eu")
    assert stale.status_code == 500
    assert stale.headers["x-medusa-mock-stale-answer"] == "1"


def test_answers_are_the_same_with_the_cache_on_and_off() -> None:
    on, off = make_mock(read_cache="on"), make_mock(read_cache="off")
    variant = _managed_variant(on)
    for step in range(3):
        for path in CATALOG_READS * 2:  # the second round is answered from the cache
            assert on.client.get(path).content == off.client.get(path).content, (step, path)
        for mock in (on, off):
            _buy(mock, variant, step + 1)
    assert off.services.catalog.read_cache.hits == off.app.answer_cache.hits == 0
    assert on.app.answer_cache.hits >= len(CATALOG_READS) * 3


def test_a_checkout_ends_the_hits_it_makes_stale(mock: Mock) -> None:
    variant = _managed_variant(mock)
    before = _stock_of(mock, variant)
    assert _stock_of(mock, variant) == before  # now a hit
    _buy(mock, variant, 2)
    assert _stock_of(mock, variant) == before - 2


def test_reset_and_table_writes_end_hits(mock: Mock) -> None:
    variant = _managed_variant(mock)
    before = _stock_of(mock, variant)
    _buy(mock, variant, 1)
    assert _stock_of(mock, variant) == before - 1
    assert mock.client.post("/_mock/reset").status_code in (200, 204)
    assert _stock_of(mock, variant) == before
    store = mock.services.store
    product = dict(next(p for p in store.products.values() if p["status"] == "published"))
    shown = mock.client.get(f"/store/products/{product['id']}").json()["product"]["title"]
    store.products.put({**product, "title": "Renamed " + product["title"]})
    assert mock.client.get(f"/store/products/{product['id']}").json()["product"]["title"] == (
        "Renamed " + shown)


def _fingerprint(store: Store) -> str:
    with store.lock:
        return json.dumps({name: table.dump() for name, table in store.tables.items()
                           if name != "sessions"}, sort_keys=True, default=str)


def test_every_get_that_changes_the_store_moves_its_generation() -> None:
    """The HTTP layer moves the generation around requests that may write, not around GETs:
    so a GET that writes must move it itself. Every GET operation a storefront uses, signed in
    and not, with the cart and order it made."""
    mock = make_mock()
    c = mock.client
    store = mock.services.store
    variant = _managed_variant(mock)
    cart_id = c.post("/store/carts", json={"region_id": "reg_uk"}).json()["cart"]["id"]
    c.post(f"/store/carts/{cart_id}/line-items", json={"variant_id": variant, "quantity": 1})
    assert c.post("/store/auth", json=JANE).status_code == 200
    product = c.get("/store/products?limit=1").json()["products"][0]
    reads: list[str] = [
        *CATALOG_READS, f"/store/carts/{cart_id}", f"/store/shipping-options/{cart_id}",
        "/store/shipping-options", "/store/customers/me", "/store/customers/me/orders",
        "/store/customers/me/payment-methods", f"/store/products/{product['id']}",
        f"/store/variants/{variant}", "/store/variants?ids=" + variant, "/store/collections",
        "/store/product-categories", "/store/product-tags", "/store/product-types",
        "/store/return-reasons", "/store/orders?display_id=1&email=guest.one@example.com",
        "/store/gift-cards/NONE", "/_mock/events",
    ]
    moved_on: list[str] = []
    for path in reads:
        before, generation = _fingerprint(store), store.generation
        answer: Any = c.get(path)
        assert answer.status_code < 500, (path, answer.text)
        if _fingerprint(store) != before:
            assert store.generation != generation, f"GET {path} wrote without telling the cache"
            moved_on.append(path)
    assert f"/store/carts/{cart_id}" in moved_on  # the signed-in customer took the cart


def test_verify_mode_catches_a_write_the_cache_was_not_told_of() -> None:
    store = Store()
    store.products.put({"id": "p1", "title": "Mug"})
    cache = ReadCache(store, "verify")

    def title() -> str:
        return str(store.products.get("p1")["title"])  # type: ignore[index]

    assert cache.get("title", title) == "Mug"
    assert cache.get("title", title) == "Mug"  # a verified hit
    store.products.get("p1")["title"] = "Cup"  # type: ignore[index] - in place, untold
    with pytest.raises(StaleReadError):
        cache.get("title", title)
    store.changed()
    assert cache.get("title", title) == "Cup"


def test_off_mode_never_keeps_anything_and_a_bad_mode_is_refused() -> None:
    store = Store()
    cache = ReadCache(store, "off")
    calls = []
    for _ in range(3):
        cache.get("k", lambda: calls.append(1))
    assert len(calls) == 3 and cache.hits == 0
    with pytest.raises(ValueError, match="read cache mode"):
        ReadCache(store, "sometimes")


def test_errors_are_not_cached(mock: Mock) -> None:
    assert mock.client.get("/store/regions/reg_missing").status_code == 404
    assert mock.client.get("/store/regions/reg_missing").status_code == 404
    assert mock.services.catalog.read_cache.hits == 0
    assert mock.app.answer_cache.hits == 0


def test_a_full_cache_drops_its_oldest_entries() -> None:
    store = Store()
    cache = ReadCache(store, "on", max_entries=2)
    for key in ("a", "b", "c"):
        cache.get(key, lambda k=key: k)
    cache.get("a", lambda: "a again")
    assert (cache.hits, cache.misses) == (0, 4)
    cache.get("c", lambda: "c again")
    assert cache.hits == 1
