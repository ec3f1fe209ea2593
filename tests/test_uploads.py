"""The demo store's images: served by the mock, one per product, absolute URLs from the public
base URL, outside the control plane."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server._http._middleware.uploads import upload_files
from mock_server._seed import default_seed_path

from .conftest import Mock, make_mock

ROOT = Path(__file__).resolve().parents[1]


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n" and content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def test_every_listed_product_has_a_picture_served_by_the_mock() -> None:
    mock = make_mock(port=9123)
    products = mock.client.get("/store/products", params={"limit": 100}).json()["products"]
    assert len(products) >= 20
    seen = set()
    for product in products:
        urls = [product["thumbnail"], *(image["url"] for image in product["images"])]
        for url in urls:
            assert url.startswith("http://localhost:9123/uploads/"), (product["title"], url)
            answer = mock.client.get(url.removeprefix("http://localhost:9123"))
            assert answer.status_code == 200
            assert answer.headers["content-type"] == "image/png"
            assert answer.headers["cache-control"] == "public, max-age=86400"
            assert _png_size(answer.content) == (600, 750)
            seen.add(answer.headers["etag"])
    assert len(seen) == len(upload_files())  # distinct images, each one used


def test_the_public_url_and_seeds_with_their_own_urls(tmp_path: Path) -> None:
    mock = make_mock(public_url="https://demo.example.test/")
    product = mock.client.get("/store/products", params={"limit": 1}).json()["products"][0]
    assert product["thumbnail"].startswith("https://demo.example.test/uploads/")
    seed = json.loads(default_seed_path().read_text())
    seed["products"][0]["images"] = ["https://cdn.example.test/a.png"]
    seed["products"][0]["thumbnail"] = "https://cdn.example.test/t.png"
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    own = make_mock(seed=tmp_path / "seed.json")
    handle = seed["products"][0]["handle"]
    product = own.client.get("/store/products", params={"handle": handle}).json()["products"][0]
    assert product["thumbnail"] == "https://cdn.example.test/t.png"
    assert [i["url"] for i in product["images"]] == ["https://cdn.example.test/a.png"]


def test_a_captured_seed_keeps_the_sources_urls(tmp_path: Path) -> None:
    """A capture holds what its source answered: paths stay paths, as the source served them."""
    seed = json.loads(default_seed_path().read_text())
    seed["_capture"] = {"source": "http://shop.example.test"}
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    copy = make_mock(seed=tmp_path / "seed.json")
    handle = seed["products"][0]["handle"]
    product = copy.client.get("/store/products", params={"handle": handle}).json()["products"][0]
    assert [i["url"] for i in product["images"]] == seed["products"][0]["images"]
    assert product["thumbnail"].startswith("/uploads/")
    assert all(url.startswith("/uploads/") for url in seed["products"][0]["images"])


def test_conditional_get_head_and_unknown_files(mock: Mock) -> None:
    first = mock.client.get("/uploads/backpack.png")
    again = mock.client.get("/uploads/backpack.png",
                            headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = mock.client.head("/uploads/backpack.png")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(first.content))
    for path in ("/uploads/nope.png", "/uploads/../_state/seeds/default.json",
                 "/uploads/%2e%2e/seeds/default.json", "/uploads/"):
        missing = mock.client.get(path)
        assert missing.status_code == 404, path
        assert missing.json()["type"] == "not_found"


def test_images_are_there_without_the_control_plane() -> None:
    mock = make_mock(control=False)
    assert mock.client.get("/uploads/backpack.png").status_code == 200
    assert mock.client.get("/_mock/events").status_code == 404


def test_the_committed_images_are_what_the_script_draws(tmp_path: Path) -> None:
    """scripts/make-demo-images is deterministic and the committed files are its output."""
    script = ROOT / "scripts" / "make-demo-images"
    if not script.exists():
        pytest.skip("not a source checkout")
    before = {name: content for name, (_, _, content) in upload_files().items()}
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True,
                   capture_output=True)
    after = {f.name: f.read_bytes() for f in tmp_path.glob("*.png")}
    assert after == before
