"""Seeds: the bundled demo store, Medusa's own format, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_server import Settings, create_app
from mock_server._seed import SeedError, default_seed_path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "medusa-seed.sample.json"


def test_default_seed_supports_the_claim_flow() -> None:
    app = create_app(Settings())
    store = app.services.store
    guests = {o["email"] for o in store.orders.values()
              if not store.customers.get(o["customer_id"])["has_account"]}
    assert len(guests) >= 3
    assert any(c["has_account"] for c in store.customers.values())
    assert len(store.regions) >= 2


def test_seed_ids_are_stable_between_loads() -> None:
    a = create_app(Settings()).services.store
    b = create_app(Settings()).services.store
    assert sorted(a.orders.dump()) == sorted(b.orders.dump())


def test_medusa_seed_format_loads(tmp_path: Path) -> None:
    data = json.loads(default_seed_path().read_text())
    data.pop("customers")
    data.pop("orders")
    data.pop("order_edits")  # mock extensions: the edits are of the seeded orders
    path = tmp_path / "medusa.json"
    path.write_text(json.dumps(data))
    store = create_app(Settings(seed=path)).services.store
    assert len(store.orders) == 0 and len(store.products) == len(data["products"])


def test_reference_sample_seed_loads_when_present() -> None:
    if not SAMPLE.is_file():
        pytest.skip("the reference folder is not present here")
    store = create_app(Settings(seed=SAMPLE)).services.store
    assert len(store.regions) == 2


@pytest.mark.parametrize(("mutate", "path", "message"), [
    (lambda d: d["regions"][0].pop("currency_code"), "$.regions[0].currency_code", "required"),
    (lambda d: d["regions"][1].update(countries=["zz"]), "$.regions[1].countries[0]",
     "unknown country code 'zz'"),
    (lambda d: d["orders"][2]["items"][0].update(sku="NOPE"), "$.orders[2].items[0].sku",
     "no variant with sku 'NOPE'"),
    (lambda d: d["orders"][0].update(region="mars"), "$.orders[0].region", "no region"),
    (lambda d: d.update(customers={}), "$.customers", "must be a list"),
    (lambda d: d["orders"][1]["items"][0].update(quantity=0), "$.orders[1].items[0].quantity",
     "positive"),
])
def test_bad_seed_names_file_path_and_problem(tmp_path: Path, mutate, path: str,
                                              message: str) -> None:
    data = json.loads(default_seed_path().read_text())
    mutate(data)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data))
    with pytest.raises(SeedError) as info:
        create_app(Settings(seed=file))
    assert info.value.source == str(file)
    assert info.value.path == path
    assert message in info.value.message


def test_unreadable_seed(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="file not found"):
        create_app(Settings(seed=tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(SeedError, match="invalid JSON at line 1"):
        create_app(Settings(seed=broken))


# -- extensions that keep another deployment's ids (what `medusa-mock capture` writes) -----------
def _app(seed: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    return create_app(Settings(seed=path))


def minimal_seed(**product: Any) -> dict[str, Any]:
    """A region and one product (its keys replaced by ``product``)."""
    base = {"title": "Shirt", "handle": "shirt", "options": [{"title": "Size"}],
            "variants": [{"title": "S", "sku": "S", "options": [{"value": "S"}],
                          "prices": [{"currency_code": "eur", "amount": 100}]}]}
    return {"regions": [{"id": "reg_x", "name": "X", "currency_code": "eur", "tax_rate": 0,
                         "tax_code": "DE-STD", "countries": ["de"]}],
            "products": [{**base, **product}]}


def test_the_loader_keeps_the_ids_and_orders_a_capture_gives(tmp_path: Path) -> None:
    seed = minimal_seed(
        id="prod_1", images=[{"id": "img_1", "url": "https://x/1.png"}, "https://x/2.png"],
        options=[{"id": "opt_size", "title": "Size"}, {"id": "opt_color", "title": "Color"}],
        variants=[{"id": "variant_1", "title": "S / Red", "sku": "S-RED",
                   "options": [{"id": "optval_red", "value": "Red", "option_id": "opt_color"},
                               {"id": "optval_s", "value": "S", "option_id": "opt_size"}],
                   "prices": [{"id": "ma_1", "currency_code": "eur", "amount": 100},
                              {"id": "ma_2", "region_id": "reg_x", "amount": 90}]}],
        tags=[{"value": "b"}, {"value": "a"}])
    seed.update({
        "defaults": {"sales_channel": {"id": "sc_main", "name": "Web"},
                     "shipping_profile": {"id": "sp_main"},
                     "gift_card_shipping_profile": {"id": "sp_gift", "name": "Gifts"}},
        "product_tags": [{"id": "ptag_a", "value": "a"}, {"id": "ptag_b", "value": "b"}],
        "product_types": [{"id": "ptyp_t", "value": "T"}],
        "shipping_options": [{"id": "so_1", "name": "Post", "region_id": "reg_x",
                              "amount": 500, "requirements": [
                                  {"id": "sor_1", "type": "min_subtotal", "amount": 1}]}],
        "categories": [{"id": "pcat_1", "name": "One"}],
    })
    app = _app(seed, tmp_path)
    client = app.test_client()
    product = client.get("/store/products/prod_1", params={
        "expand": "images,options,variants,variants.options,variants.prices,tags,profiles,"
                  "sales_channels"}).json()["product"]
    assert [i["id"] for i in product["images"]] == ["img_1", product["images"][1]["id"]]
    assert [i["url"] for i in product["images"]] == ["https://x/1.png", "https://x/2.png"]
    assert [o["id"] for o in product["options"]] == ["opt_size", "opt_color"]
    variant = product["variants"][0]
    assert [(v["id"], v["option_id"]) for v in variant["options"]] == [
        ("optval_red", "opt_color"), ("optval_s", "opt_size")]
    assert sorted(p["id"] for p in variant["prices"]) == ["ma_1", "ma_2"]
    assert [t["id"] for t in product["tags"]] == ["ptag_a", "ptag_b"]  # in creation order
    assert product["profiles"][0]["id"] == "sp_main"
    assert product["sales_channels"] == [{**product["sales_channels"][0], "id": "sc_main",
                                          "name": "Web", "description": "Created by Medusa"}]
    tags = client.get("/store/product-tags").json()["product_tags"]
    assert [t["value"] for t in tags] == ["a", "b"]
    assert client.get("/store/product-types").json()["product_types"][0]["id"] == "ptyp_t"
    [option] = client.get("/store/shipping-options", params={"region_id": "reg_x"}).json()[
        "shipping_options"]
    assert option["id"] == "so_1" and option["requirements"][0]["id"] == "sor_1"
    assert option["profile_id"] == "sp_main"
    category = client.get("/store/product-categories/pcat_1").json()["product_category"]
    assert category["rank"] == 0
    assert client.get("/store/regions/reg_x").json()["region"]["tax_code"] == "DE-STD"
    profiles = {p["id"]: p for p in app.services.store.shipping_profiles.values()}
    assert profiles["sp_gift"]["name"] == "Gifts" and profiles["sp_gift"]["type"] == "gift_card"


def test_an_image_object_on_the_mock_itself_gets_the_public_url(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(minimal_seed(images=[
        {"id": "img_1", "url": "/uploads/a.png", "metadata": {"alt": "A"}}, "/uploads/b.png"])))
    app = create_app(Settings(seed=path, public_url="https://demo.example.test"))
    product = app.test_client().get("/store/products", params={"expand": "images"}).json()[
        "products"][0]
    assert [(i["id"], i["url"], i["metadata"]) for i in product["images"]] == [
        ("img_1", "https://demo.example.test/uploads/a.png", {"alt": "A"}),
        (product["images"][1]["id"], "https://demo.example.test/uploads/b.png", None)]


def test_without_the_extensions_the_loader_decides_as_before(tmp_path: Path) -> None:
    """No ``defaults``, no ids: Medusa's names, generated ids, values in the options' order."""
    seed = minimal_seed(options=[{"title": "Size"}, {"title": "Color"}],
                        variants=[{"title": "S / Red", "options": [{"value": "S"},
                                                                   {"value": "Red"}],
                                   "prices": [{"currency_code": "eur", "amount": 100}]}])
    app = _app(seed, tmp_path)
    client, store = app.test_client(), app.services.store
    assert sorted((p["name"], p["type"]) for p in store.shipping_profiles.values()) == [
        ("Default Shipping Profile", "default"), ("Gift Card Profile", "gift_card")]
    [channel] = store.sales_channels.values()
    assert (channel["name"], channel["description"]) == ("Default Sales Channel",
                                                         "Created by Medusa")
    [variant] = store.product_variants.values()
    options = {o["id"]: o["title"] for o in store.product_options.values()}
    assert [options[v["option_id"]] for v in variant["options"]] == ["Size", "Color"]
    assert all(v["id"].startswith("optval_") for v in variant["options"])
    assert client.get("/store/regions/reg_x").json()["region"]["tax_code"] == "DE-STD"
    del seed["regions"][0]["tax_code"]
    region = _app(seed, tmp_path).test_client().get("/store/regions/reg_x").json()["region"]
    assert region["tax_code"] is None


def test_a_generated_id_never_takes_one_the_file_gives(tmp_path: Path) -> None:
    """The loader's ids come from a fixed sequence; a file may hold one of them (a capture of a
    mock does): the loader passes over it instead of making two rows with one id."""
    first = _app(minimal_seed(), tmp_path).services.store
    [made] = [p["id"] for p in first.shipping_profiles.values() if p["type"] == "default"]
    seed = minimal_seed(id=made)  # the product takes the id the default profile got before
    store = _app(seed, tmp_path).services.store
    assert store.products.get(made)["title"] == "Shirt"
    ids = [p["id"] for p in store.shipping_profiles.values()]
    assert made not in ids and len(set(ids)) == 2


def _product(**changes: Any) -> dict[str, Any]:
    return {"products": [{**minimal_seed()["products"][0], **changes}]}


@pytest.mark.parametrize(("change", "where", "message"), [
    ({"defaults": []}, "$.defaults", "must be an object"),
    ({"defaults": {"sales_channel": "main"}}, "$.defaults.sales_channel", "must be an object"),
    ({"defaults": {"sales_channel": {"name": 7}}}, "$.defaults.sales_channel.name",
     "must be a string"),
    ({"defaults": {"shipping_profile": {"id": "sp"}, "gift_card_shipping_profile": {"id": "sp"}}},
     "$.defaults.gift_card_shipping_profile.id", "must differ"),
    (_product(variants=[{"title": "S", "options": [{"value": "S", "option_id": "opt_nope"}],
                         "prices": []}]),
     "$.products[0].variants[0].options[0].option_id", "is not another option of the product"),
    (_product(options=[{"id": "opt_a", "title": "Size"}, {"id": "opt_b", "title": "Color"}],
              variants=[{"title": "S", "prices": [], "options": [
                  {"value": "S", "option_id": "opt_a"}, {"value": "Red", "option_id": "opt_a"}]}]),
     "$.products[0].variants[0].options[1].option_id", "is not another option of the product"),
    (_product(options=[{"id": "opt_a", "title": "Size"}, {"id": "opt_a", "title": "Color"}]),
     "$.products[0].options[1].id", "duplicate id 'opt_a'"),
    (_product(images=[{"id": "img_1", "url": "a"}, {"id": "img_1", "url": "b"}]),
     "$.products[0].images[1].id", "already has another url"),
    (_product(images=[{"id": "img_1"}]), "$.products[0].images[0]",
     "must be a URL or an object with a url"),
    (_product(images=[{"url": "a", "metadata": []}]), "$.products[0].images[0].metadata",
     "must be an object"),
    (_product(variants=[{"title": "S", "options": [{"value": "S"}],
                         "prices": [{"id": 1, "currency_code": "eur", "amount": 1}]}]),
     "$.products[0].variants[0].prices[0].id", "must be a string"),
    ({"product_tags": [{"id": "ptag_1", "value": "a"}, {"id": "ptag_1", "value": "b"}]},
     "$.product_tags[1].id", "duplicate id 'ptag_1'"),
    ({"product_types": [{"id": "ptyp_1"}]}, "$.product_types[0]",
     "must be an object with a string value"),
    ({"shipping_options": [{"id": "so_1", "name": "A", "region_id": "reg_x", "amount": 1},
                           {"id": "so_1", "name": "B", "region_id": "reg_x", "amount": 1}]},
     "$.shipping_options[1].id", "duplicate id 'so_1'"),
    ({"shipping_options": [{"name": "A", "region_id": "reg_x", "amount": 1, "requirements": [
        {"id": 5, "type": "min_subtotal", "amount": 1}]}]},
     "$.shipping_options[0].requirements[0].id", "must be a string"),
    ({"regions": [{**minimal_seed()["regions"][0], "tax_code": 5}]}, "$.regions[0].tax_code",
     "must be a string"),
])
def test_the_loader_refuses_bad_extensions(tmp_path: Path, change: dict[str, Any], where: str,
                                           message: str) -> None:
    file = tmp_path / "seed.json"
    file.write_text(json.dumps({**minimal_seed(), **change}))
    with pytest.raises(SeedError) as info:
        create_app(Settings(seed=file))
    assert (info.value.source, info.value.path) == (str(file), where)
    assert message in info.value.message
