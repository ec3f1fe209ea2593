"""The validators built once per schema are found by the schema's ``id``: an entry must never
serve another schema that later lives at the same address (another app's document, freed and
reallocated), which once answered a variants read with a control route's schema (a 500)."""

from __future__ import annotations

from typing import Any

from mock_server._http import _validation


def _schemas(n: int) -> Any:
    """Fresh schemas, each freed before the next is made (CPython hands their ids out again)."""
    for i in range(n):
        yield {"type": "object", "required": [f"key{i}"]}


def test_a_response_validator_is_never_one_built_for_a_freed_schema() -> None:
    wrong = 0
    for i, schema in enumerate(_schemas(200)):
        checker = _validation.MedusaJSONResponseValidator({}, schema=schema, encoding="utf-8")
        if not checker.validator.is_valid({f"key{i}": 1}):
            wrong += 1
        del checker, schema
    assert wrong == 0


def test_a_request_validator_is_never_one_built_for_a_freed_schema() -> None:
    wrong = 0
    for i, schema in enumerate(_schemas(200)):
        if not _validation._request_validator(schema).is_valid({f"key{i}": 1}):
            wrong += 1
        del schema
    assert wrong == 0
