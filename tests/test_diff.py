"""``medusa-mock diff``: shapes, and a run between two served mocks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server._tools.shapes import differences, shape

from .test_cli import _free_port, _wait


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


@pytest.mark.slow
def test_diff_of_the_mock_against_itself_agrees(tmp_path: Path) -> None:
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(p)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for p in ports]
    try:
        for port in ports:
            _wait(f"http://127.0.0.1:{port}/store/auth/x")
        out = subprocess.run(
            [sys.executable, "-m", "mock_server", "diff",
             "--reference", f"http://127.0.0.1:{ports[0]}",
             "--candidate", f"http://127.0.0.1:{ports[1]}",
             "--report-dir", str(tmp_path), "--min-agreement", "100"],
            capture_output=True, text=True, timeout=120)
    finally:
        for proc in procs:
            proc.terminate()
            proc.communicate(timeout=15)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads((tmp_path / "diff.json").read_text())
    assert report["agreement_percent"] == 100.0
    assert report["requests"] >= 60
    assert "PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept" in report["operations"]
    assert (tmp_path / "diff.md").read_text().startswith("# medusa-mock diff")


def test_a_variable_one_side_could_not_capture_does_not_stop_the_run() -> None:
    from mock_server._tools.diff import fill

    assert fill({"path": "/store/orders/{order_id}", "n": ["{suffix}"]}, {"suffix": "x"}) == {
        "path": "/store/orders/missing-order_id", "n": ["x"]}
