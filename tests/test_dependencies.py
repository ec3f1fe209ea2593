"""The installed package's declared runtime dependencies are exactly what it imports.

Every third-party module imported anywhere under ``mock_server/`` (the server, the tools and the
contract suite the wheel ships) must come from a distribution named in ``[project].dependencies``,
and every distribution named there must be imported: ``pip install medusa-mock`` then gives each
command everything it needs, and nothing it does not.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Declared though no module of ours imports them, each for a stated reason.
NEEDED_UNIMPORTED = {
    # Connexion imports starlette.testclient, which imports httpx2 if it can and otherwise
    # warns (StarletteDeprecationWarning) on every import of Connexion.
    "httpx2": "starlette.testclient",
}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {_normalize(re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0])
            for spec in project["dependencies"]}


def imported_modules() -> dict[str, set[str]]:
    """Top-level third-party module -> files importing it (stdlib and the package excluded)."""
    found: dict[str, set[str]] = {}
    for file in sorted((ROOT / "mock_server").rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "mock_server":
                    found.setdefault(top, set()).add(str(file.relative_to(ROOT)))
    return found


def test_every_import_is_declared_and_every_declaration_imported() -> None:
    owners = packages_distributions()
    modules = imported_modules()
    unknown = sorted(m for m in modules if m not in owners)
    assert not unknown, f"imported but installed by no distribution: {unknown}"
    used = {_normalize(dist) for module in modules for dist in owners[module]}
    wanted = declared()
    missing = {d: sorted(f for m in modules for f in modules[m]
                         if d in {_normalize(x) for x in owners[m]}) for d in used - wanted}
    assert not missing, f"imported but not in [project].dependencies: {missing}"
    assert not wanted - used - set(NEEDED_UNIMPORTED), (
        f"declared in [project].dependencies but imported nowhere under mock_server/: "
        f"{sorted(wanted - used - set(NEEDED_UNIMPORTED))}")


def test_the_dependencies_declared_without_an_import_are_still_needed() -> None:
    import importlib.util

    for dist, importer in NEEDED_UNIMPORTED.items():
        assert _normalize(dist) in declared()
        spec = importlib.util.find_spec(importer)
        assert spec is not None and spec.origin is not None
        source = Path(spec.origin).read_text("utf-8")
        assert f"import {dist}" in source, f"{importer} no longer imports {dist}: drop it"
