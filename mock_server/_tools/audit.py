"""``medusa-mock audit``: the contract suite against a live Store API, with reports and a baseline.

The audit does not test anything itself: it runs the contract tests (``mock_server/contract/``, the
same code path as ``pytest --pyargs mock_server.contract --base-url URL``) with the options it was
given, and turns the event stream they write (one JSON line per check run) into reports:

* ``junit.xml`` (pytest's own JUnit report of the run),
* ``audit.json`` (every check run, grouped by operation, with each failure's reproduction),
* ``audit.md`` (a row per operation: checks run, passed, failed; then each failure with the check
  that failed, the answer and a ``curl`` command that reproduces it).

A baseline lists known deviations (operation + check + reason); only failures outside it make the
exit code non-zero.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXIT_CLEAN, EXIT_NEW_FAILURES, EXIT_USAGE = 0, 1, 2
NUMERIC = {"number", "integer"}


# -- the document ----------------------------------------------------------------------------
def _load(path: Path) -> Any:
    text = path.read_text("utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def document_defects(spec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``spec`` with the defects strict tools reject repaired, and what was repaired.

    Known in the official Medusa v1 Store OAS: numeric parameters with string defaults, and a
    security scheme (``api_token``) that operations use but ``components`` never defines.
    """
    fixed = copy.deepcopy(spec)
    warnings: list[str] = []
    schemes = set((fixed.get("components") or {}).get("securitySchemes") or {})
    for path, item in (fixed.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters") or []:
                schema = parameter.get("schema") if isinstance(parameter, dict) else None
                if (isinstance(schema, dict) and schema.get("type") in NUMERIC
                        and isinstance(schema.get("default"), str)):
                    raw = schema["default"]
                    try:
                        value: float | int = (int(raw) if schema["type"] == "integer"
                                              else float(raw))
                        if isinstance(value, float) and value.is_integer():
                            value = int(value)
                        schema["default"] = value
                        note = f"used {value}"
                    except ValueError:
                        del schema["default"]
                        note = "dropped it"
                    warnings.append(f"{where}: parameter {parameter.get('name')!r} is a "
                                    f"{schema['type']} with the string default {raw!r}; {note}")
            security = operation.get("security")
            if isinstance(security, list):
                kept = [req for req in security
                        if all(name in schemes for name in (req or {}))]
                dropped = sorted({name for req in security for name in (req or {})
                                  if name not in schemes})
                if dropped:
                    operation["security"] = kept
                    warnings.append(f"{where}: security scheme(s) {', '.join(dropped)} are used "
                                    "but not defined in components.securitySchemes; ignored")
    return fixed, warnings


def prepare_document(path: Path, workdir: Path) -> tuple[Path, list[str]]:
    """The document to test with: ``path`` itself, or a repaired copy (with a warning each)."""
    spec = _load(path)
    fixed, warnings = document_defects(spec)
    if not warnings:
        return path, []
    # Keep relative $refs working: copy the document's folder, then overwrite the root file.
    target_dir = workdir / "document"
    shutil.copytree(path.parent, target_dir, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    target = target_dir / path.name
    if path.suffix == ".json":
        target.write_text(json.dumps(fixed), "utf-8")
    else:
        target.write_text(yaml.safe_dump(fixed, sort_keys=False), "utf-8")
    return target, warnings


def operation_index(path: Path) -> dict[str, tuple[str, str, list[str]]]:
    """operationId -> (METHOD, path, tags) for a document (following path-item $refs)."""
    spec = _load(path)
    out: dict[str, tuple[str, str, list[str]]] = {}
    for route, item in (spec.get("paths") or {}).items():
        if isinstance(item, dict) and "$ref" in item:
            file, _, pointer = item["$ref"].partition("#/")
            item = _load(path.parent / file)[pointer]
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                out[operation["operationId"]] = (method.upper(), route,
                                                 list(operation.get("tags") or []))
    return out


def unknown_names(names: list[str], index: dict[str, tuple[str, str, list[str]]]) -> list[str]:
    """The names among ``names`` that are neither an operationId nor a tag of the document."""
    known = set(index) | {tag for _, _, tags in index.values() for tag in tags}
    return [name for name in dict.fromkeys(names) if name not in known]


# -- the baseline ----------------------------------------------------------------------------
@dataclass
class Baseline:
    """Known deviations: (operationId, check) -> reason."""

    entries: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> Baseline:
        if path is None or not path.exists():
            return cls()
        data = json.loads(path.read_text("utf-8"))
        entries = {}
        for row in data.get("deviations", []):
            entries[(row["operation"], row["check"])] = row.get("reason", "")
        return cls(entries)

    def covers(self, operation: str, check: str) -> bool:
        return (operation, check) in self.entries or (operation, "*") in self.entries

    def reason(self, operation: str, check: str) -> str | None:
        """Why a known deviation is known (``None`` for one the baseline does not cover)."""
        return self.entries.get((operation, check), self.entries.get((operation, "*")))

    def updated(self, failures: list[dict[str, Any]]) -> Baseline:
        entries = {}
        for failure in failures:
            key = (failure["operation"], failure["check"])
            entries[key] = self.entries.get(key) or "to explain: " + failure["message"][:160]
        return Baseline(entries)

    def save(self, path: Path) -> None:
        rows = [{"operation": op, "check": check, "reason": reason}
                for (op, check), reason in sorted(self.entries.items())]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"version": 1, "deviations": rows}, indent=2) + "\n", "utf-8")


# -- the event stream and the reports --------------------------------------------------------
def read_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@dataclass
class OperationResult:
    operation: str
    label: str
    runs: int = 0
    passed: int = 0
    failed: int = 0
    allowed: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    checks: set[str] = field(default_factory=set)


def summarize(events: list[dict[str, Any]], index: dict[str, tuple[str, str, list[str]]]
              ) -> dict[str, OperationResult]:
    results: dict[str, OperationResult] = {}
    for op_id, (method, route, _) in index.items():
        results[op_id] = OperationResult(op_id, f"{method} {route}")
    seen_failures: set[tuple[str, str, str]] = set()
    for event in events:
        if event.get("kind") != "check":
            continue
        op_id = event.get("operation") or event.get("label", "?")
        result = results.setdefault(op_id, OperationResult(op_id, event.get("label", op_id)))
        result.runs += 1
        result.checks.add(event["check"])
        outcome = event["outcome"]
        if outcome == "passed":
            result.passed += 1
        elif outcome == "allowed":
            result.allowed += 1
        else:
            result.failed += 1
            key = (op_id, event["check"], event.get("message", "")[:200])
            if key not in seen_failures:  # one reproduction per distinct failure
                seen_failures.add(key)
                result.failures.append(event)
    return results


def failures_of(results: dict[str, OperationResult]) -> list[dict[str, Any]]:
    return [dict(f, operation=r.operation) for r in results.values() for f in r.failures]


def new_failures(results: dict[str, OperationResult], baseline: Baseline) -> list[dict[str, Any]]:
    return [f for f in failures_of(results) if not baseline.covers(f["operation"], f["check"])]


def coverage_notes(events: list[dict[str, Any]]) -> list[str]:
    notes = {e["message"] for e in events if e.get("kind") == "not_covered"}
    notes |= {f"{e['operation']} ({e['label']}): not implemented by the target (501)"
              for e in events if e.get("kind") == "not_implemented"}
    return sorted(notes)


def write_json(path: Path, *, target: str, document: str, warnings: list[str],
               results: dict[str, OperationResult], baseline: Baseline,
               notes: list[str]) -> None:
    by_check: dict[str, dict[str, int]] = defaultdict(lambda: {"runs": 0, "failed": 0})
    for result in results.values():
        for failure in result.failures:
            by_check[failure["check"]]["failed"] += 1
    data = {
        "target": target, "document": document, "document_warnings": warnings,
        "operations": len(results),
        "operations_exercised": sum(1 for r in results.values() if r.runs),
        "check_runs": sum(r.runs for r in results.values()),
        "failed_check_runs": sum(r.failed for r in results.values()),
        "distinct_failures": len(failures_of(results)),
        "new_failures": len(new_failures(results, baseline)),
        "not_covered": notes,
        "results": [
            {"operation": r.operation, "request": r.label, "checks_run": r.runs,
             "passed": r.passed, "failed": r.failed, "allowed": r.allowed,
             "failures": [
                 {"check": f["check"], "message": f.get("message", ""),
                  "status": f.get("status"), "curl": f.get("curl", ""),
                  "in_baseline": baseline.covers(r.operation, f["check"]),
                  "reason": baseline.entries.get((r.operation, f["check"]))}
                 for f in r.failures]}
            for r in sorted(results.values(), key=lambda r: r.label)],
    }
    path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")


def write_markdown(path: Path, *, title: str, target: str, document: str, warnings: list[str],
                   results: dict[str, OperationResult], baseline: Baseline,
                   notes: list[str], command: str) -> None:
    rows = sorted(results.values(), key=lambda r: r.label)
    failures = failures_of(results)
    fresh = new_failures(results, baseline)
    lines = [
        f"# {title}", "",
        f"- target: `{target}`",
        f"- document: `{document}`",
        f"- reproduce this report: `{command}`",
        f"- operations: {len(rows)}, exercised: {sum(1 for r in rows if r.runs)}; "
        f"check runs: {sum(r.runs for r in rows)}, failed: {sum(r.failed for r in rows)}; "
        f"distinct failures: {len(failures)} ({len(failures) - len(fresh)} known in the "
        f"baseline, {len(fresh)} new)", "",
    ]
    if warnings:
        lines += ["## Document defects (repaired before testing)", ""]
        lines += [f"- {w}" for w in warnings] + [""]
    if notes:
        lines += ["## Not covered", ""] + [f"- {n}" for n in notes] + [""]
    lines += ["## Operations", "",
              "| operation | request | checks run | passed | failed | allowed |",
              "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        mark = " ❌" if r.failed else ("" if r.runs else " (not exercised)")
        lines.append(f"| `{r.operation}`{mark} | `{r.label}` | {r.runs} | {r.passed} | "
                     f"{r.failed} | {r.allowed} |")
    lines += ["", "## Failures", ""]
    if not failures:
        lines.append("None.")
    for r in rows:
        for f in r.failures:
            known = baseline.entries.get((r.operation, f["check"]))
            lines += [f"### `{r.operation}`: {f['check']}", ""]
            if known is not None:
                lines += [f"Known deviation (baseline): {known}", ""]
            lines += [f"- request: `{r.label}`, answer status: {f.get('status')}",
                      f"- what failed: {_one_line(f.get('message', ''))}", "",
                      "```sh", f.get("curl", "").strip() or "# no reproduction recorded",
                      "```", ""]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _one_line(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def pytest_arguments(args: Any, *, base_url: str, document: Path, events: Path,
                     junit: Path) -> list[str]:
    """The pytest command line equivalent to an audit (one code path with plain pytest)."""
    suite = suite_dir()
    out = [str(suite), "-p", "no:cacheprovider",
           "--base-url", base_url, "--contract-spec", str(document),
           "--contract-events", str(events), "--junitxml", str(junit),
           "--contract-seed", str(args.seed), "--contract-max-examples", str(args.max_examples),
           "--contract-phases", args.phases]
    for flag, value in (("--contract-email", args.email), ("--contract-password", args.password),
                        ("--contract-bearer", args.bearer), ("--contract-cookie", args.cookie),
                        ("--contract-publishable-key", args.publishable_key),
                        ("--contract-claim-token-secret", args.claim_token_secret),
                        ("--contract-claim-token-events", args.claim_token_events)):
        if value:
            out += [flag, value]
    if args.register:
        out.append("--contract-register")
    for name in args.include:
        out += ["--contract-include", name]
    for name in args.exclude:
        out += ["--contract-exclude", name]
    return out


def pytest_runs(arguments: list[str], suite: Path, junit: Path, workers: int) -> list[list[str]]:
    """One run, or with several workers: the stateful flows first on their own (they own the
    server's state while they run), then the per-operation tests spread over the workers."""
    if workers <= 1:
        return [arguments]
    base = [a for a in arguments if a != str(suite)]
    stateful = [str(suite / "test_claim_flow_stateful.py"), *base]
    stateful[stateful.index("--junitxml") + 1] = str(junit.with_name("junit-stateful.xml"))
    return [stateful, [str(suite / "test_store_contract.py"), *base, "-n", str(workers)]]


def suite_dir() -> Path:
    """The contract suite's folder (``mock_server/contract``; not imported here: pytest runs it)."""
    return Path(__file__).resolve().parents[1] / "contract"


def run_pytest(arguments: list[str], *, quiet: bool, workdir: Path) -> int:
    """Run the suite in its own interpreter, with its own minimal pytest configuration (not the
    configuration of whatever project the audit is started from)."""
    import subprocess
    import sys

    ini = workdir / "pytest.ini"
    ini.write_text("[pytest]\nconsider_namespace_packages = false\n", "utf-8")
    extra = ["-q", "--no-header", "-rN"] if quiet else ["-rN"]
    command = [sys.executable, "-m", "pytest", "-c", str(ini), *arguments, *extra]
    return subprocess.call(command)


def tempdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="medusa-mock-audit-"))
