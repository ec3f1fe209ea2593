"""The documents: valid OpenAPI 3.0, every operation routed, quirks written down."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from mock_server import Settings, create_app
from mock_server._http._resolver import find_handler, snake
from mock_server._quirks import QUIRKS, markdown_table
from mock_server._spec import control_spec_path, store_spec_path

ROOT = Path(__file__).resolve().parents[1]
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.mark.parametrize("path", [store_spec_path(), control_spec_path()], ids=["store", "control"])
def test_documents_are_valid_openapi_30(path: Path) -> None:
    spec, base_uri = read_from_filename(str(path))
    assert spec["openapi"].startswith("3.0.")
    validate(spec, base_uri=base_uri)


def _operations() -> list[tuple[str, str, dict]]:
    import yaml

    root = yaml.safe_load(store_spec_path().read_text())
    out = []
    for path, item in root["paths"].items():
        if "$ref" in item:
            file, _, pointer = item["$ref"].partition("#/")
            item = yaml.safe_load((store_spec_path().parent / file).read_text())[pointer]
        for method, op in item.items():
            if method in METHODS:
                out.append((method.upper(), path, op))
    return out


def test_first_slice_operations_have_handlers() -> None:
    ops = _operations()
    first = [op for _, _, op in ops if op["tags"][0] in ("Auth", "Customers", "Orders")]
    assert len(first) == 20
    for op in first:
        assert find_handler(op["operationId"], op["tags"][0]) is not None, op["operationId"]


def test_every_operation_resolves_or_is_reported_not_implemented() -> None:
    app = create_app(Settings())
    ops = _operations()
    missing = {op["operationId"] for _, _, op in ops
               if find_handler(op["operationId"], op["tags"][0]) is None}
    assert set(app.not_implemented) == missing
    assert len({op["operationId"] for _, _, op in ops}) == len(ops)


def test_not_implemented_answers_501_in_medusa_shape() -> None:
    app = create_app(Settings())
    ops = {op["operationId"]: (m, p) for m, p, op in _operations()}
    for operation_id in app.not_implemented[:3]:
        method, path = ops[operation_id]
        url = re.sub(r"\{[^}]+\}", "x", path)
        r = app.test_client().request(method, url, json={} if method == "POST" else None)
        if r.status_code == 501:
            assert r.json()["type"] == "not_implemented"
            assert operation_id in r.json()["message"]


def test_no_reference_prose_leaks_into_the_documents() -> None:
    for file in (ROOT / "openapi").rglob("*.yaml"):
        text = file.read_text()
        # Markers of the vendor document's code samples and codegen hints (spelled in parts so
        # that this file does not itself carry them).
        for marker in ("x-code" + "Samples", "medusa-url" + ".com", "x-code" + "gen"):
            assert marker not in text, f"{file}: {marker}"


def test_deviations_doc_lists_every_quirk() -> None:
    doc = (ROOT / "docs" / "deviations.md").read_text()
    assert markdown_table() in doc, "run: python -m mock_server._quirks --write"
    for quirk in QUIRKS:
        assert f"`{quirk.key}`" in doc


def test_quirk_keys_used_in_code_exist() -> None:
    keys = {q.key for q in QUIRKS}
    for file in (ROOT / "mock_server").rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "quirk":
                assert isinstance(node.value, ast.Constant) and node.value.value in keys, file


def test_handler_names_follow_operation_ids() -> None:
    assert snake("PostOrdersCustomerOrderClaim") == "post_orders_customer_order_claim"
    assert snake("GetAuthEmail") == "get_auth_email"
    assert snake("Product Categories") == "product_categories"


def test_query_dtos_cover_the_declared_parameters() -> None:
    """``x-medusa-query`` is the one description of a read route's query DTO (what the mock checks
    and in which order); every query parameter the operation declares must be in it."""
    from mock_server._http import _query
    from mock_server._spec import operations

    with_dto = {op_id: op for op_id, op in operations().items() if "x-medusa-query" in op}
    assert len(with_dto) >= 12
    for op_id, op in with_dto.items():
        spec, defaults = _query.dto(op_id)
        names = [name for name, _kind in spec]
        declared = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
        assert set(declared) <= set(names), (op_id, set(declared) - set(names))
        assert set(defaults) <= set(names), op_id
