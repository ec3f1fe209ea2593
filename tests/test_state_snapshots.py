"""Saved states: ``GET /_mock/state`` exports a sandbox's whole state, ``PUT /_mock/state`` puts
it back (after checking it), ``serve --state FILE`` keeps it across restarts."""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from .conftest import JANE, Mock, make_mock
from .test_cli import CMD, _free_port, _wait


def _busy_state(mock: Mock) -> dict[str, str]:
    """A customer logged in by cookie with a cart and an order, a claim, a moved clock."""
    client = mock.client
    assert client.post("/store/customers", json={"email": "kept@example.com",
                                                  "password": "pw-kept"}).status_code == 200
    cart = client.post("/store/carts", json={"region_id": "reg_eu"}).json()["cart"]
    variant = next(iter(mock.services.store.product_variants.keys()))
    assert client.post(f"/store/carts/{cart['id']}/line-items",
                       json={"variant_id": variant, "quantity": 2}).status_code == 200
    order = mock.order(1)
    bearer = mock.bearer()
    assert client.post("/store/orders/batch/customer/token", json={"order_ids": [order["id"]]},
                       headers=bearer).status_code == 200
    assert client.post("/_mock/clock", json={"advance_seconds": 120}).status_code == 200
    return {"cart": cart["id"], "order": order["id"]}


def _answers(mock: Mock, ids: dict[str, str]) -> list[Any]:
    client = mock.client
    paths = [f"/store/carts/{ids['cart']}", f"/store/orders/{ids['order']}",
             "/store/customers/me", "/store/customers/me/orders", "/_mock/events",
             "/_mock/clock", "/store/orders?display_id=1&email=guest.one@example.com"]
    return [(p, client.get(p).status_code, client.get(p).text) for p in paths]


def test_export_reset_import_gives_identical_answers() -> None:
    mock = make_mock(frozen_time=1_700_000_000.0)
    ids = _busy_state(mock)
    before = _answers(mock, ids)
    state = mock.client.get("/_mock/state").json()
    assert state["format"] == "medusa-mock-state" and state["version"] == 1
    assert state["sandbox"] is None and state["clock"] == {"offset_seconds": 120.0}
    assert mock.client.post("/_mock/reset").status_code == 200
    assert _answers(mock, ids) != before
    r = mock.client.put("/_mock/state", json=state)
    assert r.status_code == 200
    assert r.json()["records"]["carts"] == 1
    assert _answers(mock, ids) == before
    assert mock.services.store.index_problems() == []


def test_an_import_continues_the_id_sequence() -> None:
    mock = make_mock()  # id_seed=7
    state = mock.client.get("/_mock/state").json()
    assert isinstance(state["ids"], list)
    first = mock.client.post("/store/carts", json={}).json()["cart"]["id"]
    mock.client.put("/_mock/state", json=state)
    assert mock.client.post("/store/carts", json={}).json()["cart"]["id"][:10] == first[:10]
    assert mock.services.ids.state() != state["ids"]


def _document(mock: Mock) -> dict[str, Any]:
    return dict(mock.client.get("/_mock/state").json())


BAD_DOCUMENTS = [
    # the document's schema says "object": the body validator answers first
    ("a list", lambda d: [d], "an unknown value was passed to the validate function"),
    ("another format", lambda d: {**d, "format": "something-else"},
     'not a medusa-mock state document: "format" must be "medusa-mock-state" '
     "(GET /_mock/state exports one)"),
    ("no format", lambda d: {k: v for k, v in d.items() if k != "format"},
     'not a medusa-mock state document: "format" must be "medusa-mock-state" '
     "(GET /_mock/state exports one)"),
    ("a later version", lambda d: {**d, "version": 2},
     "state format version 2 is not supported (this mock reads version 1)"),
    ("an unknown key", lambda d: {**d, "extra": 1}, "unknown key 'extra' in the state document"),
    ("no tables", lambda d: {k: v for k, v in d.items() if k != "tables"},
     '"tables" must be an object of table name -> list of rows'),
    ("an unknown table", lambda d: {**d, "tables": {**d["tables"], "widgets": []}},
     "unknown table 'widgets' (known: "),
    ("a table that is no list", lambda d: {**d, "tables": {**d["tables"], "carts": {}}},
     "table 'carts' must be a list of rows"),
    ("a row that is no object", lambda d: {**d, "tables": {**d["tables"], "carts": [1]}},
     "carts[0] must be an object"),
    ("a row without an id", lambda d: {**d, "tables": {**d["tables"], "carts": [{"x": 1}]}},
     'carts[0] has no string "id"'),
    ("a duplicate id", lambda d: {**d, "tables": {**d["tables"], "regions": [
        d["tables"]["regions"][0], d["tables"]["regions"][0]]}},
     "regions[1]: duplicate id 'reg_eu'"),
    ("bad counters", lambda d: {**d, "counters": {"order_display_id": -1}},
     '"counters" must map names to non-negative integers'),
    ("a clock going back", lambda d: {**d, "clock": {"offset_seconds": -5}},
     '"clock.offset_seconds" must be a non-negative number'),
    ("bad events", lambda d: {**d, "events": [{"name": 1}]},
     'events[0] must be an object with a string "name", an object "data" and a string '
     '"created_at"'),
    ("a bad id state", lambda d: {**d, "ids": [1, 2]},
     '"ids" must be [version, [625 integers], null]'),
]


@pytest.mark.parametrize(("change", "message"), [(c, m) for _, c, m in BAD_DOCUMENTS],
                         ids=[name for name, _, _ in BAD_DOCUMENTS])
def test_a_malformed_or_foreign_document_is_refused_and_changes_nothing(
        change: Any, message: str) -> None:
    mock = make_mock(frozen_time=1_700_000_000.0)
    ids = _busy_state(mock)
    document = change(copy.deepcopy(_document(mock)))
    store_before = mock.services.store.snapshot()
    answers_before = _answers(mock, ids)
    r = mock.client.put("/_mock/state", json=document)
    assert r.status_code == 400
    assert r.json()["type"] == "invalid_data"
    text = r.json()["message"]
    assert text.startswith(message if message.startswith("an unknown") else
                           "Invalid state document: " + message), text
    assert mock.services.store.snapshot() == store_before
    assert _answers(mock, ids) == answers_before


def test_save_without_a_state_file_is_refused(mock: Mock) -> None:
    r = mock.client.post("/_mock/state/save")
    assert r.status_code == 400
    assert r.json()["type"] == "not_allowed"


def test_a_state_file_is_loaded_at_start_and_saved_on_request(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    mock = make_mock(state_file=path, frozen_time=1_700_000_000.0)
    ids = _busy_state(mock)
    answers = _answers(mock, ids)
    r = mock.client.post("/_mock/state/save")
    assert r.json() == {"saved": True, "path": str(path)}
    assert json.loads(path.read_text())["tables"]["carts"][0]["id"] == ids["cart"]
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left
    again = make_mock(state_file=path, frozen_time=1_700_000_000.0)
    again.client.cookies.update(mock.client.cookies)
    assert _answers(again, ids) == answers
    sandbox = again.client.post("/_sandbox/alice/_mock/state/save")
    assert sandbox.status_code == 400  # only the default sandbox is saved


def _serve(port: int, state: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(CMD + ["serve", "--port", str(port), "--state", str(state)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_serve_keeps_the_state_across_a_clean_stop(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    port = _free_port()
    proc = _serve(port, state)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/store/regions")
        request = urllib.request.Request(f"{base}/store/carts", data=b"{}", method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            cart_id = json.loads(answer.read())["cart"]["id"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert out.splitlines()[-2:] == [f"medusa-mock: state saved to {state}",
                                     "medusa-mock: stopped"]
    proc = _serve(port, state)
    try:
        body = json.loads(_wait(f"{base}/store/carts/{cart_id}"))
        assert body["cart"]["id"] == cart_id
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", "is not valid JSON: "),
    ('{"format": "medusa-mock-state", "version": 1, "tables": {"carts": [{}]}}',
     ': carts[0] has no string "id"'),
    ('{"tables": {}}', ': not a medusa-mock state document'),
])
def test_a_corrupt_state_file_stops_the_start_in_one_line(
        tmp_path: Path, content: str, problem: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(content)
    out = subprocess.run(CMD + ["serve", "--port", str(_free_port()), "--state", str(state)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"medusa-mock: bad state file: {state}")
    assert problem in lines[0]
    assert state.read_text() == content  # left as it was


def test_jane_can_still_log_in_after_a_round_trip(mock: Mock) -> None:
    state = mock.client.get("/_mock/state").json()
    mock.client.post("/_mock/reset")
    assert mock.client.put("/_mock/state", json=state).status_code == 200
    assert mock.client.post("/store/auth", json=JANE).status_code == 200
