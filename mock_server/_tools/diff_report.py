"""``diff.json`` and ``diff.md``: what ``medusa-mock diff`` compared and where the sides differ.

Both reports give the agreement twice: *raw* (answers equal as compared) and *counting
deliberate mock differences* (a disagreement that a *mock differs* row of the quirks registry
explains counts as agreeing; the score ``--min-agreement`` applies to). Disagreements are
grouped into classes (operation, the reasons, both statuses), each with how many requests showed
it and one example with a ``curl`` per side.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from .compare import Comparison
from .diff import Run, agreement, to_json


def per_operation(results: list[Comparison]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for r in results:
        row = table.setdefault(r.operation, {"requests": 0, "agree": 0, "explained": 0})
        row["requests"] += 1
        row["agree"] += int(r.agree)
        row["explained"] += int(not r.agree and r.explained_by is not None)
    for row in table.values():
        row["agreement_percent"] = round(100 * row["agree"] / row["requests"], 1)
        row["counting_mock_differs_percent"] = round(
            100 * (row["agree"] + row["explained"]) / row["requests"], 1)
    return dict(sorted(table.items()))


_NUMBERS = re.compile(r"\(\d[\d, ]*\)|\b\d+ items vs \d+\b")


def signature(r: Comparison) -> tuple[str, ...]:
    """What makes two disagreements the same class: the operation, both statuses and media
    types, both error types, and the reasons (list lengths left out)."""
    reasons = sorted({_NUMBERS.sub("N", reason) for reason in r.reasons})
    return (r.operation, f"{r.reference.status} {r.reference.media_type or '-'} "
            f"{r.reference.error_type or ''}".strip(),
            f"{r.candidate.status} {r.candidate.media_type or '-'} "
            f"{r.candidate.error_type or ''}".strip(), *reasons)


def classes(results: list[Comparison]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], list[Comparison]] = {}
    for r in results:
        if not r.agree:
            groups.setdefault(signature(r), []).append(r)
    out = []
    for key, members in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
        first = members[0]
        out.append({
            "operation": key[0], "reference": key[1], "candidate": key[2],
            "reasons": first.reasons, "requests": len(members),
            "sources": dict(Counter(f"{m.source}:{m.scenario}" for m in members)),
            "explained_by": first.explained_by,
            "example": _example(first),
        })
    return out


def _example(r: Comparison) -> dict[str, Any]:
    return {
        "source": r.source, "scenario": r.scenario, "request": r.request,
        "reference": {"status": r.reference.status, "content_type": r.reference.media_type,
                      "body": r.reference.text[:2000], "curl": r.sent[0].curl()},
        "candidate": {"status": r.candidate.status, "content_type": r.candidate.media_type,
                      "body": r.candidate.text[:2000], "curl": r.sent[1].curl()},
    }


def summary(run: Run) -> dict[str, Any]:
    results = run.comparisons
    scripted = [r for r in results if r.source == "scenario"]
    generated = [r for r in results if r.source == "generated"]

    def figures(rows: list[Comparison]) -> dict[str, Any]:
        return {"requests": len(rows), "agree": sum(r.agree for r in rows),
                "explained_by_mock_differs": sum(not r.agree and r.explained_by is not None
                                                 for r in rows),
                "agreement_percent": round(agreement(rows), 1),
                "counting_mock_differs_percent": round(agreement(rows, counting_mock=True), 1)}

    return {"all": figures(results), "scenarios": figures(scripted),
            "generated": figures(generated)}


def write_reports(run: Run, directory: Path, *, min_agreement: float = 0.0,
                  command: str = "") -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    figures = summary(run)
    found = classes(run.comparisons)
    data = {
        "reference": run.reference, "candidate": run.candidate, "command": command,
        "duration_s": run.duration_s, "problem": run.problem,
        "requests": len(run.comparisons),
        "agreement_percent": figures["all"]["agreement_percent"],
        "agreement_counting_mock_differs_percent":
            figures["all"]["counting_mock_differs_percent"],
        "min_agreement": min_agreement,
        "figures": figures,
        "data": run.data,
        "scenarios": [vars(s) for s in run.scenarios],
        "generated": run.generated,
        "notes": run.notes,
        "operations": per_operation(run.comparisons),
        "operations_generated": per_operation(
            [r for r in run.comparisons if r.source == "generated"]),
        "classes": found,
        "disagreements": [
            {"source": r.source, "scenario": r.scenario, "operation": r.operation,
             "request": r.request, "reasons": r.reasons, "explained_by": r.explained_by,
             **{k: v for k, v in _example(r).items() if k in ("reference", "candidate")}}
            for r in run.comparisons if not r.agree],
    }
    json_path = directory / "diff.json"
    json_path.write_text(to_json(data), encoding="utf-8")
    md_path = directory / "diff.md"
    md_path.write_text(_markdown(run, data, figures, found), encoding="utf-8")
    return json_path, md_path


def _markdown(run: Run, data: dict[str, Any], figures: dict[str, Any],
              found: list[dict[str, Any]]) -> str:
    all_ = figures["all"]
    lines = [
        "# medusa-mock diff", "",
        f"- reference: `{run.reference}`", f"- candidate: `{run.candidate}`",
    ]
    if data["command"]:
        lines.append(f"- command: `{data['command']}`")
    lines.append(f"- took {run.duration_s} s")
    if run.problem:
        lines += [f"- **could not run**: {run.problem}"]
    lines += [
        f"- requests: {all_['requests']}, agreement: **{all_['agreement_percent']}%** raw, "
        f"**{all_['counting_mock_differs_percent']}%** counting the deliberate differences of "
        "the mock (*mock differs* rows of docs/deviations.md) as agreeing",
    ]
    for name in ("scenarios", "generated"):
        f = figures[name]
        if f["requests"]:
            lines.append(f"  - {name}: {f['requests']} requests, {f['agreement_percent']}% raw, "
                         f"{f['counting_mock_differs_percent']}% counting mock differences")
    lines += ["", "## What both sides hold", "",
              "| data | on both | only on the reference | only on the candidate |",
              "|---|---:|---:|---:|"]
    for kind, row in run.data.items():
        lines.append(f"| {kind} | {row['both']} | {row['only_reference']} | "
                     f"{row['only_candidate']} |")
    if run.scenarios:
        lines += ["", "## Scenarios", "", "| scenario | result | requests | notes |",
                  "|---|---|---:|---|"]
        for s in run.scenarios:
            what = s.status + (f": {s.reason}" if s.reason else "")
            lines.append(f"| {s.name} | {_cell(what)} | {s.requests} | "
                         f"{_cell('; '.join(s.notes))} |")
    if run.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in run.notes]
    if run.generated:
        g = run.generated
        lines += ["", "## Generated requests", "",
                  f"{g['drawn']} requests drawn by schemathesis from `{g['document']}` "
                  f"({g['per_operation']} per operation, modes {', '.join(g['modes'])}, seed "
                  f"{g['seed']}); ids substituted per side, one request in five with the "
                  "generated ids kept."]
        if g.get("skipped"):
            lines += ["", "Not compared:", ""]
            lines += [f"- `{op}`: {why}" for op, why in sorted(g["skipped"].items())]
        lines += _table(data["operations_generated"])
    lines += ["", "## Agreement per operation (everything)"]
    lines += _table(data["operations"])
    lines += ["", "## Disagreement classes", ""]
    if not found:
        lines.append("None.")
    for c in found:
        explained = (f" - explained by *mock differs* row `{c['explained_by']}`"
                     if c["explained_by"] else "")
        lines += [f"### `{c['operation']}`: reference {c['reference']}, candidate "
                  f"{c['candidate']} ({c['requests']} requests){explained}", ""]
        lines += [f"- {reason}" for reason in c["reasons"][:12]]
        ex = c["example"]
        lines += ["", f"Example ({ex['source']} {ex['scenario']}): `{ex['request']}`", "",
                  "| reference | candidate |", "|---|---|",
                  f"| `{_cell(_brief(ex['reference']))}` | `{_cell(_brief(ex['candidate']))}` |",
                  "", "```sh", ex["reference"]["curl"], ex["candidate"]["curl"], "```", ""]
    return "\n".join(lines) + "\n"


def _table(rows: dict[str, dict[str, Any]]) -> list[str]:
    out = ["", "| operation | requests | agree | mock differs | raw | counting mock differs |",
           "|---|---:|---:|---:|---:|---:|"]
    for op, v in rows.items():
        out.append(f"| `{op}` | {v['requests']} | {v['agree']} | {v['explained']} | "
                   f"{v['agreement_percent']:.0f}% | {v['counting_mock_differs_percent']:.0f}% |")
    return out


def _brief(side: dict[str, Any], limit: int = 400) -> str:
    body = side["body"]
    body = body if len(body) <= limit else body[:limit] + "…"
    return f"{side['status']} {side['content_type'] or '<none>'} {body}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")
