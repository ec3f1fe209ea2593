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
from mock_server._spec import control_spec_path, store_spec_path
from mock_server._state.seed import read_seed

from ._allowances import Allowance, find_allowance

CUSTOMER = {"email": "jane@example.com", "password": "supersecret"}
"""The seeded registered customer whose bearer token every generated case carries."""
CLAIM_TOKEN_EVENT = "order-update-token.created"

DEFAULT_SEED = 20240611
DEFAULT_MAX_EXAMPLES = 15


# -- options ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Options:
    base_url: str | None = None
    seed: int = DEFAULT_SEED
    max_examples: int = DEFAULT_MAX_EXAMPLES

    @classmethod
    def from_pytest(cls, config: Any) -> Options:
        base_url = config.getoption("base_url", default=None) or None
        return cls(
            base_url=base_url.rstrip("/") if base_url else None,
            seed=config.getoption("contract_seed", default=DEFAULT_SEED),
            max_examples=config.getoption("contract_max_examples", default=DEFAULT_MAX_EXAMPLES),
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


@dataclass
class Session:
    """What conftest.py's ``pytest_configure`` hands over: the options and the shared counters.

    Test modules read it when pytest imports them, because ``schema.parametrize()`` needs its
    schema - and so the module's app - at collection time.
    """

    options: Options = field(default_factory=Options)
    stats: ContractStats = field(default_factory=ContractStats)


SESSION = Session()


def configure_session(options: Options) -> Session:
    SESSION.options = options
    SESSION.stats = ContractStats()
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


def wrap_check(check: Callable[..., Any], stats: ContractStats) -> Callable[..., Any]:
    """``check`` under the same name, counting runs and letting only allowance-table rows fail."""
    name = check.__name__

    @functools.wraps(check)
    def wrapped(ctx: Any, response: Any, case: Any) -> Any:
        record = stats.check(name)
        record.runs += 1
        try:
            return check(ctx, response, case)
        except (AssertionError, FailureGroup):
            allowance: Allowance | None = find_allowance(operation_id(case), name, case, response)
            if allowance is not None:
                record.allowed += 1
                record.allowed_operations.add(case.operation.label)
                return None
            record.failures += 1
            record.failing_operations.add(case.operation.label)
            raise

    return wrapped


# -- the harness ----------------------------------------------------------------------------
class Contract:
    """Both documents bound to one target, and the one way to send and validate a case."""

    def __init__(self, target: Target, stats: ContractStats) -> None:
        self.target = target
        self.stats = stats
        config = schemathesis_config(target.options)
        self.store = load_schema(store_spec_path(), target, config)
        self.control = load_schema(control_spec_path(), target, config)
        self._wrapped: dict[tuple[Callable[..., Any], int], Callable[..., Any]] = {}
        self._probe_stats = ContractStats()
        self._bearer: str | None = None
        self._controls_state: bool | None = None
        self.excluded = self._not_implemented()
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
        if not self.excluded:
            return self.store
        return self.store.exclude(operation_id=list(self.excluded))

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
        case.validate_response(response, checks=self.checks_for(case, stats=self._probe_stats))

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
    def login(self, email: str = CUSTOMER["email"], password: str = CUSTOMER["password"]) -> str:
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
                return contract.bearer()

            def set(self, case: Any, data: str, context: Any) -> None:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

        self.store.auth.auth(refresh_interval=None)(StoreBearer)

    # control plane -------------------------------------------------------------------------
    def reset(self) -> None:
        response = self.request("POST", "/_mock/reset", schema=self.control)
        assert response.status_code == 200, response.text

    def events(self, name: str) -> list[dict[str, Any]]:
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


def seeded_orders() -> list[dict[str, Any]]:
    """The seed's orders as ``{display_id, email, guest}``; display ids follow seed order."""
    _, data = read_seed(None)  # the bundled demo store
    return [{"display_id": index, "email": entry["email"].lower(),
             "guest": entry.get("customer") is None}
            for index, entry in enumerate(data.get("orders", []), start=1)]
