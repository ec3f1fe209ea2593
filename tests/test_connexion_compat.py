"""Every private name of Connexion (and of a2wsgi, Starlette and jsonschema beneath it) that
``mock_server/_http/_connexion_compat.py`` relies on is still there.

An upgrade that moves one fails here first, naming it, instead of somewhere deep in a request.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from importlib import metadata
from typing import Any

import pytest

from mock_server import Settings, create_app
from mock_server._http import _connexion_compat as compat

COMPAT = "mock_server/_http/_connexion_compat.py"


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Settings(validate_responses=True))


def _has(obj: Any, *names: str) -> bool:
    for name in names:
        if not hasattr(obj, name):
            return False
        obj = getattr(obj, name)
    return True


def _params(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def _flask_app_bridge(app: Any) -> bool:
    bridge = getattr(app, "_middleware_app", None)
    return (bridge is not None and isinstance(bridge.asgi_app, compat.OnePieceWSGI)
            and _has(bridge, "app", "wsgi_app"))


def _middleware_stack(app: Any) -> bool:
    from connexion.middleware.main import ConnexionMiddleware

    middleware = app.middleware
    return (callable(getattr(ConnexionMiddleware, "_build_middleware_stack", None))
            and middleware.middleware_stack is not None and middleware.app is not None)


def _routes_any_character(app: Any) -> bool:
    from connexion.middleware.routing import RoutingMiddleware

    routing = [layer for layer in app.middleware.middleware_stack
               if isinstance(layer, RoutingMiddleware)]
    if not routing or not _has(routing[0], "router", "routes"):
        return False
    patterns = []

    def walk(routes: Any) -> None:
        for route in routes:
            if getattr(route, "path_regex", None) is not None:
                patterns.append(route.path_regex)
            walk(getattr(getattr(route, "app", None), "routes", None) or ())

    walk(routing[0].router.routes)
    return bool(patterns) and all(p.flags & re.DOTALL for p in patterns)


def _json_schema_globals(app: Any) -> bool:
    from connexion import json_schema

    return (isinstance(getattr(json_schema, "handlers", None), dict)
            and {"", "file"} <= set(json_schema.handlers)
            and _has(json_schema, "RefResolver", "resolve_fragment")
            and callable(getattr(json_schema.FileHandler, "_uri_to_path", None))
            and "referrer" in _params(json_schema.RefResolver.__init__))


def _a2wsgi(app: Any) -> bool:
    from a2wsgi.wsgi import WSGIMiddleware, build_environ

    bridge = compat.OnePieceWSGI(lambda environ, start: [])
    return (_params(build_environ)[:2] == ["scope", "body"]
            and hasattr(bridge, "executor") and hasattr(bridge, "app")
            and issubclass(compat.OnePieceWSGI, WSGIMiddleware))


def _body_validators(app: Any) -> bool:
    from connexion.validators import AbstractRequestBodyValidator, AbstractResponseBodyValidator

    request = compat.RequestBodyValidator(schema={"type": "object"}, encoding="utf-8",
                                          strict_validation=False)
    response = compat.ResponseBodyValidator({"type": "http"}, schema={"type": "object"},
                                            encoding="utf-8")
    return (request.schema == response.schema == {"type": "object"}
            and request.encoding == response.encoding == "utf-8"
            and _params(AbstractRequestBodyValidator._parse)[1:] == ["stream", "scope"]
            and _params(AbstractRequestBodyValidator._validate)[1:] == ["body"]
            and _params(AbstractResponseBodyValidator._parse)[1:] == ["stream"]
            and _params(AbstractResponseBodyValidator._validate)[1:] == ["body"])


def _uri_parser(app: Any) -> bool:
    from connexion.uri_parsing import OpenAPIURIParser

    parser = compat.HardenedURIParser([{"name": "q", "in": "query", "schema": {
        "type": "array", "items": {"type": "string"}}}], {})
    return (isinstance(parser.param_defns, dict) and parser.param_schemas["q"]["type"] == "array"
            and _params(OpenAPIURIParser._resolve_param_duplicates)[:3]
            == ["values", "param_defn", "_in"]
            and _params(OpenAPIURIParser._split)[:3] == ["value", "param_defn", "_in"]
            and parser.resolve_params({"q": ["a,b"]}, "query") == {"q": ["a", "b"]})


def _parameter_validator(app: Any) -> bool:
    from connexion.validators import ParameterValidator

    return _params(ParameterValidator.validate_parameter)[:4] == [
        "parameter_type", "value", "param", "param_name"]


def _routed_operation(app: Any) -> bool:
    seen: list[str | None] = []
    original = compat.routed_operation_id

    def spy(scope: Any) -> str | None:
        seen.append(original(scope))
        return seen[-1]

    compat.routed_operation_id = spy  # type: ignore[assignment]
    try:
        app.test_client().get("/store/regions")
    finally:
        compat.routed_operation_id = original  # type: ignore[assignment]
    return seen == ["GetRegions"]


CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "FlaskApp._middleware_app.asgi_app / .app.wsgi_app":
        ("serving Flask through the one-piece bridge (use_one_piece_bridge)", _flask_app_bridge),
    "ConnexionMiddleware._build_middleware_stack / .app / .middleware_stack":
        ("building the stack at start-up (build_middleware_stack)", _middleware_stack),
    "RoutingMiddleware.router.routes / route.path_regex / route.app.routes":
        ("routing paths holding a newline (route_any_character)", _routes_any_character),
    "connexion.json_schema.handlers / RefResolver / FileHandler._uri_to_path":
        ("fast document loading (fast_document_loading)", _json_schema_globals),
    "a2wsgi.wsgi.build_environ(scope, body) / WSGIMiddleware.executor":
        ("the one-piece WSGI bridge (OnePieceWSGI)", _a2wsgi),
    "Abstract{Request,Response}BodyValidator._parse / _validate / _schema / _encoding":
        ("Medusa's body validation (RequestBodyValidator, ResponseBodyValidator)",
         _body_validators),
    "OpenAPIURIParser.param_defns / _resolve_param_duplicates / _split":
        ("query parameter parsing (HardenedURIParser)", _uri_parser),
    "scope['extensions']['connexion_routing']['operation_id']":
        ("the routed operation (routed_operation_id)", _routed_operation),
    "ParameterValidator.validate_parameter(parameter_type, value, param, param_name)":
        ("parameter validation (CachedParameterValidator)", _parameter_validator),
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_connexion_private_api_is_where_the_compat_module_expects_it(app: Any, name: str) -> None:
    why, check = CHECKS[name]
    try:
        ok = check(app)
        problem = "is missing or changed shape"
    except (AttributeError, TypeError, KeyError, ImportError, ValueError) as exc:
        ok, problem = False, f"failed: {type(exc).__name__}: {exc}"
    assert ok, (
        f"Connexion {metadata.version('connexion')} (a2wsgi {metadata.version('a2wsgi')}, "
        f"Starlette {metadata.version('starlette')}): {name} {problem}. {COMPAT} relies on it "
        f"for {why}; adapt that module to the new version.")


def test_no_other_module_touches_connexions_private_api() -> None:
    """Outside the compat module, no ``._name`` of a Connexion (or a2wsgi) object is used."""
    import ast
    from pathlib import Path

    package = Path(compat.__file__).resolve().parents[1]
    private = re.compile(r"\b(_middleware_app|_build_middleware_stack|middleware_stack|"
                         r"_uri_to_path|_resolve_param_duplicates|_split|_schema|_encoding|"
                         r"path_regex|json_schema\.handlers|json_schema\.RefResolver)\b")
    offenders = []
    for file in package.rglob("*.py"):
        if file.name == "_connexion_compat.py":
            continue
        for node in ast.walk(ast.parse(file.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and private.fullmatch(node.attr):
                where = f"{file.relative_to(package.parent)}:{node.lineno}"
                offenders.append(f"{where} .{node.attr}")
            public = {"Draft4RequestValidator"}  # connexion.json_schema's public validator
            if (isinstance(node, ast.ImportFrom)
                    and node.module in ("a2wsgi.wsgi", "connexion.json_schema")
                    and not {a.name for a in node.names} <= public):
                offenders.append(f"{file.relative_to(package.parent)}:{node.lineno} "
                                 f"from {node.module}")
    assert not offenders, f"Connexion internals used outside {COMPAT}: {offenders}"
