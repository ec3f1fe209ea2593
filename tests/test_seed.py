"""Seeds: the bundled demo store, Medusa's own format, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

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
