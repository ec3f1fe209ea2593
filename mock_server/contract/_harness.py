"""The one code path every contract test uses to reach the server under test.

A :class:`Target` is either the in-process mock (``create_app``; schemathesis' ASGI transport) or
a live server (``--base-url``; schemathesis' requests transport). Both documents are loaded with
``schemathesis.openapi.from_path`` and pointed at the target through schemathesis itself
(``schema.app``, or the ``base-url`` setting), so tests never branch on the kind of target: they
send schemathesis cases with :meth:`Contract.call_and_validate`, which runs schemathesis' default
checks, each wrapped by :func:`wrap_check` - the single place where ``_allowances.ALLOWANCES``
applies.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.checks import CHECKS, load_all_checks, max_response_time
from schemathesis.core.failures import FailureGroup

from mock_server import Settings, create_app
from mock_server._claim_tokens import CLAIM_TOKEN_EVENT, mint_claim_token
from mock_server._failures import describe_failure
from mock_server._seed import read_seed
from mock_server._spec import control_spec_path, store_spec_path

from ._allowances import Allowance, find_allowance

CUSTOMER = {"email": "jane@example.com", "password": "supersecret"}
"""The seeded registered customer whose bearer token every generated case carries."""

DEFAULT_SEED = 20240611
DEFAULT_MAX_EXAMPLES = 15


# -- options ---------------------------------------------------------------------------------
PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True)
class Options:
    base_url: str | None = None
    seed: int = DEFAULT_SEED
    max_examples: int = DEFAULT_MAX_EXAMPLES
    spec: Path | None = None
    """The document to test against (default: the bundled store.yaml)."""
    events_path: Path | None = None
    """Where to append the event stream (one JSON line per check run) for reports."""
    email: str = CUSTOMER["email"]
    password: str = CUSTOMER["password"]
    register: bool = False
    bearer: str | None = None
    cookie: str | None = None
    publishable_key: str | None = None
    claim_token_secret: str | None = None
    claim_token_events: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    phases: tuple[str, ...] = PHASES

    @classmethod
    def from_pytest(cls, config: Any) -> Options:
        def get(name: str, default: Any = None) -> Any:
            value = config.getoption(name, default=default)
            return default if value is None else value

        base_url = get("base_url") or None
        spec = get("contract_spec")
        events = get("contract_events")
        phases = get("contract_phases")
        return cls(
            base_url=base_url.rstrip("/") if base_url else None,
            seed=get("contract_seed", DEFAULT_SEED),
            max_examples=get("contract_max_examples", DEFAULT_MAX_EXAMPLES),
            spec=Path(spec) if spec else None,
            events_path=Path(events) if events else None,
            email=get("contract_email", CUSTOMER["email"]),
            password=get("contract_password", CUSTOMER["password"]),
            register=bool(get("contract_register", False)),
            bearer=get("contract_bearer"),
            cookie=get("contract_cookie"),
            publishable_key=get("contract_publishable_key"),
            claim_token_secret=get("contract_claim_token_secret"),
            claim_token_events=get("contract_claim_token_events"),
            include=tuple(get("contract_include", []) or ()),
            exclude=tuple(get("contract_exclude", []) or ()),
            phases=tuple(p.strip() for p in phases.split(",") if p.strip()) if phases
            else PHASES,
        )

    @property
    def live(self) -> bool:
        return self.base_url is not None


# -- statistics ------------------------------------------------------------------------------
@dataclass
class CheckStats:
    runs: int = 0
    failures: int = 0
    allowed: int = 0
    failing_operations: set[str] = field(default_factory=set)
    allowed_operations: set[str] = field(default_factory=set)


@dataclass
class ContractStats:
    """What the contract tests sent and what each check said, for the terminal summary."""

    examples: Counter[str] = field(default_factory=Counter)
    checks: dict[str, CheckStats] = field(default_factory=dict)
    excluded: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)

    def check(self, name: str) -> CheckStats:
        return self.checks.setdefault(name, CheckStats())

    def lines(self) -> list[str]:
        lines = [
            f"target: {', '.join(sorted(self.targets)) or '-'}",
            f"operations exercised: {len(self.examples)}; requests sent and checked: "
            f"{sum(self.examples.values())}; excluded as not implemented (501): "
            f"{len(self.excluded)}"
            + (f" ({', '.join(sorted(self.excluded))})" if self.excluded else ""),
            "per check: runs, failed runs (Hypothesis replays a failing example while it "
            "shrinks it), runs an _allowances.py row let through",
            f"{'check':<30}{'runs':>7}{'failed':>8}{'allowed':>9}",
        ]
        for name, stats in sorted(self.checks.items()):
            line = f"{name:<30}{stats.runs:>7}{stats.failures:>8}{stats.allowed:>9}"
            if stats.failing_operations:
                line += f"  failing: {', '.join(sorted(stats.failing_operations))}"
            if stats.allowed_operations:
                line += f"  allowed: {', '.join(sorted(stats.allowed_operations))}"
            lines.append(line)
        lines.append("requests per operation:")
        lines.extend(f"  {count:>5}  {label}" for label, count in sorted(self.examples.items()))
        return lines


class EventSink:
    """The event stream reporters read: one JSON object per line, appended as checks run."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    muted = False
    """While true (a probe of an operation known to be missing), check runs are not reported."""

    def emit(self, **event: Any) -> None:
        if self.path is None or (self.muted and event.get("kind") == "check"):
            return
        line = json.dumps(event, default=str) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)


@dataclass
class Session:
    """What conftest.py's ``pytest_configure`` hands over: the options and the shared counters.

    Test modules read it when pytest imports them, because ``schema.parametrize()`` needs its
    schema - and so the module's app - at collection time.
    """

    options: Options = field(default_factory=Options)
    stats: ContractStats = field(default_factory=ContractStats)
    events: EventSink = field(default_factory=lambda: EventSink(None))


SESSION = Session()


def configure_session(options: Options) -> Session:
    SESSION.options = options
    SESSION.stats = ContractStats()
    SESSION.events = EventSink(options.events_path)
    return SESSION


# -- target and schemathesis configuration ---------------------------------------------------
@dataclass
class Target:
    """Where requests go: an in-process app (``app``) or a live server (``base_url``)."""

    options: Options
    app: Any = None

    @classmethod
    def create(cls, options: Options) -> Target:
        if options.live:
            return cls(options=options)
        return cls(options=options,
                   app=create_app(Settings(id_seed=options.seed, validate_responses=True)))

    @property
    def kind(self) -> str:
        return f"live server {self.options.base_url}" if self.options.live else "in-process app"

    @property
    def not_implemented(self) -> tuple[str, ...]:
        """Operations answering 501 for lack of a handler (only known for the in-process app),
        each once (``app.not_implemented`` lists an operation once per Connexion resolve)."""
        return tuple(dict.fromkeys(getattr(self.app, "not_implemented", ()) or ()))


def schemathesis_config(options: Options) -> schemathesis.Config:
    """Deterministic generation (explicit seed, derandomized, no example database, the default
    phases and generation modes); the checks keep schemathesis' defaults."""
    data: dict[str, Any] = {
        "seed": options.seed,
        "generation": {
            "max-examples": options.max_examples,
            "deterministic": True,
            "database": "none",
        },
    }
    if options.base_url:
        data["base-url"] = options.base_url
    if set(options.phases) != set(PHASES):
        data["phases"] = {name: {"enabled": name in options.phases} for name in PHASES}
    return schemathesis.Config.from_dict(data)


def load_schema(path: Path, target: Target, config: schemathesis.Config) -> Any:
    schema = schemathesis.openapi.from_path(path, config=config)
    if target.app is not None:
        schema.app = target.app  # schemathesis' ASGI transport, in process
    return schema


def operation_id(case_or_operation: Any) -> str | None:
    operation = getattr(case_or_operation, "operation", case_or_operation)
    return operation.definition.raw.get("operationId")


# -- checks ---------------------------------------------------------------------------------
def default_checks(case: Any) -> list[Callable[..., Any]]:
    """The checks ``case.validate_response()`` runs when given none: every registered check the
    configuration enables (all of them by default), plus ``max_response_time`` if configured."""
    load_all_checks()
    config = case.operation.schema.config.checks_config_for(operation=case.operation)
    checks = [check for check in CHECKS.get_all()
              if not isinstance(check, type) and config.get_by_name(name=check.__name__).enabled]
    if config.max_response_time.enabled:
        checks.append(max_response_time)
    return checks


def _curl(case: Any, response: Any) -> str:
    try:
        request = response.request
        headers = {k: v for k, v in dict(request.headers).items()
                   if k.lower() not in ("user-agent", "accept-encoding", "accept", "connection",
                                        "content-length", "x-schemathesis-testcaseid")}
        return case.as_curl_command(headers=headers)
    except Exception:
        return ""


def wrap_check(check: Callable[..., Any], stats: ContractStats,
               events: EventSink | None = None) -> Callable[..., Any]:
    """``check`` under the same name: counting runs, letting only allowance-table rows fail, and
    reporting each run to the event stream."""
    name = check.__name__

    def emit(case: Any, response: Any, outcome: str, message: str = "") -> None:
        sink = events or SESSION.events
        sink.emit(kind="check", operation=operation_id(case), label=case.operation.label,
                  check=name, outcome=outcome, status=getattr(response, "status_code", None),
                  message=message, curl=_curl(case, response) if outcome == "failed" else "")

    @functools.wraps(check)
    def wrapped(ctx: Any, response: Any, case: Any) -> Any:
        record = stats.check(name)
        record.runs += 1
        try:
            result = check(ctx, response, case)
        except (AssertionError, FailureGroup) as exc:
            allowance: Allowance | None = find_allowance(operation_id(case), name, case, response)
            if allowance is not None:
                record.allowed += 1
                record.allowed_operations.add(case.operation.label)
                emit(case, response, "allowed", allowance.reason)
                return None
            record.failures += 1
            record.failing_operations.add(case.operation.label)
            emit(case, response, "failed", describe_failure(exc))
            raise
        emit(case, response, "passed")
        return result

    return wrapped


# -- the harness ----------------------------------------------------------------------------
class Contract:
    """Both documents bound to one target, and the one way to send and validate a case."""

    def __init__(self, target: Target, stats: ContractStats) -> None:
        self.target = target
        self.stats = stats
        config = schemathesis_config(target.options)
        self.store = load_schema(target.options.spec or store_spec_path(), target, config)
        self.control = load_schema(control_spec_path(), target, config)
        self._wrapped: dict[tuple[Callable[..., Any], int], Callable[..., Any]] = {}
        self._probe_stats = ContractStats()
        self._bearer: str | None = None
        self._controls_state: bool | None = None
        self.excluded = tuple(op for op in self._not_implemented() if self.selected(op))
        stats.targets.add(target.kind)
        stats.excluded.update(self.excluded)

    def _not_implemented(self) -> tuple[str, ...]:
        """What the run leaves out: the in-process app's 501 operations. A live server that is
        a mock (it has ``/_mock/clock``) is taken to be this checkout served (as in CI), so the
        same operations are left out and their xfail probes check it answers 501 too; against
        a real Medusa nothing is left out."""
        if not self.target.options.live:
            return self.target.not_implemented
        if not self.controls_state():
            return ()
        return Target.create(replace(self.target.options, base_url=None)).not_implemented

    @classmethod
    def for_module(cls) -> Contract:
        """A fresh target for one test module (a new in-process app, or the live server)."""
        return cls(Target.create(SESSION.options), SESSION.stats)

    # operations ----------------------------------------------------------------------------
    def generated_schema(self) -> Any:
        """The store document for ``schema.parametrize()``: operations the target answers 501
        are left out (``test_not_implemented_operation`` reports them), and every generated case
        carries the seeded customer's bearer token."""
        self._send_bearer_on_generated_cases()
        schema = self.store
        options = self.target.options
        if options.include:
            wanted = set(options.include)
            schema = schema.include(lambda ctx: _selected(ctx.operation, wanted))
        if options.exclude:
            unwanted = set(options.exclude)
            schema = schema.exclude(lambda ctx: _selected(ctx.operation, unwanted))
        if self.excluded:
            schema = schema.exclude(operation_id=list(self.excluded))
        return schema

    def selected(self, op_id: str) -> bool:
        """Whether --contract-include/--contract-exclude keep this operation."""
        options = self.target.options
        if not (options.include or options.exclude):
            return True
        try:
            operation = self.operation(op_id)
        except LookupError:
            return False
        if options.include and not _selected(operation, set(options.include)):
            return False
        return not (options.exclude and _selected(operation, set(options.exclude)))

    def operation(self, op_id: str, *, schema: Any = None) -> Any:
        for result in (schema or self.store).get_all_operations():
            operation = result.ok()
            if operation_id(operation) == op_id:
                return operation
        raise LookupError(f"no operation {op_id!r} in the document")

    def case(self, method: str, path: str, *, schema: Any = None, **kwargs: Any) -> Any:
        operation = (schema or self.store)[path][method.upper()]
        if "body" in kwargs:
            kwargs.setdefault("media_type", "application/json")
        return operation.Case(**kwargs)

    # sending -------------------------------------------------------------------------------
    def checks_for(self, case: Any, *, stats: ContractStats | None = None,
                   ) -> list[Callable[..., Any]]:
        stats = stats or self.stats
        checks = []
        for check in default_checks(case):
            key = (check, id(stats))
            if key not in self._wrapped:
                self._wrapped[key] = wrap_check(check, stats)
            checks.append(self._wrapped[key])
        return checks

    def call_and_validate(self, case: Any, **kwargs: Any) -> Any:
        """Send ``case`` to the target and run every default check on the response."""
        __tracebackhide__ = True
        self.stats.examples[case.operation.label] += 1
        return case.call_and_validate(checks=self.checks_for(case), **kwargs)

    def probe(self, case: Any) -> Any:
        """Send ``case`` to an operation left out of the run; the response, not counted."""
        return case.call()

    def validate_probe(self, case: Any, response: Any) -> None:
        """Every default check (and allowance) on a probe's response, kept out of the summary."""
        __tracebackhide__ = True
        SESSION.events.emit(kind="not_implemented", operation=operation_id(case),
                            label=case.operation.label)
        SESSION.events.muted = True  # an expected failure is not a finding of the audit
        try:
            case.validate_response(response,
                                   checks=self.checks_for(case, stats=self._probe_stats))
        finally:
            SESSION.events.muted = False

    def request(self, method: str, path: str, *, schema: Any = None, **kwargs: Any) -> Any:
        """Build a case for ``method path`` from explicit values, send it, validate it."""
        __tracebackhide__ = True
        return self.call_and_validate(self.case(method, path, schema=schema, **kwargs))

    # state ---------------------------------------------------------------------------------
    def fresh_module_state(self) -> None:
        """At the start of a test module: an in-process app is new already; a live server that
        has the mock's control plane goes back to its seed (``POST /_mock/reset``)."""
        if self.target.options.live and self.controls_state():
            self.reset()

    def controls_state(self) -> bool:
        """Whether the target has the mock's ``/_mock/reset`` and ``/_mock/clock`` (the mock
        does; a real Medusa from scripts/real-medusa only has ``/_mock/events``)."""
        if self._controls_state is None:
            if not self.target.options.live:
                self._controls_state = True
            else:
                probe = self.case("GET", "/_mock/clock", schema=self.control)
                self._controls_state = probe.call().status_code == 200
        return self._controls_state

    # storefront helpers --------------------------------------------------------------------
    def login(self, email: str | None = None, password: str | None = None) -> str:
        options = self.target.options
        email = email or options.email
        password = password or options.password
        if options.bearer and email == options.email:
            return options.bearer
        if options.register and not getattr(self, "_registered", False):
            self._registered = True
            self.request("POST", "/store/customers", body={"email": email, "password": password})
        response = self.request("POST", "/store/auth/token",
                                body={"email": email, "password": password})
        assert response.status_code == 200, (
            f"cannot log in {email} on the {self.target.kind}: "
            f"{response.status_code} {response.text[:200]}")
        return response.json()["access_token"]

    def bearer(self) -> str:
        """The seeded customer's token, fetched once per module (before any generated case
        could change the password)."""
        if self._bearer is None:
            # A live server may still hold the password an earlier run's fuzzing set.
            self.fresh_module_state()
            self._bearer = self.login()
        return self._bearer

    def _send_bearer_on_generated_cases(self) -> None:
        if self.store.auth.is_defined:
            return
        contract = self

        class StoreBearer:
            """schemathesis auth provider: ``Authorization: Bearer`` on every generated case."""

            def get(self, case: Any, context: Any) -> str:
                return "" if contract.target.options.cookie else contract.bearer()

            def set(self, case: Any, data: str, context: Any) -> None:
                case.headers = {**(case.headers or {}), **contract.auth_headers(data)}

        self.store.auth.auth(refresh_interval=None)(StoreBearer)

    def auth_headers(self, token: str | None = None) -> dict[str, str]:
        """Credentials and keys every generated case carries (``--contract-*`` options)."""
        options = self.target.options
        headers: dict[str, str] = {}
        if options.cookie:
            headers["Cookie"] = options.cookie if "=" in options.cookie else (
                f"connect.sid={options.cookie}")
        elif token:
            headers["Authorization"] = f"Bearer {token}"
        if options.publishable_key:
            headers["x-publishable-api-key"] = options.publishable_key
        return headers

    # claim tokens --------------------------------------------------------------------------
    def claim_token_source(self) -> str | None:
        """``events`` (an outbox), ``secret`` (tokens minted like the deployment), or ``None``
        when the confirm-success path cannot be covered."""
        options = self.target.options
        if options.claim_token_events or self._has_events():
            return "events"
        if options.claim_token_secret:
            return "secret"
        return None

    def _has_events(self) -> bool:
        if getattr(self, "_events_probe", None) is None:
            probe = self.case("GET", "/_mock/events", schema=self.control,
                              query={"name": CLAIM_TOKEN_EVENT})
            try:
                self._events_probe = probe.call().status_code == 200
            except Exception:
                self._events_probe = False
        return self._events_probe

    def claim_token_secret(self) -> str | None:
        """The secret claim tokens are signed with: given, or the in-process app's own."""
        if self.target.options.claim_token_secret:
            return self.target.options.claim_token_secret
        if self.target.app is not None:
            return self.target.app.services.settings.jwt_secret
        return None

    def mint_claim_token(self, customer_id: str, order_ids: list[str],
                         secret: str | None = None) -> str:
        """A claim token as Medusa signs one (``mock_server._claim_tokens``)."""
        return mint_claim_token(secret or self.claim_token_secret() or "", customer_id,
                                order_ids)

    def not_covered(self, what: str) -> None:
        SESSION.events.emit(kind="not_covered", message=what)

    # control plane -------------------------------------------------------------------------
    def reset(self) -> None:
        response = self.request("POST", "/_mock/reset", schema=self.control)
        assert response.status_code == 200, response.text

    def events(self, name: str) -> list[dict[str, Any]]:
        url = self.target.options.claim_token_events
        if url:
            import httpx

            response = httpx.get(url, params={"name": name}, timeout=30)
            assert response.status_code == 200, response.text
            return response.json()["events"]
        response = self.request("GET", "/_mock/events", schema=self.control, query={"name": name})
        assert response.status_code == 200, response.text
        return response.json()["events"]

    def wait_for_events(self, name: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The ``name`` events once there are at least ``count``; a real Medusa stages events and
        shows them 0.5-3 s after the request (docs/real-medusa.md), the mock at once."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events(name)
            if len(events) >= count or time.monotonic() >= deadline:
                return events
            time.sleep(0.25)

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        response = self.request("POST", "/_mock/clock", schema=self.control,
                                body={"advance_seconds": seconds})
        assert response.status_code == 200, response.text
        return response.json()


def _selected(operation: Any, names: set[str]) -> bool:
    """Whether an operation is named by operationId or by one of its tags."""
    raw = operation.definition.raw
    return raw.get("operationId") in names or bool(names & set(raw.get("tags") or []))


def seeded_orders() -> list[dict[str, Any]]:
    """The seed's orders as ``{display_id, email, guest}``; display ids follow seed order."""
    _, data = read_seed(None)  # the bundled demo store
    return [{"display_id": index, "email": entry["email"].lower(),
             "guest": entry.get("customer") is None}
            for index, entry in enumerate(data.get("orders", []), start=1)]


def run_state_machine(machine: type, options: Options, *, steps: int) -> None:
    """Run a bound Hypothesis state machine the way every stateful contract test does:
    seeded, derandomized, no example database, no deadline, ``max_examples`` from the run."""
    import hypothesis
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        hypothesis.seed(options.seed)(machine),
        settings=hypothesis.settings(
            max_examples=options.max_examples, stateful_step_count=steps, derandomize=True,
            database=None, deadline=None, print_blob=False,
            suppress_health_check=[hypothesis.HealthCheck.too_slow]))
