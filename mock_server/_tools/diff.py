"""``medusa-mock diff``: send the same requests to two deployments and compare the answers.

Two sources of requests, both played on both sides with each side's own ids:

* scripted storefront scenarios (:mod:`.scenarios`), built from what the two deployments hold
  (:mod:`.world`: discovered through each Store API and matched by name);
* with ``generated``, requests schemathesis generates from the document for every operation
  (:mod:`.generated`), with valid ids substituted per side.

Every answer pair is compared (:mod:`.compare`); a disagreement that a *mock differs* row of the
quirks registry explains (:mod:`.explain`) is counted apart. The run never stops on a side that
stops answering: what was compared is reported, and the scenario that lost its side is a failure.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .compare import Comparison, compare
from .explain import explain
from .scenarios import BUILDERS, Scenario, Step
from .sides import FixtureError, Side, Unreachable
from .world import Options, Skip, World

EXIT_OK, EXIT_DISAGREE, EXIT_USAGE = 0, 1, 2
Progress = Callable[[Comparison], None]


@dataclass
class ScenarioResult:
    name: str
    status: str  # "ran", "skipped" or "failed"
    reason: str = ""
    requests: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Run:
    reference: str
    candidate: str
    comparisons: list[Comparison] = field(default_factory=list)
    scenarios: list[ScenarioResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    generated: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    duration_s: float = 0.0
    problem: str | None = None
    """Why the run could not start (a side unreachable at the start): exit 2."""

    @property
    def failed_scenarios(self) -> list[ScenarioResult]:
        return [s for s in self.scenarios if s.status == "failed"]


def agreement(results: list[Comparison], *, counting_mock: bool = False) -> float:
    """Percent of requests that agree (with ``counting_mock``, a difference a *mock differs*
    row explains counts as agreeing)."""
    if not results:
        return 100.0
    good = sum(r.counted_agree if counting_mock else r.agree for r in results)
    return 100.0 * good / len(results)


def judged(source: str, scenario: str, operation: str, method: str,
           answers: tuple[Any, Any], sent: tuple[Any, Any]) -> Comparison:
    """A comparison of two answers, with the registry row that explains it, if any."""
    result = Comparison(source, scenario, operation, method, answers[0], answers[1], sent,
                        compare(answers[0], answers[1]))
    result.explained_by = explain(result)
    return result


# -- scripted scenarios --------------------------------------------------------------------
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


def send_step(side: Side, step: Step, variables: dict[str, Any]) -> tuple[Any, Any]:
    headers = {name: fill(value, variables) for name, value in step.headers.items()}
    if step.auth == "bearer" and variables.get("bearer"):
        headers["Authorization"] = f"Bearer {variables['bearer']}"
    if step.auth == "cookie" and side.cookie:
        headers["Cookie"] = side.cookie
    path = fill(step.path, variables)
    if isinstance(step.body, bytes):
        answer, sent = side.send(step.method, path, content=step.body,
                                 content_type=step.content_type, headers=headers)
    elif step.body is not None:
        answer, sent = side.send(step.method, path, body=fill(step.body, variables),
                                 content_type=step.content_type, headers=headers)
    else:
        answer, sent = side.send(step.method, path, headers=headers)
    return answer, sent


def _keep_cookie(side: Side, step: Step, set_cookie: str | None) -> None:
    if set_cookie and set_cookie.startswith("connect.sid=") and (
            step.auth == "cookie" or step.operation in ("PostAuth", "PostCustomers")):
        side.cookie = set_cookie.split(";", 1)[0]


def play(world: World, scenario: Scenario, progress: Progress | None,
         results: list[Comparison]) -> None:
    """Every step on both sides, each comparison appended to ``results`` as it is made; raises
    :class:`Unreachable` if a side stops answering (what was compared before stays)."""
    variables = [scenario.side_variables(0), scenario.side_variables(1)]
    for side in world.sides:
        side.cookie = None
    for step in scenario.steps:
        answers, sent = [], []
        for side, values in zip(world.sides, variables, strict=True):
            if step.before:
                step.before(side, values)
            answer, request = send_step(side, step, values)
            _keep_cookie(side, step, side.last_set_cookie)
            if answer.status == 200 and isinstance(answer.json, dict) and isinstance(
                    answer.json.get("customer"), dict):
                values.setdefault("customer_id", answer.json["customer"].get("id"))
            if step.capture and answer.json is not None:
                step.capture(answer.json, values)
            answers.append(answer)
            sent.append(request)
        result = judged("scenario", scenario.name, step.operation, step.method,
                        (answers[0], answers[1]), (sent[0], sent[1]))
        results.append(result)
        if progress:
            progress(result)


def run_scenarios(world: World, run: Run, only: list[str] | None,
                  progress: Progress | None) -> None:
    for name, build in BUILDERS.items():
        if only and name not in only:
            continue
        outcome = ScenarioResult(name, "ran")
        run.scenarios.append(outcome)
        played: list[Comparison] = []
        try:
            scenario = build(world)
            outcome.notes = scenario.notes
            play(world, scenario, progress, played)
        except Skip as exc:
            outcome.status, outcome.reason = "skipped", str(exc)
        except FixtureError as exc:
            outcome.status, outcome.reason = "failed", f"could not prepare it: {exc}"
        except Unreachable as exc:
            outcome.status, outcome.reason = "failed", f"a side stopped answering: {exc}"
        outcome.requests = len(played)
        run.comparisons.extend(played)


# -- the whole run -------------------------------------------------------------------------
@dataclass
class Settings:
    reference: str
    candidate: str
    jwt_secret: str = "supersecret"
    only: list[str] | None = None
    scenarios: bool = True
    generated: int = 0
    seed: int = 20240611
    modes: tuple[str, ...] = ("positive", "negative")
    spec: Any = None
    operations: list[str] | None = None
    timeout: float = 30.0
    options: Options = field(default_factory=Options)


def run(settings: Settings, *, progress: Progress | None = None,
        status: Callable[[str], None] | None = None) -> Run:
    """Compare the two deployments; never raises for what a side answers or fails to."""
    result = Run(settings.reference, settings.candidate)
    t0 = time.monotonic()
    sides = (Side("reference", settings.reference, timeout=settings.timeout,
                  jwt_secret=settings.jwt_secret),
             Side("candidate", settings.candidate, timeout=settings.timeout,
                  jwt_secret=settings.jwt_secret))
    try:
        for side in sides:
            problem = side.probe()
            if problem:
                result.problem = f"cannot reach the {side.name} at {side.base_url}: {problem}"
                return result
        suffix = secrets.token_hex(4)
        try:
            world = World(*sides, suffix=suffix, options=settings.options)
        except (Unreachable, FixtureError) as exc:
            result.problem = f"cannot read what the deployments hold: {exc}"
            return result
        result.data = world.summary()
        if settings.scenarios:
            if status:
                status("scenarios: playing the storefront scenarios on both sides")
            run_scenarios(world, result, settings.only, progress)
        if settings.generated > 0:
            from . import generated

            generated.run(world, result, settings, progress=progress, status=status)
        result.notes.extend(world.notes)
        problem = world.plan_problem() if (settings.scenarios or settings.generated) else None
        if problem:
            result.notes.append(f"checkout: {problem}; what needs a cart ready for checkout "
                                "or an order was skipped")
    finally:
        for side in sides:
            side.close()
        result.duration_s = round(time.monotonic() - t0, 1)
    return result


def exit_code(run: Run, min_agreement: float) -> tuple[int, str]:
    """The exit code and the one line that says why, as for ``audit``: 0 clean (or agreement,
    counting deliberate mock differences, at or above ``min_agreement``), 1 disagreements
    beyond it or a scenario that failed, 2 a side unreachable at the start or nothing
    compared."""
    if run.problem:
        return EXIT_USAGE, run.problem
    if not run.comparisons:
        why = "; ".join(f"{s.name}: {s.reason}" for s in run.scenarios if s.reason)
        return EXIT_USAGE, ("no request was compared" + (f" ({why})" if why else ""))
    raw = agreement(run.comparisons)
    counted = agreement(run.comparisons, counting_mock=True)
    agreeing = sum(r.agree for r in run.comparisons)
    line = (f"diff: {agreeing}/{len(run.comparisons)} requests agree ({raw:.1f}%; "
            f"{counted:.1f}% counting deliberate mock differences)")
    if run.failed_scenarios:
        names = ", ".join(s.name for s in run.failed_scenarios)
        return EXIT_DISAGREE, f"{line}; scenarios that failed: {names}"
    if min_agreement > 0:
        if counted < min_agreement:
            return EXIT_DISAGREE, f"{line}; below --min-agreement {min_agreement:g}%"
        return EXIT_OK, line
    return (EXIT_OK if all(r.counted_agree for r in run.comparisons) else EXIT_DISAGREE), line


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n"
