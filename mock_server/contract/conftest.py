"""Options, fixtures and the summary of the contract tests.

``--base-url URL``            run against that live server (a served mock, or a real Medusa);
                              without it, against a fresh in-process ``create_app`` per module.
``--contract-seed N``         the seed of every generator (fixed by default: runs are repeatable).
``--contract-max-examples N`` generated examples per operation in schemathesis' fuzzing phase.
"""

from __future__ import annotations

import os

# Every mock the tests start (in-process or served) checks each read-cache hit against a fresh
# computation: a stale answer fails the test that saw it (mock_server/_domain/read_cache.py).
os.environ.setdefault("MEDUSA_MOCK_READ_CACHE", "verify")

from pathlib import Path
from typing import Any

import pytest

from ._harness import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SEED,
    SESSION,
    Contract,
    Options,
    configure_session,
)


def _registered_options(parser: pytest.Parser) -> set[str]:
    names: set[str] = set()
    for group in (parser._anonymous, *parser._groups):
        for option in group.options:
            names.update(option.names())
    return names


def pytest_addoption(parser: pytest.Parser) -> None:
    # Another conftest (tests/) or a plugin (pytest-base-url) may define --base-url already:
    # reuse it instead of clashing; only its value (dest ``base_url``) is read.
    known = _registered_options(parser)
    group = parser.getgroup("contract", "medusa-mock contract tests (mock_server/contract/)")
    if "--base-url" not in known:
        group.addoption("--base-url", dest="base_url", default=None, metavar="URL",
                        help="Run the contract tests against this live server (e.g. "
                             "http://localhost:9000) instead of an in-process app.")
    if "--contract-seed" not in known:
        group.addoption("--contract-seed", dest="contract_seed", type=int, default=DEFAULT_SEED,
                        metavar="N", help=f"Seed for generated data (default {DEFAULT_SEED}).")
    if "--contract-max-examples" not in known:
        group.addoption("--contract-max-examples", dest="contract_max_examples", type=int,
                        default=DEFAULT_MAX_EXAMPLES, metavar="N",
                        help="Generated examples per operation in schemathesis' fuzzing phase "
                             f"(default {DEFAULT_MAX_EXAMPLES}).")


    extra: list[tuple[str, dict[str, Any]]] = [
        ("--contract-spec", {"metavar": "FILE", "help": "document to test against (default: "
                                                       "the bundled openapi/store.yaml)"}),
        ("--contract-events", {"metavar": "FILE", "help": "append the event stream (one JSON "
                                                         "line per check run) to FILE"}),
        ("--contract-email", {"metavar": "EMAIL", "help": "customer to log in as"}),
        ("--contract-password", {"metavar": "PASSWORD", "help": "that customer's password"}),
        ("--contract-register", {"action": "store_true", "default": False,
                                 "help": "register the customer first"}),
        ("--contract-bearer", {"metavar": "TOKEN", "help": "send this bearer token"}),
        ("--contract-cookie", {"metavar": "COOKIE", "help": "send this session cookie"}),
        ("--contract-publishable-key", {"metavar": "KEY",
                                        "help": "send x-publishable-api-key: KEY"}),
        ("--contract-claim-token-secret", {"metavar": "SECRET",
                                           "help": "mint claim tokens with this JWT secret"}),
        ("--contract-claim-token-events", {"metavar": "URL",
                                           "help": "read claim tokens from this events URL"}),
        ("--contract-include", {"action": "append", "metavar": "NAME",
                                "help": "only this operationId or tag (repeatable)"}),
        ("--contract-exclude", {"action": "append", "metavar": "NAME",
                                "help": "not this operationId or tag (repeatable)"}),
        ("--contract-phases", {"metavar": "LIST",
                               "help": "schemathesis phases, comma-separated (default: all of "
                                       "examples,coverage,fuzzing,stateful)"}),
    ]
    for flag, kwargs in extra:
        if flag not in known:
            group.addoption(flag, dest=flag[2:].replace("-", "_"), **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes tens of seconds (scripts/check skips it)")
    configure_session(Options.from_pytest(config))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # schemathesis 4.32 names its per-operation items ``test[GET /path]`` but passes the bare
    # function name as ``originalname``, from which pytest 9.2 builds the node id: every item of
    # ``schema.parametrize()`` would get the same id. Put the operation back into the id.
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.slow)  # property-based: CI runs it, scripts/check not
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "_id", None)
        if (label and node_id is not None and getattr(node_id, "params", "") is None
                and item.name.endswith(f"[{label}]") and here in item.path.resolve().parents):
            item._id = node_id.with_params(label)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not SESSION.stats.examples:
        return
    terminalreporter.section("medusa-mock contract")
    for line in SESSION.stats.lines():
        terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def contract(request: pytest.FixtureRequest) -> Contract:
    """This module's harness: the one its ``schema.parametrize()`` was built from (module global
    ``CONTRACT``), else a new one; in-process that is a fresh app, live the server is put back
    to its seed first (``POST /_mock/reset``) when it has the mock's control plane."""
    harness = getattr(request.module, "CONTRACT", None)
    if not isinstance(harness, Contract):
        harness = Contract.for_module()
    harness.fresh_module_state()
    return harness
