"""``medusa-mock audit``: document repairs, a broken deployment, the baseline, exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_server._tools.audit import document_defects

from .test_cli import _free_port, _wait

HERE = Path(__file__).resolve().parent


def test_official_document_defects_are_repaired_with_warnings() -> None:
    spec = {
        "openapi": "3.0.0",
        "components": {"securitySchemes": {"jwt_token": {"type": "http", "scheme": "bearer"}}},
        "paths": {"/store/variants": {"get": {
            "operationId": "GetVariants",
            "security": [{"api_token": []}, {"jwt_token": []}],
            "parameters": [{"name": "offset", "in": "query",
                            "schema": {"type": "number", "default": "0"}}],
        }}},
    }
    fixed, warnings = document_defects(spec)
    op = fixed["paths"]["/store/variants"]["get"]
    assert op["parameters"][0]["schema"]["default"] == 0
    assert op["security"] == [{"jwt_token": []}]
    assert len(warnings) == 2 and "api_token" in warnings[1] and "'0'" in warnings[0]
    assert spec["paths"]["/store/variants"]["get"]["parameters"][0]["schema"]["default"] == "0"


def _audit(base: str, report: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", "audit", base, "--report-dir", str(report),
         "--include", "GetAuthEmail", "--max-examples", "5", "--quiet", *extra],
        capture_output=True, text=True, timeout=300)


@contextlib.contextmanager
def _serving_a_broken_mock() -> Iterator[str]:
    """tests/_broken_server.py (a mock whose GetAuthEmail answers off the document), served."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(HERE / "_broken_server.py"), str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/_mock/events")
        yield base
    finally:
        server.terminate()
        server.communicate(timeout=15)


@pytest.mark.slow
def test_a_broken_deployment_fails_with_a_reproduction(tmp_path: Path) -> None:
    with _serving_a_broken_mock() as base:
        first = _audit(base, tmp_path / "a")
        baseline = tmp_path / "baseline.json"
        update = _audit(base, tmp_path / "b", "--baseline", str(baseline), "--update-baseline")
        again = _audit(base, tmp_path / "c", "--baseline", str(baseline))

    assert first.returncode == 1, first.stdout + first.stderr
    assert "NEW GetAuthEmail: response_schema_conformance" in first.stdout
    report = (tmp_path / "a" / "audit.md").read_text()
    assert "### `GetAuthEmail`: response_schema_conformance" in report
    assert "curl -X GET" in report and "/store/auth/" in report
    data = json.loads((tmp_path / "a" / "audit.json").read_text())
    row = next(r for r in data["results"] if r["operation"] == "GetAuthEmail")
    assert row["failed"] >= 1 and row["failures"][0]["status"] == 200
    assert (tmp_path / "a" / "junit.xml").read_text().count("<testcase") >= 1

    assert update.returncode == 0, update.stdout + update.stderr
    rows = json.loads(baseline.read_text())["deviations"]
    assert {(r["operation"], r["check"]) for r in rows} >= {
        ("GetAuthEmail", "response_schema_conformance")}
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 new" in again.stdout


def test_unreachable_target_is_a_usage_error(tmp_path: Path) -> None:
    out = _audit(f"http://127.0.0.1:{_free_port()}", tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("medusa-mock: cannot reach")


@pytest.mark.slow
def test_auth_modes_reach_authenticated_operations(tmp_path: Path) -> None:
    import httpx

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/_mock/events")
        login = {"email": "jane@example.com", "password": "supersecret"}
        token = httpx.post(f"{base}/store/auth/token", json=login).json()["access_token"]
        cookie = httpx.post(f"{base}/store/auth", json=login).cookies["connect.sid"]
        runs = {
            "bearer": ["--bearer", token],
            "cookie": ["--cookie", cookie],
            "register": ["--email", "auditor@example.com", "--password", "pw", "--register"],
        }
        outcomes = {}
        for name, flags in runs.items():
            out = subprocess.run(
                [sys.executable, "-m", "mock_server", "audit", base, "--quiet",
                 "--report-dir", str(tmp_path / name), "--include", "GetCustomersCustomer",
                 "--max-examples", "3", *flags], capture_output=True, text=True, timeout=300)
            data = json.loads((tmp_path / name / "audit.json").read_text())
            row = next(r for r in data["results"] if r["operation"] == "GetCustomersCustomer")
            outcomes[name] = (out.returncode, row["checks_run"] > 0, row["failed"])
    finally:
        server.terminate()
        server.communicate(timeout=15)
    assert outcomes == {name: (0, True, 0) for name in runs}, outcomes


@pytest.fixture(scope="module")
def broken_server() -> Iterator[str]:
    with _serving_a_broken_mock() as base:
        yield base


def test_selecting_no_operation_is_a_usage_error(broken_server: str, tmp_path: Path) -> None:
    out = _audit(broken_server, tmp_path, "--include", "NoSuchOperation")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "no operation or tag of the document is named 'NoSuchOperation'" in out.stderr


def test_an_audit_that_checks_nothing_is_a_usage_error(broken_server: str, tmp_path: Path
                                                       ) -> None:
    # A contract suite that runs and checks nothing (as when pytest cannot import what the
    # suite needs and exits 1): the audit must not pass.
    fake = tmp_path / "fake" / "pytest"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text("import sys\nprint('No module named x')\nsys.exit(1)\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "fake")}
    out = subprocess.run(
        [sys.executable, "-m", "mock_server", "audit", broken_server, "--quiet",
         "--report-dir", str(tmp_path / "r")], capture_output=True, text=True, timeout=300,
        env=env)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "0 check runs" in out.stdout
    assert "medusa-mock: the audit ran no checks (the contract suite exited 1)" in out.stderr


@pytest.mark.slow
def test_a_document_without_operations_is_a_usage_error(broken_server: str, tmp_path: Path
                                                        ) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("openapi: 3.0.3\ninfo: {title: nothing, version: '1'}\npaths: {}\n")
    out = subprocess.run(
        [sys.executable, "-m", "mock_server", "audit", broken_server, "--spec", str(empty),
         "--report-dir", str(tmp_path / "r"), "--quiet", "--phases", "examples"],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("medusa-mock: ")


def test_the_real_baseline_covers_html_for_malformed_bodies_on_every_body_operation() -> None:
    """Real Medusa's ``express.json()`` answers a body that is no JSON object (a bare string)
    with Express's HTML error page on every route, whatever the route (quirk
    ``malformed-json-body``): the committed baseline of real Medusa covers it for every operation
    that takes a body, not only for those a generated run happened to hit."""
    from mock_server._spec import operations

    baseline = Path(__file__).resolve().parents[1] / "mock_server" / "contract" / "baselines" \
        / "real-medusa-1.20.11.json"
    rows = json.loads(baseline.read_text("utf-8"))["deviations"]
    covered = {r["operation"] for r in rows if r["check"] in ("content_type_conformance", "*")
               and "malformed-json-body" in r["reason"]}
    taking_a_body = {o for o, operation in operations().items() if "requestBody" in operation}
    assert taking_a_body and not taking_a_body - covered, sorted(taking_a_body - covered)
