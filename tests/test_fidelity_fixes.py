"""Answers recorded on a real Medusa 1.20.11 (``tests/data/observed_real_medusa.json``), replayed
against the mock: query DTOs checked before the route, query and body numbers as JavaScript reads
them, keyless query pairs ignored, countries named in addresses, line quantities, empty filters,
regions without payment providers, ...

A case may first play ``steps`` (requests whose answers give variables, ``capture``), on the
default seed or on ``tests/data/seeds/nordic.json`` (``"seed": "nordic"``). The same cases can be
played against a real server to check them again::

    python -m tests.test_fidelity_fixes http://127.0.0.1:9100 [--seed nordic]
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any

import pytest

from mock_server._http._validation import js_numbers

from .conftest import JANE, Mock, make_mock

DATA = json.loads((Path(__file__).parent / "data" / "observed_real_medusa.json").read_text())
SEEDS = {"default": None, "nordic": Path(__file__).parent / "data" / "seeds" / "nordic.json"}
_MISSING = object()


def _fill(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in variables:
            return variables[value[1:-1]]  # a whole value keeps its type
        return value.format(**variables)
    if isinstance(value, dict):
        return {k: _fill(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, variables) for v in value]
    return value


def _path(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(body, list):
            body = body[int(part)]
        elif isinstance(body, dict) and part in body:
            body = body[part]
        else:
            return _MISSING
    return body


def variables(client: Any) -> dict[str, Any]:
    """What every case may name: the first region, a variant of the first product (priced
    there), one of another product, and a token unique to this replay."""
    region = client.get("/store/regions").json()["regions"][0]["id"]
    products = client.get(f"/store/products?region_id={region}&limit=2").json()["products"]
    return {"region_id": region, "variant_id": products[0]["variants"][0]["id"],
            "other_variant_id": products[1]["variants"][0]["id"],
            "unique": secrets.token_hex(4)}


def _send(client: Any, step: dict[str, Any], known: dict[str, Any]) -> Any:
    headers = {k: _fill(v, known) for k, v in (step.get("headers") or {}).items()}
    if step.get("auth"):
        token = client.post("/store/auth/token", json=JANE).json()["access_token"]
        headers["Authorization"] = f"Bearer {token}"
    kwargs: dict[str, Any] = {"headers": headers}
    if "body" in step:
        kwargs["json"] = _fill(step["body"], known)
    return client.request(step["method"], _fill(step["path"], known), **kwargs)


def replay(client: Any, case: dict[str, Any]) -> tuple[list[str], Any]:
    """Play a case (its steps, then its request): how the answer differs from what was
    recorded (an empty list: as recorded), and the answer."""
    known = variables(client)
    for step in case.get("steps", []):
        answer = _send(client, step, known)
        if answer.status_code != step.get("status", 200):
            return [f"step {step['method']} {step['path']}: {answer.status_code} "
                    f"{answer.text[:300]}"], answer
        for name, dotted in (step.get("capture") or {}).items():
            known[name] = _path(answer.json(), dotted)
    response = _send(client, case, known)
    problems = []
    if response.status_code != case["status"]:
        problems.append(f"status {response.status_code}: {response.text[:300]}")
    media = response.headers.get("content-type", "").split(";")[0]
    if "content_type" in case and media != case["content_type"]:
        problems.append(f"content-type {media}")
    if problems:
        return problems, response
    body = response.json() if media == "application/json" else None
    expected = _fill({k: case[k] for k in ("message", "json", "json_path") if k in case}, known)
    if "type" in case or "message" in case:
        for key in ("type", "message"):
            wanted = expected.get(key, case.get(key))
            if key in case and body.get(key) != wanted:
                problems.append(f"{key} {body.get(key)!r}")
    for key, value in (expected.get("json") or {}).items():
        if body.get(key) != value:
            problems.append(f"{key} {body.get(key)!r}")
    for dotted, length in (case.get("json_len") or {}).items():
        found = _path(body, dotted)
        if found is _MISSING or len(found) != length:
            problems.append(f"{dotted}: {'absent' if found is _MISSING else len(found)} items")
    for dotted, value in (expected.get("json_path") or {}).items():
        found = _path(body, dotted)
        if found != value or type(found) is not type(value):
            problems.append(f"{dotted}: {found!r}")
    for dotted in case.get("absent") or []:
        if _path(body, dotted) is not _MISSING:
            problems.append(f"{dotted} is there")
    return problems, response


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
def test_the_mock_answers_as_real_medusa_did(case: dict[str, Any]) -> None:
    mock = make_mock(seed=SEEDS[case.get("seed", "default")])
    problems, response = replay(mock.client, case)
    assert problems == []
    if case["status"] == 500:  # a 500 the mock answers on purpose says which quirk it is
        assert response.headers.get("x-medusa-mock-quirk")


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


if __name__ == "__main__":  # pragma: no cover - checks the recorded answers against a server
    import httpx

    url = sys.argv[1]
    seed = sys.argv[sys.argv.index("--seed") + 1] if "--seed" in sys.argv else "default"
    failed = 0
    for entry in DATA["cases"]:
        if entry.get("seed", "default") != seed:
            continue
        with httpx.Client(base_url=url, timeout=60) as real:  # no session cookie carried over
            found, _answer = replay(real, entry)
        failed += bool(found)
        print(("ok   " if not found else "DIFF ") + entry["name"] + "".join(
            f"\n       {p}" for p in found))
    sys.exit(1 if failed else 0)
