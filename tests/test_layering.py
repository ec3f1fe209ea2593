"""The dependency rules of ARCHITECTURE.md: handlers -> domain -> state, never upwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mock_server"
RULES = {
    "_state": ("mock_server._domain", "mock_server._http", "mock_server._cli", "flask",
               "connexion", "starlette"),
    "_domain": ("mock_server._http", "mock_server._cli", "flask", "connexion", "starlette"),
    "_tools": ("mock_server._http", "mock_server._domain", "mock_server._state",
               "mock_server._cli"),
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
