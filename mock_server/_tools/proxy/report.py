"""What the proxy saw, tallied as it goes, and the reports written when it stops.

The tally keeps counters per operation and one entry per distinct violation (operation, kind and
message, as ``audit`` keys its failures) with the first request that showed it, so a proxy left
running for hours holds no more than what it will report. The baseline is ``audit``'s
(``Baseline``: operation + check + reason), and so are the helpers that split failures into known
and new: a tally quacks like ``audit.OperationResult`` where they look (``operation``,
``failures``).

Reports: ``proxy.json`` (everything, for machines), ``proxy.md`` (a table per kind and per
operation, then each distinct violation with a ``curl`` that reproduces it) and ``junit.xml``
(one test case per operation seen; new violations fail it, known ones are its output).
"""

from __future__ import annotations

import json
import shlex
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..audit import Baseline, _one_line, failures_of, new_failures
from ..files import atomic_write_text
from .conformance import REQUEST_KINDS, UNDOCUMENTED_OPERATION_ID, Request, Violation

EXIT_CLEAN, EXIT_NEW = 0, 1
MASKED_HEADERS = ("authorization", "cookie", "proxy-authorization")
"""Credentials are masked in reproductions, as schemathesis masks them in ``audit`` reports."""
_NOT_IN_CURL = ("host", "content-length", "connection", "accept-encoding", "user-agent")


def curl(request: Request, headers: list[tuple[str, str]]) -> str:
    """A ``curl`` command sending ``request`` to the upstream (credentials masked)."""
    parts = ["curl", "-I", request.url] if request.method == "HEAD" else [
        "curl", "-X", request.method, request.url]
    for name, value in headers:
        lower = name.lower()
        if lower in _NOT_IN_CURL:
            continue
        parts += ["-H", f"{name}: {'[Filtered]' if lower in MASKED_HEADERS else value}"]
    if request.body:
        try:
            parts += ["--data-raw", request.body.decode("utf-8")]
        except UnicodeDecodeError:
            parts += ["--data-binary", "@body.bin"]
    return shlex.join(parts)


@dataclass
class OperationTally:
    operation: str
    label: str
    requests: int = 0
    violating: int = 0
    not_judged: int = 0
    unchecked_bodies: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    """One per distinct violation: check, message, status, request, curl, count."""


@dataclass
class UpstreamError:
    operation: str
    request: str
    message: str
    curl: str
    count: int = 1


class Tally:
    """Every exchange the proxy forwarded, counted under its operation (thread-safe)."""

    def __init__(self, operations: dict[str, tuple[str, str]], baseline: Baseline) -> None:
        self.operations = operations
        self.baseline = baseline
        self.results: dict[str, OperationTally] = {}
        self.upstream_errors: dict[tuple[str, str], UpstreamError] = {}
        self.started = time.time()
        self._index: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def _result(self, operation: str, label: str) -> OperationTally:
        result = self.results.get(operation)
        if result is None:
            method_path = self.operations.get(operation)
            if method_path:
                label = f"{method_path[0]} {method_path[1]}"
            elif operation == UNDOCUMENTED_OPERATION_ID:
                label = "requests outside the document"
            result = self.results[operation] = OperationTally(operation, label)
        return result

    def record(self, operation: str, label: str, request: Request, status: int,
               violations: list[Violation], reproduce: str | None, *, judged: bool = True,
               body_checked: bool = True) -> None:
        with self._lock:
            result = self._result(operation, label)
            result.requests += 1
            if not judged:
                result.not_judged += 1
                return
            if not body_checked:
                result.unchecked_bodies += 1
            if violations:
                result.violating += 1
            for violation in violations:
                result.kinds[violation.check] += 1
                key = (operation, violation.check, violation.message[:200])
                entry = self._index.get(key)
                if entry is None:
                    entry = {"check": violation.check, "message": violation.message,
                             "status": status, "request": request.label,
                             "curl": reproduce or "", "count": 0}
                    self._index[key] = entry
                    result.failures.append(entry)
                entry["count"] += 1

    def upstream_error(self, operation: str, request: Request, message: str,
                       reproduce: str) -> None:
        with self._lock:
            self._result(operation, request.label).requests += 1
            key = (operation, message)
            if key in self.upstream_errors:
                self.upstream_errors[key].count += 1
            else:
                self.upstream_errors[key] = UpstreamError(operation, request.label, message,
                                                          reproduce)

    def known(self, operation: str, check: str) -> bool:
        return self.baseline.covers(operation, check)

    def reason(self, operation: str, check: str) -> str | None:
        """The baseline's reason for a known violation (``None`` for a new one)."""
        return self.baseline.reason(operation, check)

    # -- summaries -----------------------------------------------------------------------------
    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.results.values())

    def distinct(self) -> list[dict[str, Any]]:
        return failures_of(self.results)  # type: ignore[arg-type]

    def fresh(self) -> list[dict[str, Any]]:
        return new_failures(self.results, self.baseline)  # type: ignore[arg-type]

    def by_kind(self) -> dict[str, dict[str, int]]:
        kinds: dict[str, dict[str, int]] = {}
        for result in self.results.values():
            for check, count in result.kinds.items():
                row = kinds.setdefault(check, {"requests": 0, "distinct": 0, "new": 0})
                row["requests"] += count
            for failure in result.failures:
                row = kinds[failure["check"]]
                row["distinct"] += 1
                row["new"] += not self.known(result.operation, failure["check"])
        return dict(sorted(kinds.items()))

    def not_seen(self) -> list[str]:
        return sorted(op for op in self.operations if op not in self.results)

    def exit_code(self) -> int:
        return EXIT_NEW if self.fresh() or self.upstream_errors else EXIT_CLEAN

    def summary_line(self) -> str:
        distinct = self.distinct()
        fresh = self.fresh()
        errors = sum(e.count for e in self.upstream_errors.values())
        seen = len([op for op in self.results if op in self.operations])
        return (f"proxy: {self.requests} requests, {seen} of {len(self.operations)} operations "
                f"seen, {len(distinct)} distinct violations ({len(distinct) - len(fresh)} in the "
                f"baseline, {len(fresh)} new), {errors} upstream errors")


# -- the report files ---------------------------------------------------------------------------
def write_reports(tally: Tally, directory: Path, *, upstream: str, document: str,
                  warnings: list[str], title: str, command: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "proxy.json", directory / "proxy.md", directory / "junit.xml"]
    meta = {"upstream": upstream, "document": document, "document_warnings": warnings,
            "started_at": _iso(tally.started), "stopped_at": _iso(time.time())}
    atomic_write_text(paths[0], json.dumps(_json(tally, meta), indent=2) + "\n")
    atomic_write_text(paths[1], _markdown(tally, meta, title, command))
    atomic_write_text(paths[2], _junit(tally))
    return paths


def _json(tally: Tally, meta: dict[str, Any]) -> dict[str, Any]:
    rows = sorted(tally.results.values(), key=lambda r: (r.label, r.operation))
    return {
        **meta,
        "requests": tally.requests,
        "operations_in_document": len(tally.operations),
        "operations_seen": sorted(r.operation for r in rows),
        "operations_not_seen": tally.not_seen(),
        "distinct_violations": len(tally.distinct()),
        "new_violations": len(tally.fresh()),
        "violations_by_kind": tally.by_kind(),
        "upstream_errors": [vars(e) for e in tally.upstream_errors.values()],
        "operations": [
            {"operation": r.operation, "request": r.label, "requests": r.requests,
             "violating_requests": r.violating, "not_judged": r.not_judged,
             "bodies_not_checked": r.unchecked_bodies, "kinds": dict(sorted(r.kinds.items())),
             "violations": [
                 {**f, "side": "request" if f["check"] in REQUEST_KINDS else "response",
                  "in_baseline": tally.known(r.operation, f["check"]),
                  "reason": tally.reason(r.operation, f["check"])}
                 for f in r.failures]}
            for r in rows],
    }


def _markdown(tally: Tally, meta: dict[str, Any], title: str, command: str) -> str:
    rows = sorted(tally.results.values(), key=lambda r: (r.label, r.operation))
    distinct, fresh = tally.distinct(), tally.fresh()
    lines = [
        f"# {title}", "",
        f"- upstream: `{meta['upstream']}`",
        f"- document: `{meta['document']}`",
        f"- from {meta['started_at']} to {meta['stopped_at']}; command: `{command}`",
        f"- requests: {tally.requests}; operations seen: "
        f"{len([r for r in rows if r.operation in tally.operations])} of "
        f"{len(tally.operations)}; distinct violations: {len(distinct)} "
        f"({len(distinct) - len(fresh)} known in the baseline, {len(fresh)} new); upstream "
        f"errors: {sum(e.count for e in tally.upstream_errors.values())}", "",
    ]
    if meta["document_warnings"]:
        lines += ["## Document defects (repaired)", ""]
        lines += [f"- {w}" for w in meta["document_warnings"]] + [""]
    lines += ["## Violations by kind", ""]
    kinds = tally.by_kind()
    if kinds:
        lines += ["| kind | requests | distinct | new |", "|---|---:|---:|---:|"]
        lines += [f"| `{k}` | {v['requests']} | {v['distinct']} | {v['new']} |"
                  for k, v in kinds.items()]
    else:
        lines.append("None.")
    lines += ["", "## Operations", "",
              "| operation | request | requests | with violations | kinds |",
              "|---|---|---:|---:|---|"]
    for r in rows:
        mark = " ❌" if any(not tally.known(r.operation, f["check"]) for f in r.failures) else ""
        kinds_text = ", ".join(f"{k} ×{n}" for k, n in sorted(r.kinds.items())) or "-"
        extra = f" (+{r.not_judged} not judged)" if r.not_judged else ""
        lines.append(f"| `{r.operation}`{mark} | `{r.label}` | {r.requests}{extra} | "
                     f"{r.violating} | {kinds_text} |")
    lines += ["", "## Violations", ""]
    if not distinct:
        lines.append("None.")
    for r in rows:
        for f in r.failures:
            lines += [f"### `{r.operation}`: {f['check']}", ""]
            if tally.known(r.operation, f["check"]):
                lines += [f"Known deviation (baseline): {tally.reason(r.operation, f['check'])}",
                          ""]
            lines += [f"- request: `{f['request']}`, answer status: {f['status']}, seen "
                      f"{f['count']} time(s)",
                      f"- what failed: {_one_line(f['message'])}", "",
                      "```sh", f["curl"] or "# no reproduction recorded", "```", ""]
    if tally.upstream_errors:
        lines += ["## Upstream errors (answered 502 by the proxy)", ""]
        for e in tally.upstream_errors.values():
            lines += [f"- `{e.operation}` `{e.request}` ({e.count}×): {e.message}", "",
                      "  ```sh", f"  {e.curl}", "  ```", ""]
    not_seen = tally.not_seen()
    if not_seen:
        lines += ["## Operations of the document not seen", "",
                  ", ".join(f"`{op}`" for op in not_seen), ""]
    return "\n".join(lines) + "\n"


def _junit(tally: Tally) -> str:
    rows = sorted(tally.results.values(), key=lambda r: (r.label, r.operation))
    suite = ElementTree.Element("testsuite", name="medusa-mock proxy")
    failures = 0
    for r in rows:
        case = ElementTree.SubElement(suite, "testcase", classname="medusa-mock.proxy",
                                      name=f"{r.operation} ({r.label})")
        fresh = [f for f in r.failures if not tally.known(r.operation, f["check"])]
        errors = [e for e in tally.upstream_errors.values() if e.operation == r.operation]
        if fresh or errors:
            failures += 1
            text = "\n\n".join([f"{f['check']}: {f['message']}\n{f['curl']}" for f in fresh]
                               + [f"upstream error: {e.message}\n{e.curl}" for e in errors])
            failure = ElementTree.SubElement(
                case, "failure", message=f"{len(fresh)} new violation(s), {len(errors)} "
                                         "upstream error(s)")
            failure.text = text
        known = [f for f in r.failures if tally.known(r.operation, f["check"])]
        out = ElementTree.SubElement(case, "system-out")
        out.text = "\n".join([f"{r.requests} request(s)"]
                             + [f"known: {f['check']}: {f['message']}" for f in known])
    suite.set("tests", str(len(rows)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


__all__ = ["UNDOCUMENTED_OPERATION_ID", "Tally", "curl", "write_reports"]
