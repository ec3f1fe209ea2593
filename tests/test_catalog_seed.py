"""The seed's catalog: loaded as Medusa's ``medusa seed`` loads it, plus the mock's extensions,
with clear errors for bad files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mock_server import Settings, create_app
from mock_server._seed import SeedError, default_seed_path, kebab_case

DEFAULT = json.loads(default_seed_path().read_text())


def load(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data))
    return create_app(Settings(seed=path)).services.store


def minimal(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "store": {"currencies": ["eur"]},
        "regions": [{"id": "region-x", "name": "X", "currency_code": "eur", "tax_rate": 10,
                     "countries": ["de"]}],
        "products": [{"title": "Plain Thing", "options": [{"title": "Size"}],
                      "variants": [{"title": "One", "prices": [{"currency_code": "eur",
                                                               "amount": 100}],
                                    "options": [{"value": "One"}]}]}],
    }
    data.update(extra)
    return data


def test_default_seed_is_a_believable_store() -> None:
    store = create_app(Settings()).services.store
    assert len(store.products) >= 20 and len(store.product_collections) >= 3
    assert {r["currency_code"] for r in store.regions.values()} == {"eur", "usd", "gbp"}
    assert len({r["tax_rate"] for r in store.regions.values()}) >= 2
    assert any(c["parent_category_id"] for c in store.product_categories.values())
    assert any(p["is_giftcard"] for p in store.products.values())
    assert any(o["is_return"] for o in store.shipping_options.values())
    assert len(store.gift_cards) >= 1 and len(store.discounts) >= 1
    assert any(r["parent_return_reason_id"] for r in store.return_reasons.values())
    assert len(store.sales_channels) == 2 and len(store.publishable_api_keys) == 2
    # what other tests and the claim flow rely on
    assert {o["display_id"] for o in store.orders.values()} == {1, 2, 3, 4, 5, 6}
    skus = {v["sku"] for v in store.product_variants.values()}
    assert {"TSHIRT-S", "TSHIRT-M", "TSHIRT-L", "MUG-ONE"} <= skus


def test_medusa_defaults(tmp_path: Path) -> None:
    store = load(tmp_path, minimal())
    product = next(iter(store.products.values()))
    assert product["status"] == "published" and product["handle"] == "plain-thing"
    assert product["discountable"] is True and product["thumbnail"] is None
    profiles = {p["id"]: p for p in store.shipping_profiles.values()}
    assert profiles[product["profile_id"]]["name"] == "Default Shipping Profile"
    channels = list(store.sales_channels.values())
    assert [c["name"] for c in channels] == ["Default Sales Channel"]
    assert product["sales_channel_ids"] == [channels[0]["id"]]
    region = next(iter(store.regions.values()))
    assert region["id"].startswith("reg_0") and region["id"] != "region-x"  # only a reference
    settings = next(iter(store.stores.values()))
    assert settings["currencies"] == ["usd", "eur"] and settings["default_currency_code"] == "usd"


def test_ids_medusa_keeps(tmp_path: Path) -> None:
    data = minimal(product_collections=[{"id": "pcol_a", "title": "A Collection"},
                                        {"title": "Generated"}],
                   categories=[{"id": "pcat_top", "name": "Top Level", "is_active": False,
                                "category_children": [{"name": "Child One"},
                                                      {"name": "Child Two", "rank": 9}]}],
                   publishable_api_keys=[{"id": "pk_mine", "title": "Mine"}])
    data["regions"][0]["id"] = "reg_fixed"
    data["products"][0].update(collection_id="pcol_a", categories=[{"id": "pcat_top"}])
    store = load(tmp_path, data)
    assert store.regions.get("reg_fixed") is not None
    # Medusa derives a collection's handle only when it generates the id too
    assert store.product_collections.get("pcol_a")["handle"] is None
    generated = next(c for c in store.product_collections.values() if c["title"] == "Generated")
    assert generated["handle"] == "generated"
    top = store.product_categories.get("pcat_top")
    assert top["is_active"] is True  # the seed's `is_active || true`
    children = sorted((c for c in store.product_categories.values()
                       if c["parent_category_id"] == "pcat_top"), key=lambda c: c["rank"])
    assert [(c["handle"], c["rank"]) for c in children] == [("child-one", 0), ("child-two", 1)]
    key = store.publishable_api_keys.get("pk_mine")
    assert key["sales_channel_ids"] == [next(iter(store.sales_channels.values()))["id"]]


def test_product_relations_and_gift_cards(tmp_path: Path) -> None:
    data = minimal()
    data["products"][0].update(tags=[{"value": "a"}, {"value": "b"}], type={"value": "Kind"},
                               images=["https://img/1.png", "https://img/2.png"])
    data["products"].append({
        "title": "Gift", "is_giftcard": True, "tags": [{"value": "a"}],
        "type": {"value": "Kind"}, "options": [{"title": "Denomination"}],
        "variants": [{"title": "10", "prices": [{"region_id": "region-x", "amount": 1000}],
                      "options": [{"value": "10"}]}]})
    store = load(tmp_path, data)
    plain, gift = list(store.products.values())
    assert len(store.product_tags) == 2 and len(store.product_types) == 1  # upserted by value
    assert gift["tag_ids"] == plain["tag_ids"][:1] and gift["type_id"] == plain["type_id"]
    assert plain["thumbnail"] == "https://img/1.png"
    assert gift["discountable"] is False
    profile = store.shipping_profiles.get(gift["profile_id"])
    assert profile["type"] == "gift_card"
    variant = next(v for v in store.product_variants.values() if v["product_id"] == gift["id"])
    region = next(iter(store.regions.values()))
    assert variant["prices"][0]["region_id"] == region["id"]
    assert variant["prices"][0]["currency_code"] == "eur"


def test_mock_extensions(tmp_path: Path) -> None:
    data = minimal(
        sales_channels=[{"name": "B2B", "products": ["plain-thing"],
                         "publishable_api_keys": [{"id": "pk_b2b", "title": "B2B shop"}]}],
        gift_cards=[{"code": "CODE-1", "value": 500, "region_id": "region-x"}],
        discounts=[{"code": "ten", "rule": {"type": "percentage", "value": 10},
                    "regions": ["region-x"]}],
        return_reasons=[{"value": "bad", "label": "Bad",
                         "children": [{"value": "very_bad", "label": "Very bad"}]}])
    store = load(tmp_path, data)
    b2b = next(c for c in store.sales_channels.values() if c["name"] == "B2B")
    assert b2b["id"] in next(iter(store.products.values()))["sales_channel_ids"]
    assert store.publishable_api_keys.get("pk_b2b")["sales_channel_ids"] == [b2b["id"]]
    card = next(iter(store.gift_cards.values()))
    assert (card["balance"], card["tax_rate"]) == (500, 10)
    discount = next(iter(store.discounts.values()))
    assert discount["code"] == "TEN" and discount["rule"]["allocation"] == "total"
    child = next(r for r in store.return_reasons.values() if r["value"] == "very_bad")
    assert store.return_reasons.get(child["parent_return_reason_id"])["value"] == "bad"


@pytest.mark.parametrize(("mutate", "path", "message"), [
    (lambda d: d["products"][0].update(collection_id="pcol_nope"), "$.products[0].collection_id",
     "no collection with id 'pcol_nope'"),
    (lambda d: d["products"][0].update(categories=[{"id": "pcat_nope"}]),
     "$.products[0].categories[0]", "no category with id 'pcat_nope'"),
    (lambda d: d["products"][0].update(status="gone"), "$.products[0].status",
     "must be one of draft, proposed, published, rejected"),
    (lambda d: d["products"][0]["variants"][0].update(options=[]),
     "$.products[0].variants[0].options", "the product has 1 options and the variant has 0"),
    (lambda d: d["products"][0]["variants"][0]["prices"].append(
        {"region_id": "region-nope", "amount": 1}),
     "$.products[0].variants[0].prices[1].region_id", "no region with id 'region-nope'"),
    (lambda d: d["products"].append(copy.deepcopy(d["products"][0])), "$.products[1].handle",
     "duplicate product handle 'plain-thing'"),
    (lambda d: d.update(categories=[{"name": "A"}, {"name": "B", "handle": "a"}]),
     "$.categories[1].handle", "duplicate category handle 'a'"),
    (lambda d: d.update(gift_cards=[{"code": "X", "value": 1, "region_id": "mars"}]),
     "$.gift_cards[0].region_id", "no region with id 'mars'"),
    (lambda d: d.update(discounts=[{"code": "X", "rule": {"type": "bogus", "value": 1},
                                    "regions": []}]),
     "$.discounts[0].rule.type", "must be one of percentage, fixed, free_shipping"),
    (lambda d: d.update(sales_channels=[{"name": "S", "products": ["nope"]}]),
     "$.sales_channels[0].products[0]", "no product with handle 'nope'"),
    (lambda d: d.update(return_reasons=[{"value": "a", "label": "A", "children": [
        {"value": "b", "label": "B", "children": []}]}]),
     "$.return_reasons[0].children[0].children", "cannot have children"),
    (lambda d: d.update(store={"currencies": ["xyz"]}), "$.store.currencies[0]",
     "unknown currency 'xyz'"),
])
def test_bad_catalog_seed(tmp_path: Path, mutate: Any, path: str, message: str) -> None:
    data = minimal()
    mutate(data)
    with pytest.raises(SeedError) as info:
        load(tmp_path, data)
    assert info.value.path == path
    assert message in info.value.message


@pytest.mark.parametrize(("text", "handle"), [
    ("Medusa T-Shirt", "medusa-t-shirt"), ("Hats & Caps", "hats-caps"),
    ("2XL Hoodie", "2-xl-hoodie"), ("fooBar baz", "foo-bar-baz"), ("Café Crème", "cafe-creme"),
    ("XMLHttp Request", "xml-http-request"), ("  a--b__c ", "a-b-c"),
])
def test_handles_as_lodash_kebab_case(text: str, handle: str) -> None:
    assert kebab_case(text) == handle  # the values lodash 4 gives


def test_default_seed_keeps_every_medusa_key() -> None:
    """What ``scripts/real-medusa`` hands to ``medusa seed`` holds the whole Medusa catalog; the
    mock-only entries live under keys Medusa's seed does not read."""
    medusa_keys = {"store", "users", "regions", "shipping_options", "product_collections",
                   "categories", "products", "publishable_api_keys"}
    mock_keys = {"sales_channels", "gift_cards", "discounts", "return_reasons", "customers",
                 "orders", "payment_providers", "order_edits"}
    assert medusa_keys <= set(DEFAULT) and set(DEFAULT) - medusa_keys <= mock_keys
