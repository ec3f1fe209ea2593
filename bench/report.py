"""Results: the performance targets, the table, the JSON and Markdown files, the machine."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .stats import ratio

SCHEMA_VERSION = 1
TARGET_CONNECTIONS = 16

# (scenario, kind, limit): kind "ratio" = mock req/s >= limit x real req/s; "p99" = mock p99 at
# TARGET_CONNECTIONS <= limit ms; "startup" = median start to first 200 <= limit ms; "rss" = peak
# RSS of the mock's process tree <= limit MB in every scenario.
TARGETS: tuple[tuple[str, str, float], ...] = (
    ("catalog-list", "ratio", 10), ("catalog-detail", "ratio", 10), ("regions", "ratio", 4),
    ("catalog-list", "p99", 25), ("catalog-detail", "p99", 25), ("startup", "startup", 1000),
    ("*", "rss", 150),
)
ROW_KEYS = ("scenario", "target", "generator", "connections", "elapsed_s", "requests", "errors",
            "iterations", "failed_iterations", "req_per_s", "ops_per_s", "p50_ms", "p95_ms",
            "p99_ms", "max_ms", "peak_rss_mb", "server_cpu_pct", "server_cpu_ms_per_request",
            "generator_cpu_pct",
            "statuses", "error_samples", "note")


def make_row(scenario: str, target: str, **values: Any) -> dict[str, Any]:
    """A result row with every key of :data:`ROW_KEYS` (``None`` where not measured)."""
    unknown = set(values) - set(ROW_KEYS)
    if unknown:
        raise KeyError(f"unknown result keys: {sorted(unknown)}")
    row: dict[str, Any] = dict.fromkeys(ROW_KEYS)
    row.update(scenario=scenario, target=target, statuses={}, error_samples=[])
    row.update(values)
    return row


def _find(rows: list[dict[str, Any]], scenario: str, target: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["scenario"] == scenario and r["target"] == target), None)


def mock_real_ratio(rows: list[dict[str, Any]], scenario: str,
                    target: str = "mock") -> float | None:
    """Mock req/s over real req/s (start-up: real start-up time over the mock's); ``target``
    ``mock-uncached`` for the mock with its read caches off."""
    mock, real = _find(rows, scenario, target), _find(rows, scenario, "real")
    if mock is None or real is None:
        return None
    if scenario == "startup":
        return ratio(real["p50_ms"], mock["p50_ms"])
    if _succeeded(mock) <= 0 or _succeeded(real) <= 0:
        return None
    return ratio(mock["req_per_s"], real["req_per_s"])


def _succeeded(row: dict[str, Any]) -> int:
    return (row["requests"] or 0) - (row["errors"] or 0)


def evaluate_targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each performance target as PASS, FAIL or n/a (with why); never raises."""
    checks = []
    for scenario, kind, limit in TARGETS:
        if kind == "rss":
            for row in rows:
                if not row["target"].startswith("mock"):
                    continue
                value = row["peak_rss_mb"]
                where = row["scenario"] + ("" if row["target"] == "mock" else f" ({row['target']})")
                checks.append(_check(where, kind, f"peak RSS <= {limit:g} MB", value,
                                     None if value is None else value <= limit,
                                     "" if value is not None else "not sampled"))
            continue
        mock = _find(rows, scenario, "mock")
        if mock is None:
            continue
        if kind == "ratio":
            value = mock_real_ratio(rows, scenario)
            why = "" if value is not None else (
                "no real Medusa in this run" if _find(rows, scenario, "real") is None
                else "no successful requests on one side")
            if value is not None and (mock["errors"] or 0) > 0:
                why = f"{mock['errors']} errors on the mock"
            checks.append(_check(scenario, kind, f"req/s >= {limit:g}x real Medusa's", value,
                                 None if value is None else value >= limit, why))
        elif kind == "p99":
            value = mock["p99_ms"]
            why = ""
            passed = None if value is None else value <= limit
            if mock["connections"] != TARGET_CONNECTIONS:
                why, passed = f"ran at {mock['connections']} connections, not 16", None
            checks.append(_check(scenario, kind, f"p99 <= {limit:g} ms at 16 connections", value,
                                 passed, why))
        elif kind == "startup":
            value = mock["p50_ms"]
            checks.append(_check(scenario, kind, f"median start to first 200 <= {limit:g} ms",
                                 value, None if value is None else value <= limit, ""))
    return checks


def _check(scenario: str, kind: str, wanted: str, value: float | None, passed: bool | None,
           why: str) -> dict[str, Any]:
    return {"scenario": scenario, "kind": kind, "wanted": wanted,
            "value": None if value is None else round(value, 3),
            "status": "n/a" if passed is None else ("PASS" if passed else "FAIL"), "why": why}


def build_result(*, started_at: str, command: str, label: str, options: dict[str, Any],
                 machine: dict[str, Any], real_medusa: str | None,
                 calibration: dict[str, float] | None, rows: list[dict[str, Any]],
                 checks: list[dict[str, Any]], notes: list[str]) -> dict[str, Any]:
    """The document written to ``bench/results/<timestamp>.json``."""
    return {
        "schema": SCHEMA_VERSION,
        "started_at": started_at,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": command,
        "label": label,
        "options": options,
        "machine": machine,
        "real_medusa": real_medusa,
        "calibration": calibration,
        "rows": rows,
        "ratios": {scenario: mock_real_ratio(rows, scenario)
                   for scenario in dict.fromkeys(r["scenario"] for r in rows)},
        "checks": checks,
        "notes": notes,
    }


# -- rendering -----------------------------------------------------------------------------------

def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _errors(row: dict[str, Any]) -> str:
    errors, requests = row["errors"], row["requests"]
    if errors is None:
        return "-"
    if errors and requests:
        return f"{errors} ({100 * errors / requests:.0f}%)"
    return str(errors)


_SHORT = {"ratio": "ratio", "p99": "p99", "startup": "start", "rss": "RSS"}


def render_table(rows: list[dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    """The results as a Markdown table (also what the terminal shows)."""
    header = ["scenario", "target", "req/s", "ops/s", "p50 ms", "p95 ms", "p99 ms", "errors",
              "peak RSS MB", "mock/real", "targets"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cell_ratio = "-"
        verdicts = ""
        if row["target"].startswith("mock"):
            value = mock_real_ratio(rows, row["scenario"], row["target"])
            cell_ratio = "-" if value is None else f"{value:.1f}x"
        if row["target"] == "mock":
            verdicts = ", ".join(f"{_SHORT[c['kind']]} {c['status']}" for c in checks
                                 if c["scenario"] == row["scenario"])
        lines.append("| " + " | ".join([
            row["scenario"], row["target"], _num(row["req_per_s"]), _num(row["ops_per_s"]),
            _num(row["p50_ms"]), _num(row["p95_ms"]), _num(row["p99_ms"]), _errors(row),
            _num(row["peak_rss_mb"]), cell_ratio, verdicts or "-"]) + " |")
    return "\n".join(lines)


def render_checks(checks: list[dict[str, Any]]) -> str:
    lines = []
    for c in checks:
        value = "-" if c["value"] is None else f"{c['value']:g}"
        why = f" ({c['why']})" if c["why"] else ""
        lines.append(f"- {c['status']:4} {c['scenario']}: {c['wanted']}: {value}{why}")
    return "\n".join(lines)


def render_markdown(result: dict[str, Any]) -> str:
    machine = result["machine"]
    out = [f"# medusa-mock benchmark, {result['started_at']}", "",
           f"Command: `{result['command']}`", "",
           "## Results", "", render_table(result["rows"], result["checks"]), "",
           "req/s counts every HTTP request; ops/s counts completed scenario iterations (a cart "
           "write is 2 requests, claim + confirm 4, a checkout journey 8). Latencies are per "
           "request. Start-up: p50 is the median of the runs, max the slowest; req/s is not "
           "applicable. mock/real is the mock's req/s over real Medusa's (start-up: real's time "
           "over the mock's).", "",
           "## Targets", "", render_checks(result["checks"]) or "(none evaluated)", "",
           "## Machine", ""]
    for key, value in machine.items():
        out.append(f"- {key}: {value}")
    if result.get("calibration"):
        out += ["", "## Load generator calibration", "",
                "Against a trivial keep-alive server (bench/trivial.py), 16 connections: the most "
                "each generator can measure here.", ""]
        for name, value in result["calibration"].items():
            unit = "" if name.endswith("%") else " req/s"
            out.append(f"- {name}: {_num(value)}{unit}")
    if result.get("notes"):
        out += ["", "## Notes", ""] + [f"- {n}" for n in result["notes"]]
    out += ["", "## Details", ""]
    for row in result["rows"]:
        bits = [f"generator {row['generator']}", f"{row['connections']} connections",
                f"{row['requests']} requests in {_num(row['elapsed_s'], 2)} s"]
        if row["server_cpu_pct"] is not None:
            bits.append(f"server CPU {row['server_cpu_pct']:.0f}%")
        if row["server_cpu_ms_per_request"] is not None:
            bits.append(f"server CPU {row['server_cpu_ms_per_request']:.2f} ms per request")
        if row["generator_cpu_pct"] is not None:
            bits.append(f"generator CPU {row['generator_cpu_pct']:.0f}%")
        if row["statuses"]:
            bits.append("statuses " + ", ".join(f"{k}: {v}" for k, v in
                                                sorted(row["statuses"].items())))
        out.append(f"- **{row['scenario']} / {row['target']}**: " + "; ".join(bits))
        if row["note"]:
            out.append(f"  - {row['note']}")
        for sample in row["error_samples"][:3]:
            out.append(f"  - error: `{sample[:200]}`")
    return "\n".join(out) + "\n"


def write_results(result: dict[str, Any], directory: Path, stamp: str) -> tuple[Path, Path]:
    """``<stamp>.json`` and ``<stamp>.md`` in ``directory``, and copies as ``latest.*``."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / f"{stamp}.json", directory / f"{stamp}.md"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    md_path.write_text(render_markdown(result))
    shutil.copyfile(json_path, directory / "latest.json")
    shutil.copyfile(md_path, directory / "latest.md")
    return json_path, md_path


# -- the machine ---------------------------------------------------------------------------------

def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_description() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)
    os_name = next((line.split("=", 1)[1].strip().strip('"')
                    for line in _read("/etc/os-release").splitlines()
                    if line.startswith("PRETTY_NAME=")), platform.system())
    wrk = shutil.which("wrk")
    wrk_version = None
    if wrk:
        try:
            probe = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
            wrk_version = (probe.stdout or probe.stderr).split("[", 1)[0].strip() or "present"
        except (OSError, subprocess.SubprocessError):
            wrk_version = "present"
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop_version: str | None = uvloop.__version__
    except ImportError:
        uvloop_version = None
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{os_name} (Linux {platform.release()})" if os_name else platform.platform(),
        "wrk": wrk_version or "not installed",
        "uvloop": uvloop_version or "not installed",
        "load_average_at_start": " ".join(f"{x:.2f}" for x in load),
        "executable": sys.executable,
    }
