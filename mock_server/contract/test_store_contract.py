"""Every operation of ``openapi/store.yaml`` against the target, with schemathesis' default checks.

Generation runs schemathesis' default phases (examples, coverage, fuzzing) in its default modes
(positive and negative) with a fixed seed and no example database. Every generated case carries
the seeded customer's bearer token, so authenticated operations get past 401. The checks are
schemathesis' defaults, each wrapped only to count it and to apply the narrow rows of
``_allowances.ALLOWANCES``.

Operations the in-process app answers with 501 (no handler yet) are left out of the generated
run (also against a live mock, taken to be this checkout served), and each one is reported by
``test_not_implemented_operation`` as a strict xfail.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
from schemathesis import GenerationMode

from ._harness import Contract

# schemathesis 4.32's ``schemathesis.pytest.from_fixture`` cannot run under pytest 9.2 (it writes
# ``Function._nodeid``, which pytest 9.2 removed), so the schema is bound when pytest imports this
# module: a fresh in-process app for this module, or the live server from --base-url.
CONTRACT = Contract.for_module()
schema = CONTRACT.generated_schema()


@schema.parametrize()
def test_store_contract(case: Any, contract: Contract) -> None:
    contract.call_and_validate(case)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "not_implemented_operation" not in metafunc.fixturenames:
        return
    params = [pytest.param(op, id=op, marks=pytest.mark.xfail(
        strict=True, reason="not implemented yet (501)")) for op in CONTRACT.excluded]
    if not params:
        reason = ("a real Medusa: nothing is excluded"
                  if CONTRACT.target.options.live and not CONTRACT.controls_state()
                  else "every operation has a handler: nothing is excluded")
        params = [pytest.param(None, id="none", marks=pytest.mark.skip(reason=reason))]
    metafunc.parametrize("not_implemented_operation", params)


def test_not_implemented_operation(not_implemented_operation: str, contract: Contract) -> None:
    """A valid request to an excluded operation must not answer 501 and must pass the checks.

    It fails (the expected xfail) while the operation has no handler; once it has one, the
    operation leaves ``app.not_implemented`` and joins ``test_store_contract``.
    """
    operation = contract.operation(not_implemented_operation)

    @hypothesis.settings(max_examples=1, database=None, derandomize=True, deadline=None,
                         phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def probe(case: Any) -> None:
        response = contract.probe(case)
        assert response.status_code != 501, f"{operation.label} answers 501: {response.text}"
        contract.validate_probe(case, response)

    probe()
