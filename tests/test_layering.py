"""The dependency rules of ARCHITECTURE.md: handlers -> seed -> domain -> state, never upwards."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mock_server"
RULES = {
    "_state": ("mock_server._domain", "mock_server._seed", "mock_server._http",
               "mock_server._cli", "flask", "connexion", "starlette"),
    "_domain": ("mock_server._seed", "mock_server._http", "mock_server._cli", "flask",
                "connexion", "starlette"),
    "_seed": ("mock_server._http", "mock_server._cli", "mock_server._tools", "flask",
              "connexion", "starlette"),
    "_tools": ("mock_server._http", "mock_server._domain", "mock_server._state",
               "mock_server._seed", "mock_server._cli"),
}


def _imports(file: Path) -> set[str]:
    module = "mock_server." + ".".join(file.relative_to(PACKAGE).with_suffix("").parts)
    package = module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                found.add(".".join(base + ([node.module] if node.module else [])))
            else:
                found.add(node.module or "")
    return found


@pytest.mark.parametrize("layer", sorted(RULES))
def test_lower_layers_do_not_import_upper_layers(layer: str) -> None:
    files = list((PACKAGE / layer).rglob("*.py"))
    assert files
    for file in files:
        for name in _imports(file):
            for forbidden in RULES[layer]:
                assert not (name == forbidden or name.startswith(forbidden + ".")), (
                    f"{file.relative_to(PACKAGE)} imports {name}")


_STATUS_NAME = re.compile(r"(?:^|_)[1-5]\d\d(?:$|_)")


def _status_talk(file: Path) -> list[str]:
    """Names that carry an HTTP status (``get_or_500``, ``unknown_cart_404``) and returned
    tuples that start with one (``return 409, {...}``)."""
    found = []
    for node in ast.walk(ast.parse(file.read_text())):
        names: list[str] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.arg | ast.keyword) and node.arg:
            names.append(node.arg)
        elif isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            first = node.value.elts[0] if node.value.elts else None
            if (isinstance(first, ast.Constant) and type(first.value) is int
                    and 100 <= first.value <= 599):
                found.append(f"line {node.lineno}: returns status {first.value}")
        found += [f"line {node.lineno}: {name}" for name in names
                  if _STATUS_NAME.search(name) or name == "status_code"]
    return found


@pytest.mark.parametrize("layer", ["_domain", "_seed", "_state"])
def test_below_http_nothing_speaks_in_statuses(layer: str) -> None:
    """The domain raises Medusa's error types; ``_http/_errors.py`` alone maps them to
    statuses."""
    for file in (PACKAGE / layer).rglob("*.py"):
        assert not _status_talk(file), f"{file.relative_to(PACKAGE)}: {_status_talk(file)}"


def test_status_talk_is_detected(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def get_or_500(cart_id, unknown_cart_404=False):\n"
                      "    return 409, {'errors': []}\n")
    assert len(_status_talk(sample)) == 3
