"""``medusa-mock diff``: play the same storefront sequences against two deployments and compare.

Compared for every request: the status, the media type of the answer, the *shape* of a JSON body
(keys and value kinds, with ids and timestamps normalized), the error ``type`` and, for plain-text
answers, the text itself. The report gives the agreement per operation and every disagreement with
both answers side by side.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .._claim_tokens import mint_claim_token
from .scenarios import Scenario, Step, scenarios
from .shapes import differences, shape

EVENTS_PATH = "/_mock/events"
CLAIM_EVENT = "order-update-token.created"


# Headers Express and Medusa's middleware add, compared by presence (their values hold ids,
# hashes and dates).
EXPRESS_HEADERS = ("etag", "x-powered-by", "access-control-allow-credentials", "vary")


@dataclass
class Answer:
    status: int
    media_type: str
    text: str
    json: Any = None
    headers: frozenset[str] = frozenset()

    @property
    def error_type(self) -> str | None:
        if self.status >= 400 and isinstance(self.json, dict):
            value = self.json.get("type")
            return value if isinstance(value, str) else None
        return None

    def brief(self, limit: int = 600) -> str:
        text = self.text if len(self.text) <= limit else self.text[:limit] + "…"
        return f"{self.status} {self.media_type or '<none>'} {text}"


@dataclass
class Comparison:
    scenario: str
    operation: str
    request: str
    reference: Answer
    candidate: Answer
    reasons: list[str] = field(default_factory=list)
    deviation: str | None = None

    @property
    def agree(self) -> bool:
        return not self.reasons

    @property
    def expected(self) -> bool:
        """A disagreement the quirks registry documents as deliberate."""
        return bool(self.reasons) and self.deviation is not None


def compare(reference: Answer, candidate: Answer) -> list[str]:
    reasons = []
    if reference.status != candidate.status:
        reasons.append(f"status {reference.status} vs {candidate.status}")
    if reference.media_type != candidate.media_type:
        reasons.append(f"content-type {reference.media_type or '<none>'} vs "
                       f"{candidate.media_type or '<none>'}")
    if reference.error_type != candidate.error_type:
        reasons.append(f"error type {reference.error_type} vs {candidate.error_type}")
    if reference.headers != candidate.headers:
        for name in EXPRESS_HEADERS:
            if (name in reference.headers) != (name in candidate.headers):
                where = "reference" if name in reference.headers else "candidate"
                reasons.append(f"header {name} only on the {where}")
    if reference.json is not None and candidate.json is not None:
        reasons.extend(differences(shape(reference.json), shape(candidate.json))[:20])
    elif reference.media_type == candidate.media_type == "text/plain" and (
            reference.text != candidate.text):
        reasons.append(f"text {reference.text!r} vs {candidate.text!r}")
    return reasons


class Side:
    """One deployment and the scenario variables it has gathered."""

    def __init__(self, name: str, base_url: str, jwt_secret: str, timeout: float) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.jwt_secret = jwt_secret
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self.cookie: str | None = None

    def close(self) -> None:
        self.http.close()

    def send(self, step: Step, variables: dict[str, Any]) -> Answer:
        headers = dict(step.headers)
        if step.auth == "bearer" and variables.get("bearer"):
            headers["Authorization"] = f"Bearer {variables['bearer']}"
        if step.auth == "cookie" and self.cookie:
            headers["Cookie"] = self.cookie
        path = step.path.format_map(_Known(variables))
        content: bytes | None = None
        if isinstance(step.body, bytes):
            content = step.body
            headers["Content-Type"] = step.content_type
        elif step.body is not None:
            content = json.dumps(fill(step.body, variables)).encode()
            headers["Content-Type"] = step.content_type
        response = self.http.request(step.method, path, content=content, headers=headers)
        set_cookie = response.headers.get("set-cookie", "")
        if set_cookie.startswith("connect.sid=") and (
                step.auth == "cookie" or step.operation in ("PostAuth", "PostCustomers")):
            self.cookie = set_cookie.split(";", 1)[0]
        return _answer(response)

    def claim_token(self, variables: dict[str, Any], wait: float = 10.0) -> str:
        """The claim token for the current customer: from the outbox, else minted."""
        deadline = time.monotonic() + wait
        while True:
            response = self.http.get(EVENTS_PATH, params={"name": CLAIM_EVENT})
            if response.status_code != 200:
                break
            for event in reversed(response.json().get("events", [])):
                data = event.get("data", {})
                if (data.get("new_customer_id") == variables.get("customer_id")
                        and variables.get("order_id") in data.get("orders", [])):
                    return data["token"]
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        return mint_claim_token(self.jwt_secret, variables.get("customer_id") or "",
                                [variables.get("order_id") or ""])


def _answer(response: httpx.Response) -> Answer:
    media = response.headers.get("content-type", "").split(";", 1)[0].strip()
    answer = Answer(response.status_code, media, response.text,
                    headers=frozenset(h for h in EXPRESS_HEADERS if h in response.headers))
    if media.endswith("json"):
        try:
            answer.json = response.json()
        except ValueError:
            answer.json = None
    return answer


class _Known(dict):
    """Scenario variables; one an earlier step could not capture (that step failed on this
    side) reads as ``missing-<name>``, so the request still goes out and the difference shows
    in the report instead of stopping the run."""

    def __missing__(self, key: str) -> str:
        return f"missing-{key}"


def fill(template: Any, variables: dict[str, Any]) -> Any:
    if isinstance(template, str):
        return template.format_map(_Known(variables))
    if isinstance(template, dict):
        return {key: fill(value, variables) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, variables) for value in template]
    return template


def _variables(scenario: Scenario, suffix: str, order: tuple[int, str]) -> dict[str, Any]:
    return {"suffix": suffix, "email": f"diff.{suffix}.{scenario.name}@example.com",
            "password": "diff-secret-1", "order_display_id": order[0], "order_email": order[1]}


def _capture_common(answer: Answer, variables: dict[str, Any]) -> None:
    body = answer.json
    if answer.status == 200 and isinstance(body, dict) and isinstance(body.get("customer"), dict):
        variables.setdefault("customer_id", body["customer"].get("id"))


def run(reference_url: str, candidate_url: str, *, jwt_secret: str = "supersecret",
        order: tuple[int, str] = (1, "guest.one@example.com"), only: list[str] | None = None,
        timeout: float = 30.0, progress: Any = None) -> list[Comparison]:
    reference = Side("reference", reference_url, jwt_secret, timeout)
    candidate = Side("candidate", candidate_url, jwt_secret, timeout)
    suffix = secrets.token_hex(4)
    results: list[Comparison] = []
    try:
        for scenario in scenarios():
            if only and scenario.name not in only:
                continue
            ref_vars = _variables(scenario, suffix, order)
            cand_vars = _variables(scenario, suffix, order)
            reference.cookie = candidate.cookie = None
            for step in scenario.steps:
                if step.before:
                    step.before(reference, ref_vars)
                    step.before(candidate, cand_vars)
                ref = reference.send(step, ref_vars)
                cand = candidate.send(step, cand_vars)
                for answer, variables in ((ref, ref_vars), (cand, cand_vars)):
                    _capture_common(answer, variables)
                    if step.capture and answer.json is not None:
                        step.capture(answer.json, variables)
                request = f"{step.method} {step.path.format_map(_Known(ref_vars))}"
                result = Comparison(scenario.name, step.operation, request, ref, cand,
                                    compare(ref, cand), step.deviation)
                results.append(result)
                if progress:
                    progress(result)
    finally:
        reference.close()
        candidate.close()
    return results


def generated_requests(document: Path, per_operation: int, seed: int,
                       methods: tuple[str, ...] = ("GET",)) -> list[tuple[str, str, str, dict]]:
    """Requests schemathesis generates from the document: (operationId, method, path, query).

    Only read operations by default, so that replaying them changes neither side.
    """
    import schemathesis

    schema = schemathesis.openapi.from_path(document)
    out: list[tuple[str, str, str, dict]] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # our own document: no errors
        if operation.method.upper() not in methods:
            continue
        op_id = operation.definition.raw.get("operationId", operation.label)
        drawn = _draw(operation.as_strategy(), per_operation, seed)
        for case in drawn[:per_operation]:
            path = case.formatted_path if hasattr(case, "formatted_path") else case.path
            out.append((op_id, operation.method.upper(), path, dict(case.query or {})))
    return out


def _draw(strategy: Any, count: int, seed: int) -> list[Any]:
    import hypothesis

    drawn: list[Any] = []

    @hypothesis.settings(max_examples=count, derandomize=True, database=None, deadline=None,
                         phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=strategy)
    def draw(case: Any) -> None:
        drawn.append(case)

    hypothesis.seed(seed)(draw)()
    return drawn


def run_generated(reference_url: str, candidate_url: str, requests: list[tuple[str, str, str,
                  dict]], *, timeout: float = 30.0, progress: Any = None) -> list[Comparison]:
    """Replay generated requests on both sides (no credentials) and compare the answers."""
    results = []
    with httpx.Client(base_url=reference_url.rstrip("/"), timeout=timeout) as ref_client, \
            httpx.Client(base_url=candidate_url.rstrip("/"), timeout=timeout) as cand_client:
        for op_id, method, path, query in requests:
            answers = []
            for client in (ref_client, cand_client):
                answers.append(_answer(client.request(method, path, params=query)))
            shown = str(httpx.URL(path, params=query))
            result = Comparison("generated", op_id, f"{method} {shown}", answers[0], answers[1],
                                compare(answers[0], answers[1]))
            results.append(result)
            if progress:
                progress(result)
    return results


def summary(results: list[Comparison]) -> dict[str, dict[str, int]]:
    per_op: dict[str, dict[str, int]] = {}
    for r in results:
        entry = per_op.setdefault(r.operation, {"requests": 0, "agree": 0})
        entry["requests"] += 1
        entry["agree"] += int(r.agree)
    return per_op


def agreement(results: list[Comparison], *, count_expected: bool = False) -> float:
    """Percent of requests that agree (optionally counting documented deviations as agreeing)."""
    good = sum(r.agree or (count_expected and r.expected) for r in results)
    return 100.0 * good / len(results) if results else 100.0


def write_reports(results: list[Comparison], directory: Path, reference_url: str,
                  candidate_url: str) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    per_op = summary(results)
    data = {
        "reference": reference_url, "candidate": candidate_url,
        "requests": len(results), "agreement_percent": round(agreement(results), 1),
        "agreement_with_documented_deviations_percent": round(
            agreement(results, count_expected=True), 1),
        "operations": {op: dict(v, agreement_percent=round(100 * v["agree"] / v["requests"], 1))
                       for op, v in sorted(per_op.items())},
        "disagreements": [
            {"scenario": r.scenario, "operation": r.operation, "request": r.request,
             "reasons": r.reasons, "documented_deviation": r.deviation,
             "reference": {"status": r.reference.status, "content_type": r.reference.media_type,
                           "body": r.reference.text[:4000]},
             "candidate": {"status": r.candidate.status, "content_type": r.candidate.media_type,
                           "body": r.candidate.text[:4000]}}
            for r in results if not r.agree],
    }
    json_path = directory / "diff.json"
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    lines = [
        "# medusa-mock diff", "",
        f"- reference: `{reference_url}`", f"- candidate: `{candidate_url}`",
        f"- requests: {len(results)}, agreement: **{data['agreement_percent']}%** "
        f"({data['agreement_with_documented_deviations_percent']}% counting the deliberate "
        "differences of docs/deviations.md as agreeing)", "",
        "## Agreement per operation", "",
        "| operation | requests | agree | agreement |", "|---|---:|---:|---:|",
    ]
    for op, v in sorted(per_op.items()):
        lines.append(f"| `{op}` | {v['requests']} | {v['agree']} | "
                     f"{100 * v['agree'] / v['requests']:.0f}% |")
    lines += ["", "## Disagreements", ""]
    if not data["disagreements"]:
        lines.append("None.")
    for r in results:
        if r.agree:
            continue
        lines += [f"### {r.scenario}: `{r.request}` ({r.operation})", ""]
        if r.deviation:
            lines += [f"Documented deviation `{r.deviation}` (docs/deviations.md).", ""]
        lines += [f"- {reason}" for reason in r.reasons]
        lines += ["", "| reference | candidate |", "|---|---|",
                  f"| {_cell(r.reference.brief())} | {_cell(r.candidate.brief())} |", ""]
    md_path = directory / "diff.md"
    md_path.write_text("\n".join(lines) + "\n")
    return json_path, md_path


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("\n", " ").replace("`", "'") + "`"
