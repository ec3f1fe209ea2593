"""The request journal: what the mock received and answered, newest last, bounded, filtered."""

from __future__ import annotations

import threading

import pytest

from mock_server._http._journal import BODY_LIMIT
from mock_server._state.clock import to_iso

from .conftest import Mock, make_mock

FROZEN = 1_700_000_000.0


def entries(mock: Mock, **query: object) -> list[dict]:
    answer = mock.client.get("/_mock/requests", params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()["requests"]


def test_an_entry_holds_the_request_and_its_answer() -> None:
    mock = make_mock(frozen_time=FROZEN)
    mock.client.get("/store/products", params={"limit": 1})
    mock.client.post("/store/carts", json={"region_id": "reg_eu"})
    mock.services.clock.advance(30)
    mock.client.get("/store/nowhere")
    first, cart, missing = entries(mock)
    assert first["method"] == "GET" and first["path"] == "/store/products"
    assert first["query"] == "limit=1" and first["operation_id"] == "GetProducts"
    assert first["status"] == 200 and first["time"] == to_iso(FROZEN)
    assert first["response_body"]["limit"] == 1 and not first["response_body_truncated"]
    assert first["request_body"] is None and first["duration_ms"] >= 0
    assert (first["sandbox"], first["fault"]) == (None, None)
    assert cart["operation_id"] == "PostCart" and cart["status"] == 200
    assert cart["request_body"] == {"region_id": "reg_eu"}
    assert cart["response_body"]["cart"]["region_id"] == "reg_eu"
    assert missing["status"] == 404 and missing["operation_id"] is None
    assert missing["time"] == to_iso(FROZEN + 30)
    assert [e["id"] for e in (first, cart, missing)] == sorted(e["id"] for e in (first, cart,
                                                                                 missing))


def test_replayed_answers_are_journaled() -> None:
    mock = make_mock(read_cache="on")
    for _ in range(3):
        assert mock.client.get("/store/regions").status_code == 200
    assert mock.app.answer_cache.hits >= 2
    got = entries(mock, operation="GetRegions")
    assert len(got) == 3 and len({str(e["response_body"]) for e in got}) == 1


def test_bodies_are_cut_at_the_documented_size(mock: Mock) -> None:
    note = "x" * (BODY_LIMIT * 2)
    mock.client.post("/store/carts", json={"region_id": "reg_eu", "context": {"note": note}})
    entry = entries(mock)[-1]
    assert entry["request_body_truncated"] is True
    assert isinstance(entry["request_body"], str) and len(entry["request_body"]) == BODY_LIMIT
    products = entries(mock) and mock.client.get("/store/products", params={"limit": 20})
    assert len(products.content) > BODY_LIMIT
    entry = entries(mock)[-1]
    assert entry["response_body_truncated"] is True
    assert entry["response_body"] == products.text[:BODY_LIMIT]


def test_a_binary_answer_has_no_body_in_the_journal(mock: Mock) -> None:
    assert mock.client.get("/uploads/backpack.png").status_code == 200
    entry = entries(mock)[-1]
    assert entry["response_content_type"] == "image/png" and entry["response_body"] is None


def test_filters() -> None:
    mock = make_mock(frozen_time=FROZEN)
    mock.client.get("/store/regions")
    mock.client.get("/store/regions/nope")
    mock.services.clock.advance(60)
    mock.client.post("/store/carts", json={})
    mock.client.get("/store/products/nope")
    every = entries(mock)
    assert [e["operation_id"] for e in entries(mock, operation="GetRegionsRegion")] == [
        "GetRegionsRegion"]
    assert [e["path"] for e in entries(mock, method="post")] == ["/store/carts"]
    assert [e["path"] for e in entries(mock, status="404")] == ["/store/regions/nope",
                                                                "/store/products/nope"]
    assert len(entries(mock, status="2xx")) == 2
    assert entries(mock, since=str(every[1]["id"])) == every[2:]
    assert entries(mock, since=to_iso(FROZEN + 60)) == every[2:]
    assert entries(mock, limit=1) == every[-1:]
    assert entries(mock, limit=0) == []
    assert entries(mock, method="GET", status="404", limit=1) == every[-1:]


@pytest.mark.parametrize("query", [{"since": "yesterday"}, {"status": "2x"}, {"limit": -1}])
def test_bad_filters_are_refused(mock: Mock, query: dict) -> None:
    answer = mock.client.get("/_mock/requests", params=query)
    assert answer.status_code == 400 and answer.json()["type"] == "invalid_data"


def test_a_bounded_ring_buffer() -> None:
    mock = make_mock(journal_size=3)
    for i in range(5):
        mock.client.get(f"/store/regions/r{i}")
    got = entries(mock)
    assert [e["path"] for e in got] == ["/store/regions/r2", "/store/regions/r3",
                                        "/store/regions/r4"]
    assert mock.client.get("/_mock/requests").json()["size"] == 3


def test_size_zero_turns_it_off() -> None:
    mock = make_mock(journal_size=0)
    mock.client.get("/store/regions")
    assert mock.client.get("/_mock/requests").json() == {"requests": [], "size": 0}


def test_the_control_plane_is_not_journaled_and_clearing_it(mock: Mock) -> None:
    mock.client.get("/store/regions")
    mock.client.get("/_mock/clock")
    mock.client.get("/_mock/requests")
    assert [e["path"] for e in entries(mock)] == ["/store/regions"]
    assert mock.client.delete("/_mock/requests").json() == {"deleted": 1}
    assert entries(mock) == []
    mock.client.get("/store/regions")
    mock.client.post("/_mock/reset")
    assert entries(mock) == []


def test_compressed_answers_are_journaled_as_json() -> None:
    mock = make_mock(http_compression=True)
    answer = mock.client.get("/store/regions", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert entries(mock)[-1]["response_body"]["regions"]


def test_concurrent_requests_are_each_recorded_once() -> None:
    mock = make_mock(journal_size=50)
    failures: list[BaseException] = []

    def reader(n: int) -> None:
        try:
            for i in range(10):
                mock.client.get(f"/store/regions/t{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    got = entries(mock)
    assert len(got) == 50 and len({e["id"] for e in got}) == 50
    assert max(e["id"] for e in got) == 80
