"""The catalog a storefront reads, checked against answers recorded from a real Medusa 1.20.11
seeded with the same default seed (key sets, counts, prices, taxes, messages)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Mock

# Key sets of the real server's answers (GET /store/products?region_id=..., /store/variants, ...).
PRODUCT_COLUMNS = {
    "id", "created_at", "updated_at", "deleted_at", "title", "subtitle", "description", "handle",
    "is_giftcard", "status", "thumbnail", "weight", "length", "height", "width", "hs_code",
    "origin_country", "mid_code", "material", "type_id", "discountable", "external_id",
    "metadata", "collection_id",
}
PRODUCT_KEYS = PRODUCT_COLUMNS | {"collection", "images", "options", "profiles", "profile_id",
                                  "tags", "type", "variants"}
VARIANT_COLUMNS = {
    "id", "created_at", "updated_at", "deleted_at", "title", "product_id", "sku", "barcode", "ean",
    "upc", "variant_rank", "inventory_quantity", "allow_backorder", "manage_inventory", "hs_code",
    "origin_country", "mid_code", "material", "weight", "length", "height", "width", "metadata",
}
PRICING = {"original_price", "calculated_price", "original_price_incl_tax",
           "calculated_price_incl_tax", "original_tax", "calculated_tax", "tax_rates"}
RAW_PRICE_KEYS = {"id", "created_at", "updated_at", "deleted_at", "currency_code", "amount",
                  "min_quantity", "max_quantity", "price_list_id", "region_id"}
PRICED_PRICE_KEYS = RAW_PRICE_KEYS | {"price_list", "variant_id"}
REGION_KEYS = {"id", "created_at", "updated_at", "deleted_at", "name", "currency_code", "tax_rate",
               "tax_code", "gift_cards_taxable", "automatic_taxes", "tax_provider_id", "metadata",
               "countries", "currency", "fulfillment_providers", "payment_providers"}
SHIPPING_OPTION_KEYS = {
    "id", "created_at", "updated_at", "deleted_at", "name", "region_id", "profile_id",
    "provider_id", "price_type", "amount", "is_return", "admin_only", "data", "metadata",
    "requirements", "price_incl_tax", "tax_rates", "tax_amount",
}
CATEGORY_FIELDS = {"id", "created_at", "updated_at", "name", "description", "handle",
                   "parent_category_id", "rank", "metadata"}
PUBLISHED = 20  # 21 seeded products, one of them a draft


def get(mock: Mock, url: str, status: int = 200, **kwargs: Any) -> Any:
    r = mock.client.get(url, **kwargs)
    assert r.status_code == status, r.text
    return r.json()


def by_handle(products: list[dict[str, Any]], handle: str) -> dict[str, Any]:
    return next(p for p in products if p["handle"] == handle)


# -- a storefront walk ---------------------------------------------------------------------------
def test_storefront_walk(mock: Mock) -> None:
    regions = get(mock, "/store/regions")
    assert (regions["count"], regions["limit"], regions["offset"]) == (3, 100, 0)
    uk = next(r for r in regions["regions"] if r["name"] == "UK")
    assert set(uk) == REGION_KEYS
    assert uk["id"] == "reg_uk" and uk["currency"]["code"] == "gbp"
    assert [c["iso_2"] for c in uk["countries"]] == ["gb"] and uk["countries"][0]["id"] == 235
    assert get(mock, "/store/regions/reg_uk")["region"] == uk

    page = get(mock, f"/store/products?limit=12&region_id={uk['id']}")
    assert (page["count"], page["limit"], page["offset"]) == (PUBLISHED, 12, 0)
    assert len(page["products"]) == 12
    first = page["products"][0]
    assert first["handle"] == "t-shirt"  # newest first; seeded rows tie and keep seed order
    assert set(first) == PRODUCT_KEYS
    variant = first["variants"][0]
    priced = {"options", "prices", "calculated_price_type"}
    assert set(variant) == VARIANT_COLUMNS | priced | PRICING
    assert all(set(p) == PRICED_PRICE_KEYS for p in variant["prices"])
    assert [p["currency_code"] for p in variant["prices"]] == ["gbp"]  # narrowed to the region

    rest = get(mock, f"/store/products?limit=12&offset=12&region_id={uk['id']}")
    handles = [p["handle"] for p in page["products"] + rest["products"]]
    assert len(handles) == len(set(handles)) == PUBLISHED
    assert "prototype-jacket" not in handles  # a draft

    product = get(mock, f"/store/products/{first['id']}?region_id={uk['id']}")["product"]
    assert product == first
    options = get(mock, f"/store/shipping-options?region_id={uk['id']}")["shipping_options"]
    assert [o["name"] for o in options] == ["Royal Fake Mail", "Royal Fake Return",
                                            "Gift Card Delivery (UK)"]


def test_default_answers_without_context(mock: Mock) -> None:
    products = get(mock, "/store/products")["products"]
    variant = products[0]["variants"][0]
    assert set(variant) == VARIANT_COLUMNS | {"options", "prices"} | PRICING
    assert {variant[k] for k in PRICING} == {None}
    assert [p["currency_code"] for p in variant["prices"]] == ["eur", "usd", "gbp"]
    tee = by_handle(products, "t-shirt")
    assert tee["collection"]["handle"] == "merch" and tee["type"]["value"] == "Apparel"
    assert [t["value"] for t in tee["tags"]] == ["cotton", "unisex", "bestseller"]
    assert tee["thumbnail"] == tee["images"][0]["url"]  # Medusa's default thumbnail
    assert tee["profiles"][0]["type"] == "default" and tee["profile_id"] == tee["profiles"][0]["id"]
    hoodie = by_handle(products, "hoodie")
    assert [(o["title"], [v["value"] for v in o["values"]]) for o in hoodie["options"]] == [
        ("Size", ["S", "M", "L", "S", "M", "L"]),
        ("Color", ["Black", "Black", "Black", "Grey", "Grey", "Grey"]),
    ]
    gift = by_handle(products, "gift-card")
    assert gift["is_giftcard"] is True and gift["discountable"] is False
    assert gift["profiles"][0]["type"] == "gift_card"


# -- prices and taxes ----------------------------------------------------------------------------
def test_prices_per_region_with_tax(mock: Mock) -> None:
    def variant(handle: str, query: str) -> dict[str, Any]:
        products = get(mock, f"/store/products?handle={handle}&{query}")["products"]
        return products[0]["variants"][0]

    uk = variant("t-shirt", "region_id=reg_uk")
    assert (uk["calculated_price"], uk["calculated_tax"], uk["calculated_price_incl_tax"]) == (
        1700, 340, 2040)
    assert uk["original_price_incl_tax"] == 2040 and uk["calculated_price_type"] == "default"
    assert uk["tax_rates"] == [{"rate": 20, "name": "default", "code": "default"}]
    eu = variant("t-shirt", "region_id=reg_eu")
    assert (eu["calculated_price"], eu["calculated_tax"], eu["calculated_price_incl_tax"]) == (
        1950, 0, 1950)
    usd = variant("t-shirt", "currency_code=usd")
    assert usd["calculated_price"] == 2200 and usd["tax_rates"] is None
    assert usd["calculated_tax"] is None and usd["calculated_price_type"] == "default"
    # a region price wins as the original price and, being lower, as the calculated one
    tote = variant("tote-bag", "region_id=reg_uk")
    assert [(p["region_id"], p["amount"]) for p in tote["prices"]] == [("reg_uk", 1200),
                                                                       (None, 1300)]
    assert (tote["original_price"], tote["calculated_price"], tote["calculated_tax"]) == (
        1200, 1200, 240)
    # no price in the region's currency: Medusa leaves the variant as loaded
    mug = variant("enamel-mug", "region_id=reg_uk")
    assert not PRICING & set(mug) and "calculated_price_type" not in mug
    assert all(set(p) == RAW_PRICE_KEYS for p in mug["prices"])
    assert [p["currency_code"] for p in mug["prices"]] == ["eur", "usd"]


def test_product_detail_prices_and_unknown_ids(mock: Mock) -> None:
    products = get(mock, "/store/products?handle=coffee-mug")["products"]
    mug_id = products[0]["id"]
    mug = get(mock, f"/store/products/{mug_id}?currency_code=eur")["product"]
    assert mug["variants"][0]["calculated_price"] == 1000
    draft_id = next(p["id"] for p in mock.services.store.products.values()
                    if p["handle"] == "prototype-jacket")
    assert get(mock, f"/store/products/{draft_id}")["product"]["status"] == "draft"
    assert get(mock, "/store/products/prod_nope", 404) == {
        "type": "not_found", "message": "Product with id: prod_nope was not found"}
    assert get(mock, "/store/products?region_id=reg_nope", 404)["message"] == (
        "Region with reg_nope was not found")
    assert get(mock, "/store/products?cart_id=cart_nope", 500)["type"] == "unknown_error"
    assert get(mock, "/store/variants?cart_id=cart_nope", 404)["message"] == (
        "Cart with cart_nope was not found")


# -- filters, pagination, expand, fields --------------------------------------------------------
def handles(mock: Mock, query: str) -> list[str]:
    return [p["handle"] for p in get(mock, f"/store/products?{query}")["products"]]


def test_filters(mock: Mock) -> None:
    store = mock.services.store
    tag = next(t["id"] for t in store.product_tags.values() if t["value"] == "summer")
    kind = next(t["id"] for t in store.product_types.values() if t["value"] == "Stationery")
    assert handles(mock, "collection_id[]=pcol_summer") == ["shorts", "linen-shirt",
                                                             "water-bottle"]
    assert handles(mock, f"tags[]={tag}") == ["shorts", "linen-shirt", "water-bottle"]
    assert handles(mock, f"type_id[]={kind}") == ["notebook"]  # the sticker pack has no type
    assert handles(mock, "category_id[]=pcat_tops") == ["linen-shirt"]
    assert handles(mock, "category_id[]=pcat_tops&include_category_children=true") == [
        "t-shirt", "sweatshirt", "hoodie", "long-sleeve-tee", "linen-shirt"]
    assert handles(mock, "category_id[]=pcat_tops,pcat_bags") == [
        "linen-shirt", "tote-bag", "backpack"]
    assert handles(mock, "category_id[]=pcat_staff_picks") == []  # an internal category
    assert handles(mock, "is_giftcard=TRUE") == ["gift-card"]
    assert len(handles(mock, "is_giftcard=maybe")) == PUBLISHED  # ignored, as in Medusa
    assert handles(mock, "handle=t-shirt") == ["t-shirt"]
    assert handles(mock, "title=Medusa%20Hoodie") == ["hoodie"]
    assert handles(mock, "q=TSHIRT-S") == ["t-shirt"]  # variant SKUs
    assert handles(mock, "q=merch") == ["t-shirt", "coffee-mug", "sweatshirt", "hoodie",
                                        "classic-cap", "sticker-pack"]  # collection titles
    assert set(handles(mock, "q=shirt")) == {"t-shirt", "sweatshirt", "linen-shirt"}
    assert handles(mock, "id[]=nope") == []
    assert len(handles(mock, "created_at[gt]=2020-01-01")) == PUBLISHED
    assert handles(mock, "created_at[lt]=2020-01-01") == []


def test_pagination_and_order(mock: Mock) -> None:
    """Pages as TypeORM cuts them (quirks pagination-limit-zero, pagination-numbers-rounded,
    products-count-without-relations)."""
    by_title = handles(mock, "order=title&limit=5")
    assert by_title == ["tote-bag", "classic-cap", "crew-socks", "desk-mat", "notebook"]
    assert handles(mock, "order=-title&limit=2") == ["sticker-pack", "rain-jacket"]
    everything = handles(mock, "limit=100")
    assert handles(mock, "limit=3&offset=3") == everything[3:6]
    assert handles(mock, "limit=2&offset=1.5") == everything[2:4]  # PostgreSQL rounds
    body = get(mock, "/store/products?limit=0")  # TypeORM: take 0 is no limit
    assert (len(body["products"]), body["limit"]) == (PUBLISHED, 0)
    body = get(mock, "/store/products?expand=&limit=3")  # Medusa counts the page then
    assert body["count"] == 3 and set(body["products"][0]) == PRODUCT_COLUMNS


def test_expand_and_fields(mock: Mock) -> None:
    product = get(mock, "/store/products?fields=title&limit=1")["products"][0]
    assert set(product) == {"id", "created_at", "title", "collection", "images", "options",
                            "profiles", "tags", "type", "variants"}
    product = get(mock, "/store/products?expand=variants&limit=1")["products"][0]
    assert set(product) == PRODUCT_COLUMNS | {"variants"}
    assert set(product["variants"][0]) == VARIANT_COLUMNS
    product = get(mock, "/store/products?expand=variants,variants.prices&region_id=reg_uk"
                  "&limit=1")["products"][0]
    assert product["variants"][0]["calculated_price_incl_tax"] == 2040
    product = get(mock, "/store/products?expand=sales_channels&limit=1")["products"][0]
    assert [c["name"] for c in product["sales_channels"]] == ["Default Sales Channel",
                                                              "Wholesale"]
    product = get(mock, "/store/products?fields=-title&limit=1")["products"][0]
    assert "title" not in product and "profile_id" not in product and "handle" in product
    variant = get(mock, "/store/variants?fields=title&limit=1")["variants"][0]
    assert set(variant) == {"id", "created_at", "title", "options", "prices", "product",
                            "calculated_price", "original_price"} | PRICING
    region = get(mock, "/store/regions/reg_uk?fields=name")["region"]
    assert set(region) == {"id", "name", "countries", "currency", "fulfillment_providers",
                           "payment_providers"}


# Medusa's own messages where the document lets the value through to the route's DTO check ...
@pytest.mark.parametrize(("url", "status", "message"), [
    ("/store/products?foo=1&bar=2", 400,
     "property foo should not exist, property bar should not exist"),
    ("/store/products?q[]=a", 400, "q must be a string"),
    ("/store/products?tags[gt]=x", 400, "tags must be an array"),
    ("/store/collections?expand=x", 400, "property expand should not exist"),
    ("/store/product-tags?fields=value", 400, "property fields should not exist"),
    ("/store/product-categories?foo=bar", 400, "property foo should not exist"),
    ("/store/product-categories?fields=name", 500, "An unknown error occurred."),
    ("/store/shipping-options?foo=1", 400, "property foo should not exist"),
    ("/store/variants?limit=5&offset=1&ids=x&bar=1", 400, "property bar should not exist"),
])
def test_bad_query_values(mock: Mock, url: str, status: int, message: str) -> None:
    assert get(mock, url, status)["message"] == message


# ... and the same 400 `invalid_data` (with Connexion's wording) where the document's schema
# (a pattern, `minItems`, a type) refuses the value first; see `query-type-messages`.
@pytest.mark.parametrize("url", [
    "/store/products?tags=x",  # Medusa: tags must be an array
    "/store/collections?handle=x",  # Medusa: handle must be an array
    "/store/products?created_at[gt]=nope",  # Medusa: gt must be a Date instance
    "/store/products?created_at=2020",  # Medusa: nested property created_at must be ...
    "/store/products?expand=nope",  # Medusa: Requested fields [nope] are not valid
    "/store/products?expand=categories",  # (the product_categories flag is off)
    "/store/products?fields=nope",
    "/store/products?fields=titlex",  # Medusa: 500, the name reaches the database
    "/store/products?order=-nope",  # Medusa: Order field nope is not valid
    "/store/products?limit=abc",
    "/store/variants?expand=nope",
    "/store/variants?fields=nope",  # Medusa: 500
    "/store/variants?limit=1.5",  # Medusa: limit must be an integer number
    "/store/product-tags?order=-nope",
    "/store/shipping-options?is_return=yes",  # Medusa: is_return must be a boolean string
])
def test_bad_query_values_refused_by_the_document(mock: Mock, url: str) -> None:
    assert get(mock, url, 400)["type"] == "invalid_data"


def test_query_validation_without_the_document() -> None:
    """The DTO checks themselves, for values the document would refuse before them."""
    from mock_server._domain.errors import MedusaError
    from mock_server._http import _query

    def messages(spec: Any, raw: str) -> str:
        with pytest.raises(MedusaError) as info:
            _query.validate(spec, _query.normalize(_query.parse_qs(raw)))
        return info.value.message

    assert messages("GetProducts", "tags=x&limit=abc&foo=1") == (
        "property foo should not exist, limit must be a number conforming to the specified "
        "constraints, tags must be an array")
    assert messages("GetProducts", "created_at[gt]=nope&created_at[foo]=1") == (
        "property foo should not exist, gt must be a Date instance")
    assert messages("GetVariants", "limit=1.5") == "limit must be an integer number"
    assert messages("GetShippingOptions", "is_return=yes") == (
        "is_return must be a boolean string")
    parsed = _query.normalize(_query.parse_qs("tags[]=a,b&id=x&created_at[gt]=2020-01-01"))
    assert parsed == {"tags": ["a", "b"], "id": "x", "created_at": {"gt": "2020-01-01"}}
    assert _query.normalize(_query.parse_qs("a=1&a=2&b[]=c")) == {"a": ["1", "2"], "b": ["c"]}


# -- categories ----------------------------------------------------------------------------------
def test_categories_tree(mock: Mock) -> None:
    body = get(mock, "/store/product-categories")
    assert (body["count"], body["limit"], body["offset"]) == (12, 100, 0)  # internal one hidden
    first = body["product_categories"][0]
    assert set(first) == CATEGORY_FIELDS | {"category_children", "parent_category"}
    assert [c["handle"] for c in body["product_categories"][:4]] == [
        "apparel", "bags", "drinkware", "t-shirts"]  # rank, then handle
    assert [c["handle"] for c in first["category_children"]] == ["tops", "bottoms", "outerwear"]
    headwear = next(c for c in body["product_categories"] if c["id"] == "pcat_headwear")
    assert headwear["handle"] == "hats-caps"  # kebabCase(name), as Medusa derives it
    assert headwear["parent_category"]["handle"] == "accessories"
    assert headwear["description"] == ""

    roots = get(mock, "/store/product-categories?parent_category_id=null"
                      "&include_descendants_tree=true")["product_categories"]
    assert [c["handle"] for c in roots] == ["apparel", "accessories", "home-office"]
    tops = roots[0]["category_children"][0]
    assert {"is_active", "is_internal"} <= set(tops)
    assert [c["handle"] for c in tops["category_children"]] == ["t-shirts", "sweatshirts"]

    assert [c["handle"] for c in get(mock, "/store/product-categories?q=shirt")[
        "product_categories"]] == ["t-shirts", "sweatshirts"]
    category = get(mock, "/store/product-categories/pcat_apparel")["product_category"]
    assert list(category)[:9] == sorted(CATEGORY_FIELDS)  # Medusa's tree transformer sorts
    assert [c["handle"] for c in category["category_children"][0]["category_children"]] == [
        "t-shirts", "sweatshirts"]
    assert get(mock, "/store/product-categories/pcat_tops?fields=name")["product_category"][
        "parent_category"] == {"id": "pcat_apparel", "name": "Apparel"}
    assert get(mock, "/store/product-categories/pcat_staff_picks", 404)["message"] == (
        "ProductCategory with id: pcat_staff_picks, is_internal: false, is_active: true was "
        "not found")


# -- collections, tags, types --------------------------------------------------------------------
def test_collections_tags_types(mock: Mock) -> None:
    body = get(mock, "/store/collections")
    assert (body["count"], body["limit"], body["offset"]) == (4, 10, 0)
    assert [c["handle"] for c in body["collections"]] == ["merch", "essentials", "summer",
                                                          "home-office"]
    assert get(mock, "/store/collections?handle[]=summer&handle[]=merch")["count"] == 2
    assert get(mock, "/store/collections/pcol_summer")["collection"]["metadata"] == {
        "season": "summer"}
    assert get(mock, "/store/collections/nope", 404)["message"] == (
        "Product collection with id: nope was not found")
    tags = get(mock, "/store/product-tags")
    assert (tags["count"], tags["limit"]) == (14, 20)
    assert set(tags["product_tags"][0]) == {"id", "created_at", "updated_at", "value"}
    assert [t["value"] for t in get(mock, "/store/product-tags?q=co")["product_tags"]] == [
        "cotton", "eco"]
    assert [t["value"] for t in get(mock, "/store/product-tags?order=value&limit=2")[
        "product_tags"]] == ["bestseller", "ceramic"]
    types = get(mock, "/store/product-types")
    assert [t["value"] for t in types["product_types"]] == [
        "Apparel", "Homeware", "Accessories", "Stationery"]


# -- variants ------------------------------------------------------------------------------------
def test_variants(mock: Mock) -> None:
    body = get(mock, "/store/variants")
    assert set(body) == {"variants"} and len(body["variants"]) == 47  # drafts' variants too
    first = body["variants"][0]
    assert set(first) == VARIANT_COLUMNS | {"options", "product", "prices"} | PRICING
    assert set(first["product"]) == PRODUCT_COLUMNS
    ids = ",".join(v["id"] for v in body["variants"][:2])
    priced = get(mock, f"/store/variants?ids={ids}&region_id=reg_uk")["variants"]
    assert [v["calculated_price_incl_tax"] for v in priced] == [2040, 2040]
    one = get(mock, f"/store/variants/{first['id']}?currency_code=usd")["variant"]
    assert one["calculated_price"] == 2200
    assert [v["sku"] for v in get(mock, "/store/variants?title[]=XL&limit=50")["variants"]] == [
        "SWEAT-XL"]
    in_stock = get(mock, "/store/variants?inventory_quantity[gt]=99&limit=100")["variants"]
    assert all(v["inventory_quantity"] > 99 for v in in_stock)
    assert get(mock, "/store/variants/variant_nope", 404)["message"] == (
        "Variant with id: variant_nope was not found")


# -- search --------------------------------------------------------------------------------------
def search(mock: Mock, body: dict[str, Any], status: int = 200) -> Any:
    r = mock.client.post("/store/products/search", json=body)
    assert r.status_code == status, r.text
    return r.json()


def test_search(mock: Mock) -> None:
    """Search as a search plugin would answer (quirk search-without-plugin)."""
    hits = search(mock, {"q": "shirt"})["hits"]
    assert {h["handle"] for h in hits} == {"t-shirt", "sweatshirt", "linen-shirt"}
    assert [h["handle"] for h in search(mock, {"q": "HOODIE-M"})["hits"]] == ["hoodie"]
    assert [h["handle"] for h in search(mock, {"q": "bestseller"})["hits"]] == [
        "t-shirt", "coffee-mug", "backpack"]  # tags
    assert len(search(mock, {})["hits"]) == PUBLISHED
    assert len(search(mock, {"q": "shirt", "limit": 2, "offset": "1"})["hits"]) == 2
    assert len(search(mock, {"q": "shirt", "limit": "1", "whatever": True})["hits"]) == 1
    assert search(mock, {"q": 5}, 400)["message"] == "q must be a string"
    assert search(mock, {"limit": "x"}, 400)["type"] == "invalid_data"  # the document's pattern


# -- gift cards, shipping options, return reasons -----------------------------------------------
def test_gift_cards(mock: Mock) -> None:
    card = get(mock, "/store/gift-cards/DEMO-GIFT-NA25-0002")["gift_card"]
    assert set(card) == {"id", "code", "value", "balance", "region"}
    assert (card["value"], card["balance"], card["region"]["id"]) == (2500, 1200, "reg_na")
    assert set(card["region"]) == REGION_KEYS - {"countries", "currency",
                                                 "fulfillment_providers", "payment_providers"}
    # Medusa's store route does not hide disabled cards
    assert get(mock, "/store/gift-cards/DEMO-GIFT-UK10-0003")["gift_card"]["value"] == 1000
    assert get(mock, "/store/gift-cards/NOPE", 404) == {
        "type": "not_found", "message": "Gift card with code: NOPE was not found"}


def test_shipping_options(mock: Mock) -> None:
    options = get(mock, "/store/shipping-options")["shipping_options"]
    assert len(options) == 11 and set(options[0]) == SHIPPING_OPTION_KEYS
    express = next(o for o in options if o["name"] == "FakeEx Express")
    assert [(r["type"], r["amount"]) for r in express["requirements"]] == [("min_subtotal", 5000)]
    uk = get(mock, "/store/shipping-options?region_id=reg_uk&is_return=false")["shipping_options"]
    assert [(o["name"], o["price_incl_tax"], o["tax_amount"]) for o in uk] == [
        ("Royal Fake Mail", 600, 100), ("Gift Card Delivery (UK)", 0, 0)]
    returns = get(mock, "/store/shipping-options?is_return=true")["shipping_options"]
    assert {o["name"] for o in returns} == {"PostFake Return", "FakeEx Return",
                                            "Royal Fake Return"}
    # Medusa compares with the word "true": "1" selects the outbound options
    assert not any(o["is_return"] for o in get(
        mock, "/store/shipping-options?is_return=1")["shipping_options"])
    products = get(mock, "/store/products?is_giftcard=true")["products"]
    # Medusa 1.20 filters by the products' profile_id, which its products no longer carry: any
    # product_ids selects nothing (real Medusa answers [] for a gift card product too), and an
    # empty region_id filters nothing (quirk shipping-options-product-filter)
    for_gift = get(mock, f"/store/shipping-options?product_ids={products[0]['id']}")
    assert for_gift["shipping_options"] == []
    assert get(mock, "/store/shipping-options?product_ids=nope")["shipping_options"] == []
    assert get(mock, "/store/shipping-options?product_ids=,")["shipping_options"] == []
    assert len(get(mock, "/store/shipping-options?product_ids=&region_id=")[
        "shipping_options"]) == 11


def test_return_reasons(mock: Mock) -> None:
    reasons = get(mock, "/store/return-reasons")["return_reasons"]
    assert [r["value"] for r in reasons] == ["wrong_size", "damaged", "changed_mind"]
    wrong_size = reasons[0]
    assert "metadata" not in wrong_size and wrong_size["parent_return_reason"] is None
    assert [c["value"] for c in wrong_size["return_reason_children"]] == ["too_small", "too_big"]
    child = wrong_size["return_reason_children"][0]
    one = get(mock, f"/store/return-reasons/{child['id']}")["return_reason"]
    assert one["parent_return_reason"]["value"] == "wrong_size"
    assert one["return_reason_children"] == []
    assert get(mock, "/store/return-reasons/rr_nope", 404)["message"] == (
        "Return Reason with id: rr_nope was not found.")


# -- publishable API keys ------------------------------------------------------------------------
def test_publishable_keys(mock: Mock) -> None:
    """Keys scope the catalog; an unknown one scopes nothing (quirk
    publishable-key-unknown-ignored)."""
    demo = {"x-publishable-api-key": "pk_demo_storefront"}
    body = get(mock, "/store/products?limit=2", headers=demo)
    assert body["count"] == PUBLISHED
    assert [c["name"] for c in body["products"][0]["sales_channels"]] == [
        "Default Sales Channel", "Wholesale"]
    wholesale = {"x-publishable-api-key": "pk_wholesale"}
    assert handles_with(mock, wholesale) == ["t-shirt", "hoodie", "tote-bag", "backpack"]
    mug = next(p for p in mock.services.store.products.values() if p["handle"] == "coffee-mug")
    assert get(mock, f"/store/products/{mug['id']}", 400, headers=wholesale) == {
        "errors": [f"Product with id: {mug['id']} is not associated with sales channels defined "
                   "by the Publishable API Key passed in the header of the request."],
        "message": "Provided request body contains errors. Please check the data and retry the "
                   "request",
    }
    variant = next(v for v in mock.services.store.product_variants.values()
                   if v["product_id"] == mug["id"])
    assert "errors" in get(mock, f"/store/variants/{variant['id']}", 400, headers=wholesale)
    assert get(mock, "/store/products/prod_nope", 404, headers=wholesale)["type"] == "not_found"
    assert get(mock, "/store/products?sales_channel_id[]=sc_nope", 400, headers=demo)[
        "errors"] == ["Provided sales channel id param: sc_nope is not associated with the "
                      "Publishable API Key passed in the header of the request."]
    # an unknown key scopes nothing: every channel's products, and no error
    unknown = {"x-publishable-api-key": "pk_nope"}
    assert get(mock, "/store/products?limit=1", headers=unknown)["count"] == PUBLISHED
    # without a key, an unknown channel simply matches nothing
    assert get(mock, "/store/products?sales_channel_id[]=sc_nope")["count"] == 0


def handles_with(mock: Mock, headers: dict[str, str]) -> list[str]:
    return [p["handle"] for p in get(mock, "/store/products", headers=headers)["products"]]


def test_reset_restores_the_catalog(mock: Mock) -> None:
    variant = next(iter(mock.services.store.product_variants.values()))
    before = get(mock, f"/store/variants/{variant['id']}")["variant"]
    variant["inventory_quantity"] = 0
    assert mock.client.post("/_mock/reset").status_code == 200
    assert get(mock, f"/store/variants/{variant['id']}")["variant"] == before


# What node 20 answers for `transformDate` (new Date(v), else new Date(Number(v) * 1000)),
# recorded with `node -e` on this machine; None is an Invalid Date.
@pytest.mark.parametrize(("text", "iso"), [
    ("1473-06-31T19:46:36Z", "1473-07-01T19:46:36"),  # the day runs past June's end
    ("2021-02-31", "2021-03-03T00:00:00"),
    ("2020-01-05T24:00", "2020-01-06T00:00:00"),
    ("2020-01-05T10:00+0100", "2020-01-05T09:00:00"),
    ("2020-13-01", None),  # no month 13, and Number("2020-13-01") is NaN
    ("02", "2001-02-01T00:00:00"),  # a bare month
    ("32", "2032-01-01T00:00:00"),  # a two-digit year
    ("13", "1970-01-01T00:00:13"),  # not a date: seconds since the epoch
    ("971812", "1970-01-12T05:56:52"),
    ("", "1970-01-01T00:00:00"),  # Number("") is 0
    ("2020/01/05", "2020-01-05T00:00:00"),
    ("nope", None),
    ("9999999999999", None),  # past JavaScript's date range
])
def test_dates_are_read_like_javascript(text: str, iso: str | None) -> None:
    from mock_server._http import _query

    parsed = _query.parse_date(text)
    if iso is None:
        assert parsed is None
    else:
        assert parsed is not None and parsed.strftime("%Y-%m-%dT%H:%M:%S") == iso


# Medusa 500s the mock reproduces on purpose, each naming its quirk (recorded against a real
# Medusa 1.20.11 with curl): values PostgreSQL refuses once Medusa hands them over.
@pytest.mark.parametrize(("url", "quirk"), [
    ("/store/products?offset=1e19", "pagination-bigint-500"),
    ("/store/product-tags?limit=1e19", "pagination-bigint-500"),
    ("/store/regions?offset=9223372036854775808", "pagination-bigint-500"),
    ("/store/product-tags?created_at[gt]=02", "tag-date-bounds-raw-500"),
    ("/store/product-types?updated_at[lt]=2021-02-31", "tag-date-bounds-raw-500"),
    ("/store/orders?display_id=2147483648&email=a%40example.com", "display-id-int4-500"),
])
def test_database_refusals_are_medusas_500(mock: Mock, url: str, quirk: str) -> None:
    r = mock.client.get(url)
    assert r.status_code == 500 and r.headers["X-Medusa-Mock-Quirk"] == quirk
    assert r.json() == {"code": "unknown_error", "type": "unknown_error",
                        "message": "An unknown error occurred."}


@pytest.mark.parametrize("url", [
    "/store/products?offset=9223372036854775000",  # below 2^63 as a double: PostgreSQL takes it
    "/store/product-tags?created_at[gt]=2020-01-01",
    "/store/orders?display_id=2147483647&email=a%40example.com",  # in range: plain 404
])
def test_values_postgresql_reads_are_answered(mock: Mock, url: str) -> None:
    r = mock.client.get(url)
    assert r.status_code in (200, 404) and "X-Medusa-Mock-Quirk" not in r.headers


def test_order_fields_and_expand_narrow_the_answer(mock: Mock) -> None:
    base = "/store/orders?display_id=2&email=guest.two@example.com"
    r = mock.client.get(base + "&fields=nope")
    assert r.status_code == 400
    narrowed = mock.client.get(base + "&fields=id,total").json()["order"]
    assert {"id", "created_at", "total", "items"} <= set(narrowed)
    assert "email" not in narrowed and "status" not in narrowed
    expanded = mock.client.get(base + "&expand=items").json()["order"]
    assert "items" in expanded and "customer" not in expanded and "email" in expanded


def test_rows_seeded_together_keep_the_seeds_order(mock: Mock) -> None:
    """Equal ``created_at`` (one seeding transaction): the seed's order decides (quirk
    equal-timestamps-order)."""
    regions = get(mock, "/store/regions")["regions"]
    assert [r["id"] for r in regions] == ["reg_eu", "reg_na", "reg_uk"]
    countries = get(mock, "/store/regions/reg_eu")["region"]["countries"]
    assert [c["iso_2"] for c in countries][:2] == ["de", "fr"]
