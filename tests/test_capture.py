"""``medusa-mock capture``: a Store API's catalog as a seed, and ``--verify`` (the copy answers
the catalog reads like the source). The seed loader's id-keeping extensions a capture uses are
tested in ``test_seed.py``.

The source is the mock serving the default seed (a subprocess); the copy is the mock serving the
capture. The same check against a real Medusa runs in CI (`.ci/run`).
"""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_server._tools.capture import Progress, build_seed, crawl
from mock_server._tools.capture.verify import compare
from mock_server._tools.sides import Answer

from .test_cli import _free_port, _wait
from .test_seed import minimal_seed

CMD = [sys.executable, "-m", "mock_server"]


def _serve(*args: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen([*CMD, "serve", "--port", str(port), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/store/regions")
    except OSError:
        process.kill()
        raise AssertionError(process.communicate()[1]) from None
    return process, base


@pytest.fixture(scope="module")
def source() -> Iterator[str]:
    process, base = _serve()
    yield base
    process.terminate()
    process.communicate(timeout=15)


def _capture(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, "capture", *args], capture_output=True, text=True, timeout=300)


def _verify_copy(source: str, seed: Path, report: Path, *extra: str
                 ) -> tuple[subprocess.CompletedProcess, dict[str, Any]]:
    """Serve ``seed`` (the copy) and compare its catalog reads with the source's."""
    copy, copy_url = _serve("--seed", str(seed))
    try:
        done = _capture(source, "--verify", copy_url, "--report-dir", str(report), "--quiet",
                        *extra)
    finally:
        copy.terminate()
        copy.communicate(timeout=15)
    return done, json.loads((report / "verify.json").read_text())


# -- the round trip -----------------------------------------------------------------------------
def test_a_capture_served_answers_every_catalog_read_like_its_source(source: str,
                                                                     tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    done = _capture(source, "-o", str(seed))
    assert done.returncode == 0, done.stderr
    assert "3 regions, 20 products, 46 variants" in done.stdout
    for what in ("customers", "orders", "discounts", "gift cards"):
        assert f"  - {what}: add them with" in done.stdout
    checked, data = _verify_copy(source, seed, tmp_path / "report", "--min-agreement", "99")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert data["reads"] > 300 and data["agreement"] == 100.0, data["disagreements"][:3]
    assert set(data["operations"]) == {
        "GetRegions", "GetRegionsRegion", "GetProducts", "GetProductsProduct", "GetVariants",
        "GetVariantsVariant", "GetCollections", "GetCollectionsCollection",
        "GetProductCategories", "GetProductCategoriesCategory", "GetProductTags",
        "GetProductTypes", "GetShippingOptions", "GetReturnReasons", "GetReturnReasonsReason"}
    assert "| `GetProducts` |" in (tmp_path / "report" / "verify.md").read_text()


def test_a_copy_of_a_small_store_loads_without_id_clashes(tmp_path: Path) -> None:
    """A mock's generated ids come from a fixed sequence: the copy's loader must not make one
    that the captured file already gives (here the default shipping profile's, when no gift
    card shows the gift card profile's)."""
    small = tmp_path / "small.json"
    small.write_text(json.dumps(minimal_seed(
        shipping_options=[{"name": "Post", "region_id": "reg_x", "amount": 500}])))
    process, base = _serve("--seed", str(small))
    try:
        seed = tmp_path / "seed.json"
        assert _capture(base, "-o", str(seed), "--quiet").returncode == 0
        assert "gift_card_shipping_profile" not in json.loads(seed.read_text())["defaults"]
        checked, data = _verify_copy(base, seed, tmp_path / "report")
    finally:
        process.terminate()
        process.communicate(timeout=15)
    assert checked.returncode == 0, checked.stderr
    assert data["agreement"] == 100.0, data["disagreements"][:2]


def test_verify_finds_a_copy_that_differs(source: str, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    assert _capture(source, "-o", str(seed)).returncode == 0
    data = json.loads(seed.read_text())
    data["products"][0]["variants"][0]["prices"][0]["amount"] += 1
    data["product_collections"][0]["title"] = "Renamed"
    seed.write_text(json.dumps(data))
    checked, report = _verify_copy(source, seed, tmp_path / "report", "--min-agreement", "99")
    assert checked.returncode == 1
    reasons = [r for row in report["disagreements"] for r in row["reasons"]]
    assert any(r.endswith(".amount: 1950 vs 1951") for r in reasons), reasons[:5]
    assert any('.title: "Medusa Merch" vs "Renamed"' in r for r in reasons)
    assert report["operations"]["GetCollectionsCollection"]["agreeing"] == 3
    [renamed] = [row for row in report["disagreements"]
                 if row["operation"] == "GetCollectionsCollection"]
    path = renamed["request"].split(" ", 1)[1]
    assert renamed["curl"]["source"] == f"curl -sS -i {source}{path}"
    assert renamed["curl"]["copy"].startswith("curl -sS -i http://127.0.0.1:")
    assert renamed["curl"]["copy"].endswith(path)


def test_a_publishable_key_is_kept_with_the_channel_it_shows(source: str,
                                                             tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    done = _capture(source, "-o", str(seed), "--publishable-key", "pk_wholesale", "--quiet")
    assert done.returncode == 0, done.stderr
    data = json.loads(seed.read_text())
    assert [p["handle"] for p in data["products"]] == ["t-shirt", "hoodie", "tote-bag",
                                                       "backpack"]
    [channel] = data["sales_channels"]
    assert channel["name"] == "Wholesale" and channel["publishable_api_keys"][0]["id"] == (
        "pk_wholesale")
    checked, report = _verify_copy(source, seed, tmp_path / "report", "--publishable-key",
                                   "pk_wholesale")
    assert checked.returncode == 0 and report["agreement"] == 100.0, report["disagreements"][:2]


def test_regions_can_be_chosen(source: str, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    assert _capture(source, "-o", str(seed), "--region", "EU", "--quiet").returncode == 0
    data = json.loads(seed.read_text())
    assert [r["id"] for r in data["regions"]] == ["reg_eu"]
    assert {o["region_id"] for o in data["shipping_options"]} == {"reg_eu"}
    unknown = _capture(source, "-o", str(tmp_path / "x.json"), "--region", "Mars")
    assert unknown.returncode == 2 and "no region 'Mars'" in unknown.stderr
    assert "EU reg_eu" in unknown.stderr and not (tmp_path / "x.json").exists()


def test_usage_and_connection_errors(tmp_path: Path) -> None:
    neither = _capture("http://127.0.0.1:1")
    assert neither.returncode == 2 and "-o FILE or --verify" in neither.stderr
    out = tmp_path / "seed.json"
    down = _capture(f"http://127.0.0.1:{_free_port()}", "-o", str(out))
    assert down.returncode == 2 and "cannot reach" in down.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_verify_names_the_side_it_cannot_reach(source: str, tmp_path: Path) -> None:
    port = _free_port()
    done = _capture(source, "--verify", f"http://127.0.0.1:{port}", "--quiet",
                    "--report-dir", str(tmp_path / "report"))
    assert done.returncode == 2
    assert f"cannot reach the copy http://127.0.0.1:{port}: " in done.stderr
    assert not (tmp_path / "report").exists()


# -- the crawl in process -----------------------------------------------------------------------
def test_every_list_is_paged_to_its_end(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = crawl(source)
    monkeypatch.setattr(importlib.import_module("mock_server._tools.capture.crawl"), "PAGE", 5)
    paged = crawl(source)
    assert paged.requests > whole.requests + 20
    for name in ("regions", "products", "categories", "collections", "tags", "types",
                 "category_products", "priced"):
        assert getattr(paged, name) == getattr(whole, name), name
    assert len(paged.products) == 20 and len(paged.tags) == 14


def test_a_deployment_without_sales_channels_is_captured_without_them(
        source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("mock_server._tools.capture.crawl")
    real_get = module.StoreClient.get

    def refusing(self: Any, path: str, params: Any = None, **kwargs: Any) -> Any:
        if "sales_channels" in str((params or {}).get("expand", "")):
            raise module.CaptureError("GET /store/products answered 400: Relations "
                                      "[sales_channels] are not valid")
        return real_get(self, path, params, **kwargs)

    monkeypatch.setattr(module.StoreClient, "get", refusing)
    seed, notes = build_seed(crawl(source))
    assert len(seed["products"]) == 20 and seed["sales_channels"] == []
    assert notes == ["the deployment does not show products' sales channels: every product "
                     "goes to the default channel"]


def test_the_seed_keeps_what_the_store_api_shows(source: str) -> None:
    catalog = crawl(source)
    seed, notes = build_seed(catalog)
    assert notes == []
    assert seed["defaults"]["sales_channel"]["name"] == "Default Sales Channel"
    assert seed["defaults"]["gift_card_shipping_profile"]["id"].startswith("sp_")
    shirt = next(p for p in seed["products"] if p["handle"] == "t-shirt")
    assert shirt["categories"] == [{"id": "pcat_tshirts"}]
    assert [t["value"] for t in shirt["tags"]] == ["cotton", "unisex", "bestseller"]
    small = shirt["variants"][0]
    assert small["sku"] == "TSHIRT-S" and small["inventory_quantity"] > 0
    assert sorted((p.get("currency_code"), p["amount"]) for p in small["prices"]) == [
        ("eur", 1950), ("gbp", 1700), ("usd", 2200)]
    assert all(p["id"].startswith("ma_") for p in small["prices"])
    tree = {c["handle"]: [k["handle"] for k in c.get("category_children", [])]
            for c in seed["categories"]}
    assert tree["apparel"] == ["tops", "bottoms", "outerwear"]
    reasons = {r["value"]: [k["value"] for k in r.get("children", [])]
               for r in seed["return_reasons"]}
    assert reasons == {"wrong_size": ["too_small", "too_big"], "damaged": [],
                       "changed_mind": []}


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = Progress(stream)
        bar.update("products", 100, 250)
        bar.update("products", 250, 250)
        bar.update("products", 250, 250)
    assert "\rcapture: products" in terminal.getvalue() and "100/250" in terminal.getvalue()
    assert "[########################] 250/250" in terminal.getvalue()
    assert pipe.getvalue() == "capture: products: 250\n"
    quiet = io.StringIO()
    Progress(quiet, quiet=True).update("products", 1, 1)
    assert quiet.getvalue() == ""


def test_unordered_relations_compare_as_sets_and_everything_else_in_order() -> None:
    def answer(body: Any) -> Answer:
        return Answer(200, "application/json", json.dumps(body), body)

    a = {"product": {"tags": [{"id": 1}, {"id": 2}], "variants": [{"id": "a"}, {"id": "b"}],
                     "created_at": "x"}}
    b = {"product": {"tags": [{"id": 2}, {"id": 1}], "variants": [{"id": "a"}, {"id": "b"}],
                     "created_at": "y"}}
    notes: list[str] = []
    assert compare(answer(a), answer(b), notes) == []
    assert notes == ["$.product.tags: the same items in another order"]
    c = {"product": {"tags": [{"id": 1}, {"id": 2}], "variants": [{"id": "b"}, {"id": "a"}]}}
    assert compare(answer(a), answer(c))[0] == '$.product.variants[0].id: "a" vs "b"'
    assert compare(answer(a), Answer(404, "text/html", "x")) == [
        "status 200 vs 404", "content-type application/json vs text/html",
        "the bodies differ (not JSON)"]
