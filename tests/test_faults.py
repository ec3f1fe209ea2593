"""Fault rules and latency: answers, delays, drops, limits, matching by the document's
operations, and the rules' own validation; nothing really sleeps."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server._http._operations import operation_id
from mock_server._spec import routes

from ._asgi import call, scope
from .conftest import Mock, make_mock

ORIGIN = "http://localhost:8000"


class FakeSleep:
    """Records what would be slept; sleeps nothing."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def add(mock: Mock, **rule: Any) -> dict:
    answer = mock.client.post("/_mock/faults", json=rule)
    assert answer.status_code == 201, answer.text
    return answer.json()["fault"]


def test_a_rule_by_operation_answers_medusas_error_with_cors_and_its_id(mock: Mock) -> None:
    rule = add(mock, operation="GetRegions", status=503)
    answer = mock.client.get("/store/regions", headers={"Origin": ORIGIN})
    assert answer.status_code == 503
    assert answer.json() == {"code": "unknown_error", "type": "unknown_error",
                             "message": "An unknown error occurred."}
    assert answer.headers["x-medusa-mock-fault"] == rule["id"]
    assert answer.headers["access-control-allow-origin"] == ORIGIN  # a browser sees the 503
    assert answer.headers["x-powered-by"] == "Express"
    assert mock.client.get("/store/regions/reg_eu").status_code == 200  # another operation


@pytest.mark.parametrize(("status", "body"), [
    (400, {"type": "invalid_data", "message": "Bad Request (medusa-mock fault fault_1)"}),
    (401, {"type": "unauthorized", "message": "Unauthorized (medusa-mock fault fault_1)"}),
    (403, {"type": "not_allowed", "message": "Forbidden (medusa-mock fault fault_1)"}),
    (404, {"type": "not_found", "message": "Not Found (medusa-mock fault fault_1)"}),
    (409, {"type": "conflict", "message": "Conflict (medusa-mock fault fault_1)"}),
    (422, {"type": "payment_authorization_error",
           "message": "Unprocessable Entity (medusa-mock fault fault_1)"}),
    (429, {"type": "invalid_data", "message": "Too Many Requests (medusa-mock fault fault_1)"}),
    (500, {"code": "unknown_error", "type": "unknown_error",
           "message": "An unknown error occurred."}),
])
def test_the_default_body_is_medusas_error_shape_for_the_status(status: int, body: dict) -> None:
    mock = make_mock()
    add(mock, operation="GetProducts", status=status)
    answer = mock.client.get("/store/products")
    assert (answer.status_code, answer.json()) == (status, body)
    assert answer.headers["content-type"] == "application/json; charset=utf-8"


def test_a_given_body_and_headers_are_sent(mock: Mock) -> None:
    add(mock, path="/store/carts", method="POST", status=429, body={"slow": "down"},
        headers={"Retry-After": "7"})
    add(mock, path="/store/regions", status=502, body="Bad gateway")
    answer = mock.client.post("/store/carts", json={})
    assert (answer.status_code, answer.json()) == (429, {"slow": "down"})
    assert answer.headers["retry-after"] == "7"
    text = mock.client.get("/store/regions")
    assert (text.status_code, text.text) == (502, "Bad gateway")
    assert text.headers["content-type"] == "text/plain; charset=utf-8"


def test_no_body_for_a_success_status_unless_given(mock: Mock) -> None:
    add(mock, operation="DeleteCustomersCustomerAddressesAddress", status=200)
    answer = mock.client.delete("/store/customers/me/addresses/addr_1")
    assert (answer.status_code, answer.content) == (200, b"")


@pytest.mark.parametrize(("pattern", "method", "path", "taken"), [
    ("/store/carts/*/complete", "POST", "/store/carts/cart_1/complete", True),
    ("/store/carts/*/complete", "POST", "/store/carts/cart_1/line-items", False),
    ("/store/carts/{id}/complete", "POST", "/store/carts/cart_1/complete", True),
    ("/store/carts/{id}", "POST", "/store/carts/", False),
    ("/store/products**", "GET", "/store/products/prod_1", True),
    ("/store/products*", "GET", "/store/products/prod_1", False),
    ("/store/prod*", "GET", "/store/products", True),
    ("/store/regions", "GET", "/store/regions/reg_eu", False),
])
def test_path_patterns(pattern: str, method: str, path: str, taken: bool) -> None:
    mock = make_mock()
    add(mock, path=pattern, status=418)
    answer = mock.client.request(method, path, json={} if method == "POST" else None)
    assert (answer.status_code == 418) is taken


def test_a_method_narrows_a_path(mock: Mock) -> None:
    add(mock, path="/store/carts/{id}", method="POST", status=500)
    cart = mock.client.post("/store/carts", json={}).json()["cart"]
    assert mock.client.get(f"/store/carts/{cart['id']}").status_code == 200
    assert mock.client.post(f"/store/carts/{cart['id']}", json={}).status_code == 500


def test_times_limits_a_rule_and_the_listing_counts(mock: Mock) -> None:
    rule = add(mock, operation="GetRegions", status=500, times=2)
    assert rule["remaining"] == 2 and rule["hits"] == 0
    statuses = [mock.client.get("/store/regions").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    listed = mock.client.get("/_mock/faults").json()["faults"]
    assert [(r["id"], r["hits"], r["remaining"]) for r in listed] == [(rule["id"], 2, 0)]


def test_the_first_rule_added_applies(mock: Mock) -> None:
    first = add(mock, operation="GetRegions", status=500, times=1)
    second = add(mock, path="/store/regions", status=502)
    assert mock.client.get("/store/regions").headers["x-medusa-mock-fault"] == first["id"]
    assert mock.client.get("/store/regions").headers["x-medusa-mock-fault"] == second["id"]


def test_probability_draws_from_the_seeded_generator() -> None:
    seed = 11
    mock = make_mock(id_seed=seed)
    add(mock, operation="GetRegions", status=500, probability=0.5)
    statuses = [mock.client.get("/store/regions").status_code for _ in range(40)]
    expected_rng = random.Random(seed)
    expected = [500 if expected_rng.random() < 0.5 else 200 for _ in range(40)]
    assert statuses == expected
    assert 5 < statuses.count(500) < 35
    # the same seed, the same sequence: after reset too
    mock.client.post("/_mock/reset")
    add(mock, operation="GetRegions", status=500, probability=0.5)
    assert [mock.client.get("/store/regions").status_code for _ in range(40)] == expected


@pytest.mark.parametrize("probability", [0, 1])
def test_probability_bounds(probability: float) -> None:
    mock = make_mock()
    add(mock, operation="GetRegions", status=500, probability=probability)
    statuses = {mock.client.get("/store/regions").status_code for _ in range(10)}
    assert statuses == ({500} if probability == 1 else {200})


def test_a_delay_only_rule_delays_the_mocks_own_answer(mock: Mock) -> None:
    sleep = FakeSleep()
    mock.services.faults.sleep = sleep
    rule = add(mock, operation="GetRegions", delay_ms=1500)
    answer = mock.client.get("/store/regions")
    assert answer.status_code == 200 and answer.json()["regions"]
    assert answer.headers["x-medusa-mock-fault"] == rule["id"]
    assert sleep.calls == [1.5]
    mock.client.get("/store/products?limit=1")
    assert sleep.calls == [1.5]


def test_a_delayed_error(mock: Mock) -> None:
    sleep = FakeSleep()
    mock.services.faults.sleep = sleep
    add(mock, operation="GetRegions", status=504, delay_ms=250)
    assert mock.client.get("/store/regions").status_code == 504
    assert sleep.calls == [0.25]


def test_latency_delays_every_answer_but_the_control_planes() -> None:
    mock = make_mock(latency=(100.0, 300.0), id_seed=5)
    sleep = FakeSleep()
    mock.services.faults.sleep = sleep
    for _ in range(20):
        assert mock.client.get("/store/regions").status_code == 200
    mock.client.get("/_mock/clock")
    mock.client.get("/_mock/requests")
    assert len(sleep.calls) == 20
    assert all(0.1 <= s <= 0.3 for s in sleep.calls)
    assert len(set(sleep.calls)) > 10  # drawn, not fixed
    expected = random.Random(5)
    assert sleep.calls == [expected.uniform(100, 300) / 1000 for _ in range(20)]


def test_a_delay_does_not_hold_the_event_loop() -> None:
    """While one request waits out its delay, another is answered (reads run on the loop)."""
    app = create_app(Settings(id_seed=1))
    released = asyncio.Event()
    waiting: list[float] = []

    async def sleep(seconds: float) -> None:
        waiting.append(seconds)
        await released.wait()

    app.services.faults.sleep = sleep
    app.services.faults.add({"path": "/store/regions", "delay_ms": 5000},
                            path=__import__("re").compile("/store/regions"))

    async def run() -> list[str]:
        done: list[str] = []

        async def one(path: str) -> None:
            sent: list[dict] = []

            async def receive() -> dict:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: dict) -> None:
                sent.append(message)

            await app(scope("GET", path), receive, send)
            done.append(f"{path} {sent[0]['status']}")

        slow = asyncio.create_task(one("/store/regions"))
        await asyncio.sleep(0)
        await one("/store/products")
        assert not slow.done() and waiting == [5.0]
        released.set()
        await slow
        return done

    assert asyncio.run(run()) == ["/store/products 200", "/store/regions 200"]


def test_drop_in_process_ends_the_request_without_an_answer(mock: Mock) -> None:
    rule = add(mock, operation="GetRegions", drop=True)
    with pytest.raises(AssertionError, match="did not receive any response"):
        mock.client.get("/store/regions")
    entry = mock.client.get("/_mock/requests").json()["requests"][-1]
    assert (entry["status"], entry["fault"]) == (None, rule["id"])


def test_rules_are_listed_and_removed(mock: Mock) -> None:
    one = add(mock, operation="GetRegions", status=500)
    two = add(mock, path="/store/products", method="GET", status=503, times=1)
    listed = mock.client.get("/_mock/faults").json()["faults"]
    assert [r["id"] for r in listed] == [one["id"], two["id"]]
    assert listed[1]["path"] == "/store/products" and listed[1]["method"] == "GET"
    assert mock.client.delete(f"/_mock/faults/{one['id']}").json() == {"deleted": 1}
    missing = mock.client.delete(f"/_mock/faults/{one['id']}")
    assert missing.status_code == 404 and missing.json()["type"] == "not_found"
    assert mock.client.get("/store/regions").status_code == 200
    assert mock.client.delete("/_mock/faults").json() == {"deleted": 1}
    assert mock.client.get("/_mock/faults").json() == {"faults": []}
    assert mock.client.get("/store/products").status_code == 200


def test_reset_removes_every_rule(mock: Mock) -> None:
    add(mock, operation="GetRegions", status=500)
    mock.client.post("/_mock/reset")
    assert mock.client.get("/_mock/faults").json() == {"faults": []}
    assert mock.client.get("/store/regions").status_code == 200
    assert add(mock, operation="GetRegions", status=500)["id"] == "fault_1"


def test_the_control_plane_takes_no_faults(mock: Mock) -> None:
    add(mock, path="/**", status=500)
    assert mock.client.get("/_mock/faults").status_code == 200
    assert mock.client.get("/store/regions").status_code == 500
    refused = mock.client.post("/_mock/faults", json={"path": "/_mock/reset", "status": 500})
    assert refused.status_code == 400


@pytest.mark.parametrize(("rule", "message"), [
    ({"status": 500}, "either an operation or a path"),
    ({"operation": "GetRegions", "path": "/store/regions", "status": 500}, "either"),
    ({"operation": "GetRegions", "method": "GET", "status": 500}, "method only with a path"),
    ({"operation": "NoSuchOperation", "status": 500}, "no operation of the Store document"),
    ({"path": "store/regions", "status": 500}, "does not start with /"),
    ({"operation": "GetRegions"}, "needs a status, drop or delay_ms"),
    ({"operation": "GetRegions", "drop": True, "status": 500}, "either drop or status"),
    ({"operation": "GetRegions", "delay_ms": 5, "body": {}}, "body and headers need a status"),
    ({"operation": "GetRegions", "status": 500, "headers": {"Bad Name": "x"}}, "cannot be sent"),
    ({"operation": "GetRegions", "status": 500, "headers": {"X-A": "line\nbreak"}},
     "cannot be sent"),
    ({"operation": "GetRegions", "status": 99}, ""),
    ({"operation": "GetRegions", "status": 500, "probability": 1.5}, ""),
    ({"operation": "GetRegions", "status": 500, "times": 0}, ""),
    ({"operation": "GetRegions", "status": 500, "colour": "red"}, "colour"),
])
def test_rules_that_cannot_apply_are_refused(mock: Mock, rule: dict, message: str) -> None:
    answer = mock.client.post("/_mock/faults", json=rule)
    assert answer.status_code == 400, answer.text
    assert answer.json()["type"] == "invalid_data" and message in answer.json()["message"]
    assert mock.client.get("/_mock/faults").json() == {"faults": []}


def _routed_operation(app: Any, method: str, path: str) -> str | None:
    request = scope(method, path, {"Content-Type": "application/json"})
    request["extensions"] = {}  # Connexion's router copies the scope, sharing this dict
    call(app, method, path, body=b"{}" if method in ("POST", "PUT") else b"",
         request_scope=request)
    return request["extensions"].get("connexion_routing", {}).get("operation_id")


def test_operations_are_known_as_connexion_routes_them() -> None:
    """The table read from the document agrees with Connexion's router on a path of every
    operation (its parameters filled in), HEAD included."""
    app = create_app(Settings(id_seed=2))
    checked = 0
    for method, template, operation in routes():
        path = template.replace("{", "x").replace("}", "")
        for each in (method, "HEAD") if method == "GET" else (method,):
            assert operation_id(each, path) == operation["operationId"], (each, path)
            assert _routed_operation(app, each, path) == operation["operationId"], (each, path)
            checked += 1
    assert checked > 65
    assert operation_id("GET", "/store/nowhere") is None
    assert operation_id("PATCH", "/store/regions") is None


# -- drop, served --------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/store/regions", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_drop_closes_the_connection_without_an_answer(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as client:
        client.delete("/_mock/requests")
        rule = client.post("/_mock/faults", json={"operation": "GetRegions", "drop": True,
                                                  "times": 1}).json()["fault"]
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/store/regions")
        assert client.get("/store/regions").status_code == 200  # times: 1; a new connection
        entries = client.get("/_mock/requests", params={"operation": "GetRegions"}).json()
        assert [(e["status"], e["fault"]) for e in entries["requests"]] == [
            (None, rule["id"]), (200, None)]
        client.delete("/_mock/faults")


def test_served_delay_answers_others_meanwhile(served: str) -> None:
    """A 1.5 s delay on one request; a read sent meanwhile on another connection is answered
    at once (the delay is awaited on the event loop, not slept)."""
    with httpx.Client(base_url=served, timeout=10) as control:
        control.post("/_mock/faults", json={"operation": "GetRegions", "delay_ms": 1500,
                                            "times": 1})

        async def both() -> tuple[float, float]:
            async with httpx.AsyncClient(base_url=served, timeout=10) as client:
                started = time.monotonic()

                async def timed(path: str) -> float:
                    answer = await client.get(path)
                    assert answer.status_code == 200
                    return time.monotonic() - started

                slow = asyncio.create_task(timed("/store/regions"))
                await asyncio.sleep(0.2)
                fast = await timed("/store/products?limit=1")
                return await slow, fast

        slow, fast = asyncio.run(both())
        assert slow >= 1.5 and fast < slow
        control.delete("/_mock/faults")


def test_served_journal_is_json(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as client:
        client.get("/store/regions")
        body = client.get("/_mock/requests", params={"limit": 1}).json()
        assert json.dumps(body) and body["requests"][0]["path"] == "/store/regions"
