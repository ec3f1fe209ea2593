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
    return _absolute_imports(file, PACKAGE.parent)


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


# -- the rest of ARCHITECTURE.md's rules ---------------------------------------------------------
ROOT = PACKAGE.parent
LEAVES = ("_settings.py", "_spec.py", "_quirks.py", "_claim_tokens.py",
          "_failures.py")
HTTP_LIBRARIES = ("flask", "connexion", "starlette", "werkzeug", "a2wsgi", "uvicorn", "httpx")


def _absolute_imports(file: Path, root: Path) -> set[str]:
    """Imports of a file under ``root`` (a folder of packages), relative ones made absolute."""
    module = ".".join(file.relative_to(root).with_suffix("").parts)
    package = module if file.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(file.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
                found.add(prefix)
                found.update(f"{prefix}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module or "")
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_only_main_imports_the_command_line() -> None:
    offenders = [str(f.relative_to(ROOT)) for f in _package_files()
                 if f.name != "__main__.py" and "_cli" not in f.relative_to(PACKAGE).parts
                 and any(_under(n, "mock_server._cli") for n in _absolute_imports(f, ROOT))]
    assert not offenders, f"only mock_server/__main__.py may import _cli: {offenders}"


def test_leaf_modules_import_nothing_of_the_package() -> None:
    for name in LEAVES:
        imports = _absolute_imports(PACKAGE / name, ROOT)
        assert not [n for n in imports if _under(n, "mock_server")], name


def test_only_http_knows_http() -> None:
    for layer in ("_domain", "_state"):
        for file in (PACKAGE / layer).rglob("*.py"):
            found = [n for n in _absolute_imports(file, ROOT) if _under(n, *HTTP_LIBRARIES)]
            assert not found, f"{file.relative_to(ROOT)} imports {found}"


def test_one_module_turns_error_types_into_statuses() -> None:
    for file in _package_files():
        if file.relative_to(PACKAGE).as_posix() == "_http/_errors.py":
            continue
        text = file.read_text("utf-8")
        assert "STATUS_BY_TYPE" not in text, f"{file.relative_to(ROOT)} maps types to statuses"


def test_handlers_reach_the_state_only_through_services() -> None:
    for file in (PACKAGE / "_http" / "handlers").rglob("*.py"):
        found = [n for n in _absolute_imports(file, ROOT) if _under(n, "mock_server._state")]
        assert not found, f"{file.relative_to(ROOT)} imports {found}"


def test_validation_messages_come_from_the_document_not_from_handlers() -> None:
    pattern = re.compile(r"""["'][^"']*\b(must be|should not|must not)\b""")
    for file in (PACKAGE / "_http" / "handlers").rglob("*.py"):
        found = pattern.findall(file.read_text("utf-8"))
        assert not found, f"{file.relative_to(ROOT)} writes validation messages: {found}"


def test_the_contract_suite_reaches_the_mock_through_its_public_api() -> None:
    for file in (PACKAGE / "contract").rglob("*.py"):
        found = [n for n in _absolute_imports(file, ROOT)
                 if _under(n, "mock_server._http", "mock_server._domain", "mock_server._cli",
                           "mock_server._tools")]
        assert not found, f"{file.relative_to(ROOT)} imports {found}"


def test_bench_is_black_box() -> None:
    """bench/ talks HTTP; of mock_server it imports the claim-token module, and (in setups.py,
    a server) the public create_app and Settings."""
    allowed = {"mock_server._claim_tokens", "mock_server._claim_tokens.CLAIM_TOKEN_EVENT",
               "mock_server._claim_tokens.mint_claim_token"}
    for file in sorted((ROOT / "bench").rglob("*.py")):
        names = {n for n in _absolute_imports(file, ROOT) if _under(n, "mock_server")}
        if file.name == "setups.py":
            assert names == {"mock_server", "mock_server.Settings", "mock_server.create_app"}
        else:
            assert names <= allowed, f"{file.relative_to(ROOT)} imports {names - allowed}"


def test_tools_import_only_leaf_modules_of_the_package() -> None:
    for file in (PACKAGE / "_tools").rglob("*.py"):
        names = {n.rsplit(".", 1)[0] if n.count(".") > 1 else n
                 for n in _absolute_imports(file, ROOT) if _under(n, "mock_server")}
        outside = {n for n in names if not _under(n, "mock_server._tools")
                   and n not in {f"mock_server.{leaf[:-3]}" for leaf in LEAVES}}
        assert not outside, f"{file.relative_to(ROOT)} imports {outside}"


def test_outer_middleware_is_composed_in_one_list() -> None:
    adds = {}
    builds = {}
    for file in _package_files():
        text = file.read_text("utf-8")
        where = file.relative_to(PACKAGE).as_posix()
        if ".add_middleware(" in text:
            adds[where] = text.count(".add_middleware(")
        if "Middleware(" in re.sub(r"class \w+Middleware|\w+Middleware\(", "", text):
            builds[where] = True
    assert adds == {"_http/app.py": 1}, adds
    assert set(builds) == {"_http/_middleware/__init__.py"}, builds


# -- the quirks registry: every key named where it is implemented, every name a key ---------------
def _quirk_keys() -> set[str]:
    from mock_server._quirks import KEYS

    return set(KEYS)


def _searchable() -> list[Path]:
    files = [f for f in _package_files() if f.name != "_quirks.py"]
    files += sorted((ROOT / "openapi").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.py"))
    return files


def test_every_quirk_key_is_named_in_code_tests_or_the_document() -> None:
    text = "\n".join(f.read_text("utf-8") for f in _searchable())
    unnamed = sorted(k for k in _quirk_keys() if not re.search(rf"(?<![\w-]){re.escape(k)}"
                                                                rf"(?![\w-])", text))
    assert not unnamed, (f"{len(unnamed)} registry keys are named nowhere in the code, the tests "
                         f"or the document (name them where they are implemented): {unnamed}")


def test_every_quirk_named_is_in_the_registry() -> None:
    keys = _quirk_keys()
    named: dict[str, set[str]] = {}
    for file in sorted((ROOT / "openapi").rglob("*.yaml")):
        for match in re.finditer(r"x-medusa-quirks:\s*\[([^\]]*)\]", file.read_text("utf-8")):
            for key in filter(None, (k.strip() for k in match.group(1).split(","))):
                named.setdefault(key, set()).add(str(file.relative_to(ROOT)))
    for file in _package_files():
        text = file.read_text("utf-8")
        for match in re.finditer(r"""quirk=["']([\w-]+)["']""", text):
            named.setdefault(match.group(1), set()).add(str(file.relative_to(ROOT)))
        for match in re.finditer(r"@implements\(([^)]*)\)", text):
            for key in re.findall(r"""["']([\w-]+)["']""", match.group(1)):
                named.setdefault(key, set()).add(str(file.relative_to(ROOT)))
    assert named, "no quirk is named anywhere: the scan is broken"
    unknown = {key: sorted(files) for key, files in named.items() if key not in keys}
    assert not unknown, f"named but not in mock_server/_quirks.py: {unknown}"


# -- state: request paths read the tables that grow with use by their indexes --------------------
GROWING_TABLES = ("carts", "line_items", "payment_sessions", "payments", "orders", "customers",
                  "addresses", "sessions", "idempotency_keys", "returns", "swaps",
                  "gift_card_transactions")
_SCAN = re.compile(rf"\.({'|'.join(GROWING_TABLES)})\.(find|first|find_where|first_where|"
                   r"values|keys)\(")
# The one whole-table walk allowed: the periodic sweep of expired sessions (once a minute of the
# mock's clock, not per request).
SCAN_ALLOWED = {("_domain/sessions.py", "sessions.values")}


def test_no_request_path_scans_a_table_that_grows() -> None:
    found = []
    for layer in ("_domain", "_http"):
        for file in sorted((PACKAGE / layer).rglob("*.py")):
            where = file.relative_to(PACKAGE).as_posix()
            for match in _SCAN.finditer(file.read_text("utf-8")):
                if (where, f"{match.group(1)}.{match.group(2)}") not in SCAN_ALLOWED:
                    found.append(f"{where}: {match.group(0)}")
    assert not found, ("a table that grows with use is scanned whole (read it `by` an indexed "
                       f"column, see _state/store.py INDEXES): {found}")


# -- per-instance state of the control plane -------------------------------------------------------
def test_middlewares_reach_per_instance_state_through_the_requests_services() -> None:
    """Fault rules and the journal belong to a service container (one per sandbox where there
    are sandboxes): a middleware reads them from the request's services (``services_of``), never
    from the container it was built with."""
    for file in sorted((PACKAGE / "_http" / "_middleware").glob("*.py")):
        text = file.read_text("utf-8")
        direct = re.findall(r"self\.services\.(faults|journal)\b", text)
        assert not direct, f"{file.relative_to(ROOT)} reads {direct} from its own services"
        if re.search(r"\w\.(faults|journal)\b", text) and file.name != "__init__.py":
            assert "services_of(" in text, f"{file.relative_to(ROOT)}: use services_of"


def test_the_state_layer_holds_steering_data_not_http() -> None:
    for name in ("faults.py", "journal.py"):
        text = (PACKAGE / "_state" / name).read_text("utf-8")
        assert not re.search(r"\b(content-type|x-medusa-mock|starlette|scope\[)", text), name
