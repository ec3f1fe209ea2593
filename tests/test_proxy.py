"""``medusa-mock proxy``: forwarding fidelity, violations, strict mode, unreachable upstreams and
the reports written on stop.

Upstreams run as subprocesses: the mock itself (``serve --http-compression``), the deliberately
broken mock (``_broken_server.py``: ``GET /store/auth/{email}`` answers a string where the
document says boolean) and an echoing, misbehaving server (``_echo_server.py``). The proxy runs
in this process (uvicorn in a thread) so its tally can be read, and as the command (SIGTERM,
reports, exit codes).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from mock_server._spec import control_spec_path, store_spec_path
from mock_server._tools.audit import Baseline
from mock_server._tools.proxy import Document, ProxyApp, ProxySettings, Tally

from .test_cli import _free_port, _wait

HERE = Path(__file__).resolve().parent
VIOLATIONS = "x-medusa-mock-violations"


def _upstream(command: list[str], ready: str) -> Iterator[str]:
    """Serve ``command`` (its last argument: a free port) until the module's tests are done."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([*command, str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        _wait(base + ready)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    yield from _upstream([sys.executable, str(HERE / "_echo_server.py")], "/echo")


@pytest.fixture(scope="module")
def upstream_mock() -> Iterator[str]:
    yield from _upstream([sys.executable, "-m", "mock_server", "serve", "--http-compression",
                          "--port"], "/store/regions")


@pytest.fixture(scope="module")
def broken() -> Iterator[str]:
    yield from _upstream([sys.executable, str(HERE / "_broken_server.py")], "/store/regions")


@pytest.fixture(scope="module")
def document() -> Document:
    return Document(store_spec_path(), control_spec_path())


class Proxy:
    """The proxy app served by uvicorn in a thread of this process."""

    def __init__(self, document: Document, upstream: str, *, baseline: Baseline | None = None,
                 **settings: object) -> None:
        self.tally = Tally(document.operation_ids(), baseline or Baseline())
        self.app = ProxyApp(ProxySettings(upstream=upstream, **settings), document, self.tally)
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning",
                                lifespan="on", server_header=False, date_header=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline, "the proxy did not start"
            time.sleep(0.02)
        self.client = httpx.Client(base_url=self.base, timeout=30)

    def close(self) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture
def make_proxy(document: Document) -> Iterator:
    started: list[Proxy] = []

    def make(upstream: str, **options: object) -> Proxy:
        proxy = Proxy(document, upstream, **options)
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.close()


# -- forwarding ---------------------------------------------------------------------------------
def test_requests_reach_the_upstream_unchanged(make_proxy, echo: str) -> None:
    proxy = make_proxy(echo)
    body = bytes(range(256)) * 10
    response = proxy.client.put(
        "/echo/a%2Fb/c?x=1&x=2&y[]=3&z=%20", content=body,
        headers={"Content-Type": "application/octet-stream", "X-Custom": "kept",
                 "Cookie": "connect.sid=abc; other=1", "Authorization": "Bearer t0ken",
                 "Connection": "keep-alive, X-Hop", "X-Hop": "dropped"})
    assert response.status_code == 200
    seen = response.json()
    assert seen["method"] == "PUT"
    assert seen["raw_path"] == "/echo/a%2Fb/c"
    assert seen["query"] == "x=1&x=2&y[]=3&z=%20"
    assert seen["length"] == len(body) and seen["sha256"] == hashlib.sha256(body).hexdigest()
    headers = {k: v for k, v in seen["headers"]}
    assert headers["x-custom"] == "kept"
    assert headers["cookie"] == "connect.sid=abc; other=1"
    assert headers["authorization"] == "Bearer t0ken"
    assert headers["content-type"] == "application/octet-stream"
    assert headers["host"] == echo.removeprefix("http://")
    assert "x-hop" not in headers and "connection" not in headers  # hop-by-hop
    # the answer's headers come back, every Set-Cookie included, with the violation count
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/; HttpOnly", "b=2; Path=/"]
    assert response.headers["x-echo"] == "1"
    assert response.headers[VIOLATIONS] == "1"  # /echo is no operation of the document


def test_connections_the_upstream_closed_while_idle_are_not_reused(make_proxy,
                                                                    echo: str) -> None:
    proxy = make_proxy(echo)
    for _ in range(3):
        body = [proxy.client.post("/echo/x", content=b"once").json() for _ in range(4)]
        assert [b["body"] for b in body] == ["once"] * 4  # each request sent exactly once
        time.sleep(1.3)  # the echo server closes idle connections after 1 s
    assert not proxy.tally.upstream_errors


@pytest.mark.parametrize("status", [201, 204, 302, 404, 418, 503])
def test_statuses_pass_through(make_proxy, echo: str, status: int) -> None:
    proxy = make_proxy(echo)
    response = proxy.client.get(f"/status/{status}", follow_redirects=False)
    assert response.status_code == status
    assert response.content == b""


def test_gzip_answers_pass_through_as_bytes_and_are_checked(make_proxy, upstream_mock: str,
                                                            echo: str) -> None:
    proxy = make_proxy(upstream_mock)
    path = "/store/products?limit=5&region_id=reg_eu"
    reference = httpx.get(upstream_mock + path, headers={"Accept-Encoding": "gzip"}).json()
    with proxy.client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as answer:
        raw = b"".join(answer.iter_raw())  # the bytes on the wire, not decoded
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.headers[VIOLATIONS] == "0"
        assert int(answer.headers["content-length"]) == len(raw)
    assert json.loads(gzip.decompress(raw)) == reference
    assert proxy.tally.results["GetProducts"].unchecked_bodies == 0
    # a gzip answer that is no operation of the document: the bytes still pass unchanged
    echo_proxy = make_proxy(echo)
    with echo_proxy.client.stream("GET", "/gzip") as answer:
        assert answer.headers["content-encoding"] == "gzip"
        assert json.loads(gzip.decompress(b"".join(answer.iter_raw())))["hello"].startswith(
            "world")


def test_large_bodies_stream_both_ways(make_proxy, echo: str) -> None:
    proxy = make_proxy(echo, max_checked_body=256 * 1024)
    size = 5 * 1024 * 1024 + 17
    with proxy.client.stream("GET", f"/big?size={size}") as answer:
        data = b"".join(answer.iter_bytes())
    assert len(data) == size and data[:3] == bytes([0, 1, 2])
    assert data == bytes(i % 251 for i in range(size))
    upload = bytes(i % 253 for i in range(3 * 1024 * 1024))
    seen = proxy.client.post("/echo/upload", content=upload,
                             headers={"Content-Type": "application/octet-stream"}).json()
    assert seen["length"] == len(upload)
    assert seen["sha256"] == hashlib.sha256(upload).hexdigest()


def test_head_is_forwarded_and_judged_as_the_document_says(make_proxy,
                                                           upstream_mock: str) -> None:
    proxy = make_proxy(upstream_mock)
    direct = httpx.head(upstream_mock + "/store/regions")
    response = proxy.client.head("/store/regions")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == direct.headers["content-length"]
    assert response.headers["etag"] == direct.headers["etag"]
    # the document has GET /store/regions, not HEAD
    assert response.headers[VIOLATIONS] == "1"
    failure = proxy.tally.results["(undocumented)"].failures[0]
    assert failure["check"] == "undocumented_operation" and "GET" in failure["message"]


def test_cors_preflights_and_conditional_304s_are_not_judged(make_proxy,
                                                             upstream_mock: str) -> None:
    proxy = make_proxy(upstream_mock)
    preflight = proxy.client.options("/store/carts", headers={
        "Origin": "http://localhost:8000", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and preflight.headers[VIOLATIONS] == "0"
    first = proxy.client.get("/store/regions", headers={"Origin": "http://localhost:8000"})
    assert "X-Medusa-Mock-Violations" in first.headers["access-control-expose-headers"]
    again = proxy.client.get("/store/regions", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers[VIOLATIONS] == "0"
    assert proxy.tally.results["GetRegions"].not_judged == 1
    assert not proxy.tally.distinct()


# -- violations -----------------------------------------------------------------------------------
def test_a_clean_storefront_session_through_the_mock_has_no_violation(make_proxy,
                                                                     upstream_mock: str) -> None:
    proxy = make_proxy(upstream_mock)
    client = proxy.client
    regions = client.get("/store/regions").json()["regions"]
    region = regions[0]["id"]
    products = client.get("/store/products", params={"region_id": region, "limit": 3,
                                                     "created_at[gt]": "2020-01-01"}).json()
    variant = products["products"][0]["variants"][0]["id"]
    client.get(f"/store/products/{products['products'][0]['id']}",
               params={"currency_code": "eur"})
    client.get("/store/products", params=[("id", p["id"]) for p in products["products"]])
    cart = client.post("/store/carts", json={"region_id": region}).json()["cart"]
    client.post(f"/store/carts/{cart['id']}/line-items", json={"variant_id": variant,
                                                                "quantity": 1})
    client.get(f"/store/carts/{cart['id']}")
    client.post("/store/auth", json={"email": "jane@example.com", "password": "supersecret"})
    client.get("/store/customers/me")
    client.get("/store/auth/jane@example.com")
    client.get("/store/product-categories", params={"include_descendants_tree": "true"})
    client.get("/_mock/events", params={"name": "cart.created"})
    assert proxy.tally.requests == 12
    assert proxy.tally.distinct() == []


def test_each_kind_of_violation_is_found_counted_and_reproducible(make_proxy, broken: str,
                                                                  echo: str) -> None:
    proxy = make_proxy(broken)
    answer = proxy.client.get("/store/auth/jane@example.com")
    assert answer.json() == {"exists": "yes"} and answer.headers[VIOLATIONS] == "1"
    assert proxy.client.get("/store/products", params={"limit": "many"}).headers[
        VIOLATIONS] == "1"
    cart = proxy.client.post("/store/carts", json={}).json()["cart"]["id"]
    assert proxy.client.post(f"/store/carts/{cart}/line-items",
                             json={"variant_id": "v", "quantity": "two"}).headers[
        VIOLATIONS] == "1"
    assert proxy.client.post(f"/store/carts/{cart}/line-items", content=b"variant_id=v",
                             headers={"Content-Type": "text/plain"}).headers[VIOLATIONS] == "1"
    assert proxy.client.get("/store/nothing-here").headers[VIOLATIONS] == "1"
    misbehaving = make_proxy(echo)
    assert misbehaving.client.get("/store/regions").headers[VIOLATIONS] == "1"
    assert misbehaving.client.get("/store/collections").headers[VIOLATIONS] == "1"
    # a documented 500 is still a server error
    assert misbehaving.client.get("/store/product-tags").headers[VIOLATIONS] == "1"

    kinds = {(f["operation"], f["check"]) for f in proxy.tally.distinct()}
    assert kinds == {("GetAuthEmail", "response_schema_conformance"),
                     ("GetProducts", "request_parameters_conformance"),
                     ("PostCartsCartLineItems", "request_body_conformance"),
                     ("(undocumented)", "undocumented_operation")}
    messages = [f["message"] for f in proxy.tally.distinct()]
    assert any("`limit`" in m and "number" in m for m in messages)
    assert any("quantity" in m for m in messages)
    assert any("text/plain is not documented" in m for m in messages)
    curl = next(f["curl"] for f in proxy.tally.distinct() if f["operation"] == "GetAuthEmail")
    assert curl.startswith("curl -X GET") and "/store/auth/jane@example.com" in curl
    assert {(f["operation"], f["check"]) for f in misbehaving.tally.distinct()} == {
        ("GetRegions", "status_code_conformance"),
        ("GetCollections", "content_type_conformance"),
        ("GetProductTags", "not_a_server_error")}


def test_query_styles_of_the_document_are_read_as_openapi_serializes_them(
        document: Document) -> None:
    from mock_server._tools.proxy.conformance import Request

    products = document.match("GET", "/store/products")
    assert products is not None

    def problems(query: str) -> list[str]:
        request = Request("GET", "/store/products", query, {}, b"", "")
        return [v.message for v in document.check_request(products, request)]

    assert problems("limit=12&offset=0&expand=variants,options&is_giftcard=false") == []
    assert problems("created_at[gt]=2024-01-31&created_at[lt]=1700000000") == []
    assert problems("tags=a&tags=b&id=x") == []
    assert problems("tags[]=a&id[0]=x") == []  # qs' bracket arrays: not OpenAPI, not judged
    assert len(problems("tags=a")) == 1  # one value of a repeated-form array (minItems: 2)
    assert "`created_at`" in problems("created_at[soon]=2024-01-01")[0]
    assert "`limit`" in problems("limit=-1")[0]
    assert "`expand`" in problems("expand=nope")[0]


# -- strict mode and failures of the upstream ----------------------------------------------------
def test_strict_mode_answers_502_instead_of_a_nonconforming_answer(make_proxy,
                                                                   broken: str) -> None:
    proxy = make_proxy(broken, strict=True)
    response = proxy.client.get("/store/auth/jane@example.com")
    assert response.status_code == 502
    body = response.json()
    assert body["type"] == "proxy_error" and body["code"] == "nonconforming_answer"
    assert "response_schema_conformance" in body["message"]
    assert body["violations"][0]["check"] == "response_schema_conformance"
    assert body["upstream_status"] == 200 and response.headers[VIOLATIONS] == "1"
    # conforming answers, and request violations, still pass
    assert proxy.client.get("/store/regions").status_code == 200
    assert proxy.client.get("/store/products", params={"limit": "x"}).status_code == 400
    # a violation the baseline knows is forwarded
    known = Baseline({("GetAuthEmail", "response_schema_conformance"): "known"})
    lenient = make_proxy(broken, strict=True, baseline=known)
    response = lenient.client.get("/store/auth/jane@example.com")
    assert response.status_code == 200 and response.json() == {"exists": "yes"}
    assert response.headers[VIOLATIONS] == "1"
    assert lenient.tally.fresh() == []


@pytest.mark.parametrize("upstream", ["refused", "no-such-host"])
def test_an_unreachable_upstream_is_a_502_in_medusas_shape(make_proxy, upstream: str) -> None:
    url = (f"http://127.0.0.1:{_free_port()}" if upstream == "refused"
           else "http://no-such-host.invalid")
    proxy = make_proxy(url, timeout=5)
    started = time.monotonic()
    response = proxy.client.get("/store/products")
    assert time.monotonic() - started < 10
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"type", "code", "message"}
    assert body["code"] == "upstream_unreachable" and "cannot reach the upstream" in body["message"]
    assert proxy.tally.exit_code() == 1
    error = next(iter(proxy.tally.upstream_errors.values()))
    assert error.operation == "GetProducts" and error.curl.startswith("curl")


def test_an_upstream_that_does_not_answer_in_time_is_a_502(make_proxy, echo: str) -> None:
    proxy = make_proxy(echo, timeout=0.5)
    started = time.monotonic()
    response = proxy.client.get("/slow", params={"seconds": "5"})
    assert time.monotonic() - started < 3
    assert response.status_code == 502
    assert "no answer within 0.5 s" in response.json()["message"]


# -- the command: reports on stop, baseline, exit codes -----------------------------------------
def _run_proxy(upstream: str, report: Path, *extra: str, stop=signal.SIGTERM,
               requests: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess, Path]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "proxy", "--upstream", upstream, "--port", str(port),
         "--report-dir", str(report), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        _wait(f"http://127.0.0.1:{port}/store/regions")
        for path in requests:
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30)
    finally:
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), report


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_the_command_writes_its_reports_on_stop(tmp_path: Path, broken: str,
                                                stop: signal.Signals) -> None:
    done, report = _run_proxy(broken, tmp_path / "r", stop=stop,
                              requests=("/store/auth/jane@example.com", "/store/auth/x"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "1 distinct violations (0 in the baseline, 1 new)" in done.stdout
    assert "NEW GetAuthEmail: response_schema_conformance" in done.stdout
    data = json.loads((report / "proxy.json").read_text())
    assert data["requests"] == 3 and data["new_violations"] == 1
    row = next(r for r in data["operations"] if r["operation"] == "GetAuthEmail")
    assert row["requests"] == 2 and row["violating_requests"] == 2
    assert row["violations"][0]["count"] == 2 and row["violations"][0]["in_baseline"] is False
    assert data["violations_by_kind"] == {
        "response_schema_conformance": {"requests": 2, "distinct": 1, "new": 1}}
    markdown = (report / "proxy.md").read_text()
    assert "### `GetAuthEmail`: response_schema_conformance" in markdown
    assert "curl -X GET" in markdown
    junit = (report / "junit.xml").read_text()
    assert 'failures="1"' in junit and "GetAuthEmail" in junit


def test_the_command_takes_audits_baseline(tmp_path: Path, broken: str) -> None:
    baseline = tmp_path / "baseline.json"
    update, _ = _run_proxy(broken, tmp_path / "a", "--baseline", str(baseline),
                           "--update-baseline", requests=("/store/auth/jane@example.com",))
    assert update.returncode == 0, update.stderr  # as audit: judged by the new baseline
    rows = json.loads(baseline.read_text())["deviations"]
    assert [(r["operation"], r["check"]) for r in rows] == [
        ("GetAuthEmail", "response_schema_conformance")]
    assert Baseline.load(baseline).covers("GetAuthEmail", "response_schema_conformance")
    again, report = _run_proxy(broken, tmp_path / "b", "--baseline", str(baseline),
                               requests=("/store/auth/jane@example.com",))
    assert again.returncode == 0, again.stdout + again.stderr
    data = json.loads((report / "proxy.json").read_text())
    row = next(r for r in data["operations"] if r["operation"] == "GetAuthEmail")
    assert row["violations"][0]["in_baseline"] is True
    assert "Known deviation (baseline)" in (report / "proxy.md").read_text()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "mock_server", "proxy", *args],
                              capture_output=True, text=True, timeout=60)

    bad_url = run("--upstream", "ftp://example.com", "--port", str(_free_port()))
    assert bad_url.returncode == 2 and "http:// or https://" in bad_url.stderr
    no_baseline = run("--upstream", "http://127.0.0.1:1", "--baseline",
                      str(tmp_path / "missing.json"))
    assert no_baseline.returncode == 2 and "no baseline" in no_baseline.stderr
    with __import__("socket").socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = run("--upstream", "http://127.0.0.1:1", "--port", str(port))
    assert taken.returncode == 2 and "already in use" in taken.stderr


def _draw(strategy, count: int) -> list:
    import hypothesis

    drawn: list = []

    @hypothesis.settings(max_examples=count, derandomize=True, database=None, deadline=None,
                         phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=strategy)
    def draw(case) -> None:
        drawn.append(case)

    draw()
    return drawn


def test_requests_schemathesis_generates_from_the_document_conform(document: Document) -> None:
    """A generator, not examples: every positive request schemathesis draws for each operation,
    serialized as its transport sends it, is judged conforming."""
    import requests
    import schemathesis
    from schemathesis.generation import GenerationMode

    from mock_server._tools.proxy.conformance import Request

    schema = schemathesis.openapi.from_path(store_spec_path())
    judged = 0
    problems = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for case in _draw(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), 4):
            kwargs = case.as_transport_kwargs(base_url="http://upstream.test")
            prepared = requests.Request(
                method=kwargs["method"], url=kwargs["url"], params=kwargs.get("params"),
                headers=kwargs.get("headers"), cookies=kwargs.get("cookies"),
                json=kwargs.get("json"), data=kwargs.get("data")).prepare()
            url = httpx.URL(prepared.url)
            body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
            request = Request(prepared.method, url.raw_path.decode().split("?")[0],
                              url.query.decode(), {k.lower(): v for k, v in
                                                   prepared.headers.items()}, body or b"", "")
            match = document.match(request.method, request.raw_path)
            violations = document.check_request(match, request)
            judged += 1
            if violations:
                problems.append((operation.label, request.raw_path, request.query,
                                 [v.message for v in violations]))
    assert judged > 150
    assert problems == []
