"""The benchmark harness's pure parts: statistics, targets, the table, the result files, the
claim token and wrk's script. No server, no load, no timing assertions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report, wrk
from bench.stats import median, percentile, percentiles, rate, ratio


def test_nearest_rank_percentiles() -> None:
    values = list(range(100, 0, -1))  # 1..100, unsorted
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile(values, 0) == 1
    assert percentile([7.5], 99) == 7.5
    assert percentile([], 50) is None
    assert percentiles([3.0, 1.0, 2.0]) == {"p50": 2.0, "p95": 3.0, "p99": 3.0, "max": 3.0}
    assert percentiles([]) == {"p50": None, "p95": None, "p99": None, "max": None}
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_median_rate_ratio() -> None:
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 3]) == 2.5
    assert median([]) is None
    assert rate(10, 2.0) == 5.0
    assert rate(10, 0) == 0.0
    assert ratio(10, 4) == 2.5
    assert ratio(None, 4) is None
    assert ratio(10, 0) is None


def _rows(connections: int = 16) -> list[dict]:
    row = report.make_row
    return [
        row("startup", "mock", requests=5, errors=0, p50_ms=800.0, max_ms=900.0,
            peak_rss_mb=70.0),
        row("startup", "real", p50_ms=3000.0),
        row("catalog-list", "mock", connections=connections, requests=1200, errors=0,
            req_per_s=120.0, ops_per_s=120.0, p50_ms=10.0, p95_ms=20.0, p99_ms=30.0,
            peak_rss_mb=80.0),
        row("catalog-list", "real", connections=connections, requests=100, errors=0,
            req_per_s=10.0, ops_per_s=10.0, p50_ms=900.0, p95_ms=1200.0, p99_ms=1500.0,
            peak_rss_mb=210.0),
        row("regions", "mock", connections=connections, requests=1000, errors=0,
            req_per_s=100.0, p50_ms=1.0, p95_ms=2.0, p99_ms=3.0, peak_rss_mb=160.0),
        row("regions", "real", connections=connections, requests=400, errors=400,
            req_per_s=40.0, p50_ms=1.0, p95_ms=2.0, p99_ms=3.0),
    ]


def _status(checks: list[dict], scenario: str, kind: str) -> str:
    (check,) = [c for c in checks if c["scenario"] == scenario and c["kind"] == kind]
    return check["status"]


def test_targets_pass_fail_and_not_applicable() -> None:
    rows = _rows()
    checks = report.evaluate_targets(rows)
    assert _status(checks, "catalog-list", "ratio") == "PASS"      # 12x >= 10x
    assert _status(checks, "catalog-list", "p99") == "FAIL"        # 30 ms > 25 ms
    assert _status(checks, "regions", "ratio") == "n/a"            # real answered only errors
    assert _status(checks, "startup", "startup") == "PASS"         # 800 ms <= 1 s
    assert _status(checks, "regions", "rss") == "FAIL"             # 160 MB > 150 MB
    assert _status(checks, "catalog-list", "rss") == "PASS"
    assert not [c for c in checks if c["scenario"] == "catalog-detail"]  # not run: no check
    assert report.mock_real_ratio(rows, "startup") == pytest.approx(3000 / 800)
    # the p99 target is defined at 16 connections only
    assert _status(report.evaluate_targets(_rows(connections=8)), "catalog-list",
                   "p99") == "n/a"


def test_ratio_needs_a_real_row() -> None:
    rows = [r for r in _rows() if r["target"] == "mock"]
    checks = report.evaluate_targets(rows)
    ratio_check = [c for c in checks if c["kind"] == "ratio" and c["scenario"] == "catalog-list"]
    assert ratio_check[0]["status"] == "n/a"
    assert "no real Medusa" in ratio_check[0]["why"]


def test_table_rendering() -> None:
    rows = _rows()
    table = report.render_table(rows, report.evaluate_targets(rows))
    lines = table.splitlines()
    assert lines[0].startswith("| scenario | target | req/s | ops/s | p50 ms | p95 ms | p99 ms")
    assert "peak RSS MB" in lines[0] and "mock/real" in lines[0]
    assert len(lines) == 2 + len(rows)
    catalog = next(line for line in lines if line.startswith("| catalog-list | mock"))
    assert "12.0x" in catalog and "ratio PASS" in catalog and "p99 FAIL" in catalog
    regions_real = next(line for line in lines if line.startswith("| regions | real"))
    assert "400 (100%)" in regions_real
    startup = next(line for line in lines if line.startswith("| startup | mock"))
    assert "| 800 |" in startup and "3.8x" in startup
    assert "- PASS catalog-list: req/s >= 10x" in report.render_checks(
        report.evaluate_targets(rows))


def test_result_files(tmp_path: Path) -> None:
    rows = _rows()
    checks = report.evaluate_targets(rows)
    result = report.build_result(
        started_at="2026-01-01T00:00:00+0000", command="python -m bench --quick", label="",
        options={"duration_s": 1.0}, machine=report.machine_description(),
        real_medusa="http://127.0.0.1:9100", calibration={"python generator": 30000.0},
        rows=rows, checks=checks, notes=["noisy"])
    json_path, md_path = report.write_results(result, tmp_path, "20260101-000000")
    loaded = json.loads(json_path.read_text())
    assert loaded["schema"] == report.SCHEMA_VERSION
    assert {"started_at", "finished_at", "command", "options", "machine", "real_medusa",
            "calibration", "rows", "ratios", "checks", "notes"} <= set(loaded)
    assert {"cpu", "cores", "ram_gb", "python", "os"} <= set(loaded["machine"])
    for row in loaded["rows"]:
        assert set(row) == set(report.ROW_KEYS)
    assert loaded["ratios"]["catalog-list"] == pytest.approx(12.0)
    assert {c["status"] for c in loaded["checks"]} <= {"PASS", "FAIL", "n/a"}
    assert (tmp_path / "latest.json").read_text() == json_path.read_text()
    markdown = md_path.read_text()
    assert markdown == (tmp_path / "latest.md").read_text()
    assert "## Targets" in markdown and "## Machine" in markdown
    assert "| catalog-list | mock |" in markdown


def test_rows_have_every_key_and_only_known_ones() -> None:
    row = report.make_row("regions", "mock", req_per_s=1.0)
    assert set(row) == set(report.ROW_KEYS) and row["p99_ms"] is None
    with pytest.raises(KeyError):
        report.make_row("regions", "mock", bogus=1)


def test_wrk_script_and_output() -> None:
    script = wrk.lua_script(["/store/regions", '/store/products?q="x"'])
    assert '"/store/regions"' in script and '"/store/products?q=\\"x\\""' in script
    assert "function done(summary, latency, requests)" in script
    out = ("Running 1s test\n" + wrk.MARKER + json.dumps(
        {"requests": 10, "duration_us": 1000000, "p50": 1000}) + "\nRequests/sec: 10\n")
    assert wrk.parse_output(out)["p50"] == 1000
    with pytest.raises(ValueError):
        wrk.parse_output("no result")


def test_a_scale_state_copies_one_cart_under_new_ids() -> None:
    from bench.scale import cart_ids_of, state_with_carts
    from mock_server._state.snapshot import parse

    template = {
        "format": "medusa-mock-state", "version": 1, "exported_at": "x", "sandbox": None,
        "clock": {"offset_seconds": 0}, "counters": {}, "ids": None,
        "events": [{"name": "cart.created", "data": {"id": "cart_A"}, "created_at": "x"}],
        "tables": {
            "regions": [{"id": "reg_eu"}],
            "carts": [{"id": "cart_A", "region_id": "reg_eu", "shipping_address_id": "addr_A",
                       "billing_address_id": None}],
            "line_items": [{"id": "item_A", "cart_id": "cart_A", "adjustments": [],
                            "tax_lines": [{"id": "litl_A", "item_id": "item_A"}]},
                           {"id": "item_Z", "cart_id": "cart_Z"}],
            "addresses": [{"id": "addr_A", "customer_id": None}, {"id": "addr_J"}],
        }}
    state = state_with_carts(template, "cart_A", 3)
    parsed = parse(state)  # a document the mock loads: unique string ids in every table
    carts = cart_ids_of(state)
    assert len(carts) == 3 and len(set(carts)) == 3 and "cart_A" not in carts
    assert [i["cart_id"] for i in state["tables"]["line_items"]] == ["cart_Z", *carts]
    assert len(parsed.tables["addresses"]) == 4 and "addr_J" in parsed.tables["addresses"]
    copies = state["tables"]["line_items"][1:]
    assert len({i["tax_lines"][0]["id"] for i in copies}) == 3
    assert all(i["tax_lines"][0]["item_id"] == i["id"] for i in copies)
    assert state["events"] == [] and template["tables"]["carts"][0]["id"] == "cart_A"
