"""Answers recorded on a real Medusa 1.20.11 (``tests/data/observed_real_medusa.json``), replayed
against the mock: query DTOs checked before the route, query and body numbers as JavaScript reads
them, keyless query pairs ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_server._http._validation import js_numbers

from .conftest import Mock

DATA = json.loads((Path(__file__).parent / "data" / "observed_real_medusa.json").read_text())


def _fill(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**variables)
    if isinstance(value, dict):
        return {k: _fill(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, variables) for v in value]
    return value


def _path(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
def test_the_mock_answers_as_real_medusa_did(mock: Mock, case: dict[str, Any]) -> None:
    variant = mock.client.get("/store/products?limit=1").json()["products"][0]["variants"][0]
    headers = mock.bearer() if case.get("auth") else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if "body" in case:
        kwargs["json"] = _fill(case["body"], {"variant_id": variant["id"]})
    response = mock.client.request(case["method"], case["path"], **kwargs)
    assert response.status_code == case["status"], response.text
    media = response.headers.get("content-type", "").split(";")[0]
    if "content_type" in case:
        assert media == case["content_type"]
    if "type" in case or "message" in case:
        body = response.json()
        assert body.get("type") == case.get("type", body.get("type"))
        assert body.get("message") == case.get("message", body.get("message"))
    for key, value in (case.get("json") or {}).items():
        assert response.json()[key] == value
    for key, length in (case.get("json_len") or {}).items():
        assert len(response.json()[key]) == length
    for dotted, value in (case.get("json_path") or {}).items():
        assert _path(response.json(), dotted) == value
        assert type(_path(response.json(), dotted)) is type(value)


def test_whole_floats_become_integers_within_javascripts_safe_range() -> None:
    assert js_numbers({"a": [1.0, 2.5, {"b": -0.0}], "c": "1.0"}) == (
        {"a": [1, 2.5, {"b": 0}], "c": "1.0"}, True)
    assert js_numbers({"a": 1, "b": [2]}) == ({"a": 1, "b": [2]}, False)
    big = float(2 ** 60)
    assert js_numbers(big) == (big, False)  # beyond 2**53 a float stays a float


def test_a_line_item_quantity_of_one_point_zero_is_one(mock: Mock) -> None:
    region = mock.client.get("/store/regions").json()["regions"][0]["id"]
    cart = mock.client.post("/store/carts", json={"region_id": region}).json()["cart"]
    variant = mock.client.get(f"/store/products?region_id={region}&limit=1").json()[
        "products"][0]["variants"][0]["id"]
    added = mock.client.post(f"/store/carts/{cart['id']}/line-items",
                             json={"variant_id": variant, "quantity": 1.0})
    assert added.status_code == 200, added.text
    line = added.json()["cart"]["items"][0]
    changed = mock.client.post(f"/store/carts/{cart['id']}/line-items/{line['id']}",
                               json={"quantity": 3.0})
    assert changed.status_code == 200, changed.text
    assert changed.json()["cart"]["items"][0]["quantity"] == 3
