"""``medusa-mock diff``: shapes, explanations, and runs between served mocks (same data, other
data, a side that is not there or stops answering)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mock_server._tools import diff as differ
from mock_server._tools.compare import Comparison, compare
from mock_server._tools.explain import PREDICATES, explain
from mock_server._tools.shapes import differences, shape
from mock_server._tools.sides import Answer, Sent, walk_pages

from .test_cli import _free_port, _wait

NORDIC = Path(__file__).parent / "data" / "seeds" / "nordic.json"


def test_shape_normalizes_ids_and_timestamps() -> None:
    a = {"order": {"id": "order_01M8G7P911KFRQH3B7HMSWATFT", "created_at":
                   "2026-11-28T04:47:50.778Z", "items": [{"n": 1}, {"n": 2, "x": None}]}}
    b = {"order": {"id": "order_01HF7YAT00MR0TASZ0FX6H8NVP", "created_at":
                   "2023-11-14T22:13:20.000Z", "items": [{"n": 5, "x": None}]}}
    assert differences(shape(a), shape(b)) == []


def test_differences_name_paths() -> None:
    a = shape({"customer": {"id": "cus_01M8G7P911KFRQH3B7HMSWATFT", "orders": [], "age": 3}})
    b = shape({"customer": {"id": "x", "billing_address": None, "age": "3"}})
    assert differences(a, b) == [
        "$.customer.age: number vs string",
        "$.customer.billing_address: only in candidate",
        "$.customer.id: id vs string",
        "$.customer.orders: missing in candidate",
    ]


def test_list_lengths_are_compared_in_any_order() -> None:
    a = {"regions": [{"providers": [1, 2]}, {"providers": [1]}]}
    b = {"regions": [{"providers": [1]}, {"providers": [3, 4]}]}
    c = {"regions": [{"providers": [1]}, {"providers": [1]}]}
    assert differences(shape(a, lengths=True), shape(b, lengths=True)) == []
    assert differences(shape(a, lengths=True), shape(c, lengths=True)) == [
        "$.regions[].providers: (1, 2) items vs (1, 1)"]
    assert differences(shape({"x": []}, lengths=True), shape({"x": [1]}, lengths=True)) == [
        "$.x: 0 items vs 1"]


def _pair(ref: Answer, cand: Answer, operation: str = "GetProducts",
          url: str = "http://r/store/products", body: bytes | None = None) -> Comparison:
    c = Comparison("generated", "positive", operation, "GET", ref, cand,
                   (Sent("GET", url, {}, body), Sent("GET", url, {}, body)),
                   compare(ref, cand))
    c.explained_by = explain(c)
    return c


def _json(status: int, body: object) -> Answer:
    return Answer(status, "application/json", json.dumps(body), body)


def test_a_paged_list_ends_at_its_count_or_else_at_its_first_short_page() -> None:
    """The page walker diff's world and the capture's crawl share."""
    def store(rows: int, *, count: int | None, page_cap: int = 100):
        asked: list[dict[str, int]] = []

        def fetch(query: dict[str, int]) -> tuple[list[dict[str, int]], int | None]:
            asked.append(query)
            take = min(query["limit"], page_cap)
            return [{"n": n} for n in range(rows)][query["offset"]:query["offset"] + take], count
        return fetch, asked

    fetch, asked = store(7, count=7)
    assert [r["n"] for r in walk_pages(fetch, {"q": 1}, limit=3)] == list(range(7))
    assert asked == [{"q": 1, "limit": 3, "offset": 0}, {"q": 1, "limit": 3, "offset": 3},
                     {"q": 1, "limit": 3, "offset": 6}]
    fetch, asked = store(6, count=6)  # at the count: no empty page asked for
    assert len(list(walk_pages(fetch, limit=3))) == 6 and len(asked) == 2
    fetch, asked = store(7, count=7, page_cap=2)  # pages shorter than asked, counted: go on
    assert len(list(walk_pages(fetch, limit=3))) == 7 and len(asked) == 4
    fetch, asked = store(7, count=None, page_cap=2)  # uncounted: a short page ends the list
    assert len(list(walk_pages(fetch, limit=3))) == 2 and len(asked) == 1
    fetch, asked = store(3, count=10)  # a count the rows do not reach: an empty page ends it
    seen: list[tuple[int, int | None]] = []
    assert len(list(walk_pages(fetch, limit=2, on_page=lambda *a: seen.append(a)))) == 3
    assert seen == [(2, 10), (3, 10), (3, 10)]


def test_a_mock_differs_row_explains_only_the_answer_pair_it_describes() -> None:
    page = Answer(404, "text/html", "<pre>Cannot GET /store/nope</pre>")
    mock_404 = _json(404, {"type": "not_found", "message": "Cannot GET /store/nope"})
    assert _pair(page, mock_404).explained_by == "unknown-route-json-404"
    # the same operation, another difference: not explained
    other = _pair(_json(404, {"type": "not_found", "message": "x"}),
                  _json(400, {"type": "invalid_data", "message": "x"}))
    assert other.explained_by is None


def test_a_partial_explanation_does_not_count() -> None:
    region = {"payment_providers": [{"id": "manual"}]}
    mock_region = {"payment_providers": [{"id": "manual"}, {"id": "mock-payment"}]}
    both = _pair(_json(200, {"region": region}), _json(200, {"region": mock_region}))
    assert both.explained_by == "mock-payment-provider"
    extra = _pair(_json(200, {"region": region, "count": 1}),
                  _json(200, {"region": mock_region}))
    assert extra.explained_by is None  # `count` missing is not the provider's doing


def test_an_order_naming_no_column_of_product_types_is_explained_only_there() -> None:
    server_error = _json(500, {"code": "unknown_error", "type": "unknown_error",
                               "message": "An unknown error occurred."})
    refused = _json(400, {"type": "invalid_data", "message": "'nope' does not match"})
    types = _pair(server_error, refused, "GetProductTypes",
                  "http://r/store/product-types?order=nope")
    assert types.explained_by == "fields-unknown-column-400"
    # tags check `order` themselves (400 on both sides): a 500 there is not this row's
    tags = _pair(server_error, refused, "GetProductTags", "http://r/store/product-tags?order=nope")
    assert tags.explained_by is None
    assert _pair(server_error, refused, "GetProductTypes",
                 "http://r/store/product-types?q=nope").explained_by is None


def test_a_reproduced_quirk_never_explains_a_difference() -> None:
    from mock_server._quirks import BY_KEY, QUIRKS

    keys = {q.key: q.kind for q in QUIRKS}
    assert set(PREDICATES) <= set(keys)
    assert all(keys[key] == "mock" for key in PREDICATES), "only mock-differs rows explain"
    assert BY_KEY


def test_the_score_counts_mock_differences_and_the_floor_applies_to_it() -> None:
    good = _pair(_json(200, {"a": 1}), _json(200, {"a": 2}))
    explained = _pair(Answer(404, "text/html", "Cannot GET /x"),
                      _json(404, {"type": "not_found", "message": "Cannot GET /x"}))
    bad = _pair(_json(200, {"a": 1}), _json(400, {"type": "invalid_data", "message": "m"}))
    run = differ.Run("r", "c", comparisons=[good, explained, bad, good])
    assert differ.agreement(run.comparisons) == 50.0
    assert differ.agreement(run.comparisons, counting_mock=True) == 75.0
    assert differ.exit_code(run, 75.0)[0] == differ.EXIT_OK
    assert differ.exit_code(run, 80.0)[0] == differ.EXIT_DISAGREE
    assert differ.exit_code(run, 0.0)[0] == differ.EXIT_DISAGREE  # no floor: any difference
    assert differ.exit_code(differ.Run("r", "c"), 0.0)[0] == differ.EXIT_USAGE


# -- runs between served mocks ---------------------------------------------------------------
def _serve(*args: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(port),
                             *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait(f"{url}/store/regions")
    return proc, url


@pytest.fixture(scope="module")
def mocks() -> Iterator[dict[str, str]]:
    served = {"default": _serve(), "default2": _serve(), "nordic": _serve("--seed", str(NORDIC)),
              "nordic2": _serve("--seed", str(NORDIC))}
    try:
        yield {name: url for name, (_, url) in served.items()}
    finally:
        for proc, _ in served.values():
            proc.terminate()
            proc.communicate(timeout=15)


def _diff(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mock_server", "diff", "--quiet", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_diff_of_the_mock_against_itself_agrees(mocks: dict[str, str], tmp_path: Path) -> None:
    out = _diff("--reference", mocks["default"], "--candidate", mocks["default2"],
                "--report-dir", str(tmp_path), "--min-agreement", "100",
                "--gift-card", "DEMO-GIFT-EU50-0001", "--discount", "WELCOME10",
                "--publishable-key", "pk_wholesale", "--order", "6:guest.four@example.com")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads((tmp_path / "diff.json").read_text())
    assert report["agreement_percent"] == 100.0
    assert report["requests"] >= 150
    assert {"PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept", "PostSwaps",
            "GetGiftCardsCode", "DeleteCartsCartDiscountsDiscount"} <= set(report["operations"])
    ran = {s["name"]: s["status"] for s in report["scenarios"]}
    assert ran["checkout"] == ran["after-sale"] == ran["catalog"] == "ran"
    assert ran["checkout-no-provider"] == "skipped"  # every default region offers manual
    assert report["data"]["products"]["only_reference"] == 0
    assert (tmp_path / "diff.md").read_text().startswith("# medusa-mock diff")


def test_generated_requests_cover_every_operation(mocks: dict[str, str],
                                                  tmp_path: Path) -> None:
    out = _diff("--reference", mocks["nordic"], "--candidate", mocks["nordic2"],
                "--no-scenarios", "--generated", "2", "--report-dir", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads((tmp_path / "diff.json").read_text())
    assert len(report["operations_generated"]) == 65
    assert report["generated"]["skipped"] == {}
    assert report["figures"]["generated"]["agreement_percent"] == 100.0


def test_data_of_another_shape_skips_with_reasons(mocks: dict[str, str], tmp_path: Path) -> None:
    out = _diff("--reference", mocks["default"], "--candidate", mocks["nordic"],
                "--report-dir", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr  # what could run agrees
    report = json.loads((tmp_path / "diff.json").read_text())
    scenarios = {s["name"]: s for s in report["scenarios"]}
    assert scenarios["register-login"]["status"] == "ran"
    assert scenarios["catalog"]["status"] == "skipped"
    assert "on both sides" in scenarios["catalog"]["reason"]
    assert scenarios["checkout"]["status"] == "skipped"
    assert "no region where a checkout completes" in scenarios["checkout"]["reason"]
    assert report["data"]["regions"] == {"both": 0, "only_reference": 3, "only_candidate": 4}


def test_a_seed_without_manual_runs_the_no_provider_checkout(mocks: dict[str, str],
                                                             tmp_path: Path) -> None:
    out = _diff("--reference", mocks["nordic"], "--candidate", mocks["nordic2"],
                "--scenario", "checkout-no-provider", "--scenario", "after-sale",
                "--report-dir", str(tmp_path))
    report = json.loads((tmp_path / "diff.json").read_text())
    scenarios = {s["name"]: s for s in report["scenarios"]}
    # the mock's seed loader still gives a region without providers `manual` (see
    # docs/fidelity.md); once it does not, the scenario runs here
    assert scenarios["after-sale"]["status"] == "ran", out.stdout + out.stderr
    assert scenarios["checkout-no-provider"]["status"] in ("ran", "skipped")


def test_an_unreachable_side_exits_2_and_the_report_says_so(mocks: dict[str, str],
                                                           tmp_path: Path) -> None:
    out = _diff("--reference", mocks["default"], "--candidate",
                f"http://127.0.0.1:{_free_port()}", "--report-dir", str(tmp_path))
    assert out.returncode == 2
    assert "cannot reach the candidate" in out.stderr
    report = json.loads((tmp_path / "diff.json").read_text())
    assert report["requests"] == 0 and "cannot reach the candidate" in report["problem"]


def test_nothing_compared_exits_2_and_says_why(mocks: dict[str, str], tmp_path: Path) -> None:
    out = _diff("--reference", mocks["default"], "--candidate", mocks["default2"],
                "--scenario", "checkout-no-provider", "--report-dir", str(tmp_path))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "no request was compared" in out.stderr
    assert "lacks the manual provider" in out.stderr


class _DropsWrites(BaseHTTPRequestHandler):
    """A Store API that lists nothing and hangs up on every write."""

    def do_GET(self) -> None:
        body = b'{"exists": false}' if self.path.startswith("/store/auth/") else (
            b'{"regions": [], "products": [], "collections": [], "product_categories": [],'
            b' "product_tags": [], "product_types": [], "return_reasons": [],'
            b' "shipping_options": [], "count": 0}')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.close_connection = True
        self.connection.close()

    def log_message(self, *args: object) -> None:
        pass


def test_a_side_that_stops_answering_fails_its_scenario_and_the_reports_are_written(
        mocks: dict[str, str], tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DropsWrites)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        out = _diff("--reference", mocks["default"], "--candidate",
                    f"http://127.0.0.1:{server.server_address[1]}", "--scenario",
                    "register-login", "--scenario", "errors", "--report-dir", str(tmp_path))
    finally:
        server.shutdown()
        server.server_close()
    assert out.returncode == 1, out.stdout + out.stderr
    report = json.loads((tmp_path / "diff.json").read_text())
    failed = {s["name"]: s["reason"] for s in report["scenarios"] if s["status"] == "failed"}
    assert "register-login" in failed and "stopped answering" in failed["register-login"]
    assert report["requests"] >= 1  # what was compared before is reported


def test_a_variable_one_side_could_not_capture_does_not_stop_the_run() -> None:
    from mock_server._tools.diff import fill

    assert fill({"path": "/store/orders/{order_id}", "n": ["{suffix}"]}, {"suffix": "x"}) == {
        "path": "/store/orders/missing-order_id", "n": ["x"]}
