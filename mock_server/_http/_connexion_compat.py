"""Every use of Connexion's private API (and of the internals of what Connexion runs on: a2wsgi,
Starlette's routes, the ``connexion.json_schema`` globals) in one place.

Connexion 3.3 offers no public way to do what the mock needs here:

* :func:`fast_document_loading`: resolve the documents' ``$ref``s faster, by swapping
  ``connexion.json_schema.handlers`` and ``connexion.json_schema.RefResolver`` while the APIs are
  added (a libyaml ``FileHandler`` using ``FileHandler._uri_to_path``; a ``RefResolver`` that
  indexes each file's anchors once, overriding ``resolve_fragment``);
* :func:`use_one_piece_bridge`: replace the a2wsgi bridge of the ``FlaskApp``
  (``FlaskApp._middleware_app.asgi_app``) with :class:`OnePieceWSGI`, which reuses a2wsgi's
  ``build_environ`` and ``WSGIMiddleware.executor``;
* :func:`build_middleware_stack`: build the middleware stack at start-up
  (``ConnexionMiddleware._build_middleware_stack`` and its ``app``/``middleware_stack``
  attributes) instead of lazily on the first request;
* :func:`route_any_character`: recompile the routing middleware's Starlette route patterns
  (``RoutingMiddleware.router.routes``, ``route.path_regex``, ``route.app.routes``);
* :class:`RequestBodyValidator` / :class:`ResponseBodyValidator`: Connexion's body validator
  hooks (``_parse``, ``_validate``, ``_schema``, ``_encoding``) behind public names;
* :class:`HardenedURIParser` / :class:`CachedParameterValidator`: Connexion's parameter parsing
  and validation with two fixes (``param_defns``, ``_resolve_param_duplicates``, ``_split``,
  ``ParameterValidator.validate_parameter``).

``tests/test_connexion_compat.py`` checks that each of these names is still where this module
expects it, so that a Connexion upgrade that moves one fails there, by name, first.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import io
import re
import typing as t
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import jsonschema
import yaml
from a2wsgi.wsgi import WSGIMiddleware, build_environ
from connexion import json_schema as connexion_json_schema
from connexion.exceptions import TypeValidationError
from connexion.uri_parsing import OpenAPIURIParser
from connexion.utils import coerce_type, is_null, is_nullable
from connexion.validators import (
    AbstractRequestBodyValidator,
    AbstractResponseBodyValidator,
    ParameterValidator,
)
from connexion.validators.parameter import Draft4Validator, draft4_format_checker
from starlette.types import ASGIApp, Scope

from ._per_schema import PerSchema

if t.TYPE_CHECKING:
    import connexion

# -- faster document loading -----------------------------------------------------------------
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastSafeLoader(_BaseLoader):
    """Connexion's ``ExtendedSafeLoader`` (every mapping key a string) on libyaml's parser."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[str, Any]:
        data = super().construct_mapping(node, deep)
        return {str(key): data[key] for key in data}


class _FastFileHandler(connexion_json_schema.FileHandler):
    def __call__(self, uri: str) -> Any:
        with open(self._uri_to_path(uri)) as fh:
            return yaml.load(fh, _FastSafeLoader)


_NAMING_KEYWORDS = ("$anchor", "$dynamicAnchor", "id", "$id")


class _IndexedRefResolver(connexion_json_schema.RefResolver):
    """jsonschema's ``RefResolver``, minus a walk: for every ``$ref`` into another file the base
    class searches that whole file four times for an anchor or id naming the fragment. Here the
    names a file holds are collected once; a fragment no name matches is resolved by its path at
    once (as the base class then does), anything else by the base class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._names: dict[int, tuple[Any, set[str]]] = {}

    def _names_in(self, document: Any) -> set[str]:
        known = self._names.get(id(document))
        if known is None or known[0] is not document:
            names: set[str] = set()
            todo = [document]
            while todo:
                value = todo.pop()
                if isinstance(value, dict):
                    names.update(v for k in _NAMING_KEYWORDS
                                 if isinstance(v := value.get(k), str))
                    todo.extend(value.values())
                elif isinstance(value, list):
                    todo.extend(value)
            known = self._names[id(document)] = (document, names)
        return known[1]

    def resolve_fragment(self, document: Any, fragment: str) -> Any:
        path = fragment.lstrip("/")
        if not path or document is self.referrer:
            return super().resolve_fragment(document, fragment)
        names = self._names_in(document)
        if path in names or "#" + path in names:
            return super().resolve_fragment(document, fragment)
        found = document
        try:
            for part in unquote(path).split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                found = found[int(part) if isinstance(found, list) else part]
        except (TypeError, LookupError, ValueError):
            return super().resolve_fragment(document, fragment)  # raises its own error
        return found


@contextlib.contextmanager
def fast_document_loading() -> Iterator[None]:
    """Resolve the documents' ``$ref``s as Connexion does, faster: files parsed by libyaml and
    fragments found without searching every file for anchors. The same data, in a fraction of
    the start-up time (most of it, before)."""
    handlers = connexion_json_schema.handlers
    saved = {scheme: handlers[scheme] for scheme in ("", "file")}
    saved_resolver = connexion_json_schema.RefResolver
    handlers.update(dict.fromkeys(saved, _FastFileHandler()))
    connexion_json_schema.RefResolver = _IndexedRefResolver
    try:
        yield
    finally:
        handlers.update(saved)
        connexion_json_schema.RefResolver = saved_resolver


# -- the WSGI bridge -------------------------------------------------------------------------
class OnePieceWSGI(WSGIMiddleware):
    """a2wsgi's bridge from the event loop to Flask, answering in one piece.

    a2wsgi runs the WSGI app in a worker thread and hands the status, each body chunk and the end
    of the body back to the event loop one at a time, each a blocking cross-thread round trip.
    Here the body is read first and the whole answer is sent by the loop. Reads (GET, HEAD) run
    on the loop itself: they compute from memory, never wait, and the GIL would let only one
    thread compute at a time anyway, so the thread hops and GIL hand-offs are pure cost.
    Other methods run in the worker pool, because some spend long stretches outside the GIL
    (scrypt password hashing on sign-up and log-in): there, other requests go on meanwhile.
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        environ: Any = build_environ(scope, io.BytesIO(b"".join(chunks)))  # type: ignore[arg-type]
        if scope["method"] == "HEAD":
            # As Express: a HEAD runs the GET route whole (its ETag hashes the body); the server
            # then sends the headers only. Werkzeug would have dropped the body already.
            environ["REQUEST_METHOD"] = "GET"
        if scope["method"] in ("GET", "HEAD"):
            status, headers, body = self._answer(environ)
        else:
            run = functools.partial(contextvars.copy_context().run, self._answer, environ)
            status, headers, body = await asyncio.get_running_loop().run_in_executor(
                self.executor, run)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _answer(self, environ: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        started: list[Any] = []
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return chunks.append

        iterable = self.app(environ, start_response)
        try:
            chunks.extend(iterable)
        finally:
            getattr(iterable, "close", lambda: None)()
        status, headers = started
        return (int(status.split(" ", 1)[0]),
                [(k.strip().encode("latin1").lower(), v.strip().encode("latin1"))
                 for k, v in headers], b"".join(chunks))


def use_one_piece_bridge(app: connexion.FlaskApp) -> None:
    """Serve the ``FlaskApp``'s Flask app through :class:`OnePieceWSGI`."""
    bridge_app = app._middleware_app
    bridge_app.asgi_app = OnePieceWSGI(bridge_app.app.wsgi_app)


# -- the middleware stack --------------------------------------------------------------------
def routed_operation_id(scope: Scope | dict[str, Any]) -> str | None:
    """The operationId Connexion's router matched for this request (``None`` before routing)."""
    routing = (scope.get("extensions") or {}).get("connexion_routing") or {}
    value = routing.get("operation_id")
    return value if isinstance(value, str) else None


def build_middleware_stack(app: connexion.FlaskApp) -> list[ASGIApp]:
    """Build Connexion's middleware stack now rather than on the first request (the lazy build
    is not thread-safe, and start-up problems should surface at start-up); its layers,
    outermost first."""
    middleware = app.middleware
    middleware.app, middleware.middleware_stack = middleware._build_middleware_stack()
    return list(middleware.middleware_stack)


def route_any_character(stack: list[ASGIApp]) -> None:
    """Let Connexion's router match paths holding a newline, as Express's router does.

    Starlette compiles a mount's pattern as ``/store(?P<path>/.*)$``, whose ``.`` stops at a
    newline: ``/store/carts/a%0A`` would miss every operation. Recompiling the patterns with
    ``re.DOTALL`` routes such a path like any other (the id then simply matches nothing).
    """
    from connexion.middleware.routing import RoutingMiddleware

    def recompile(routes: Any) -> None:
        for route in routes:
            pattern = getattr(route, "path_regex", None)
            if pattern is not None and not pattern.flags & re.DOTALL:
                route.path_regex = re.compile(pattern.pattern, pattern.flags | re.DOTALL)
            inner = getattr(getattr(route, "app", None), "routes", None)
            if inner:
                recompile(inner)

    for layer in stack:
        if isinstance(layer, RoutingMiddleware):
            recompile(layer.router.routes)


# -- validators ------------------------------------------------------------------------------
class _BodyValidatorAttributes:
    """The schema and encoding Connexion's body validators keep in private attributes."""

    _schema: Any
    _encoding: Any

    @property
    def schema(self) -> dict[str, Any]:
        return t.cast(dict[str, Any], self._schema)

    @property
    def encoding(self) -> str:
        return str(self._encoding)


class RequestBodyValidator(_BodyValidatorAttributes, AbstractRequestBodyValidator):
    """Connexion's request body validator, its hooks under public names: subclasses implement
    :meth:`parse_body` and :meth:`check_body` and read :attr:`schema` and :attr:`encoding`."""

    async def parse_body(self, raw: bytes, scope: Scope) -> Any:
        raise NotImplementedError

    def check_body(self, body: Any) -> None:
        raise NotImplementedError

    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> Any:
        return await self.parse_body(b"".join([chunk async for chunk in stream]), scope)

    def _validate(self, body: Any) -> dict[Any, Any] | None:
        self.check_body(body)
        return None


class ResponseBodyValidator(_BodyValidatorAttributes, AbstractResponseBodyValidator):
    """Connexion's response body validator, its hooks under public names (see
    :class:`RequestBodyValidator`)."""

    def parse_body(self, raw: bytes) -> Any:
        raise NotImplementedError

    def check_body(self, body: Any) -> None:
        raise NotImplementedError

    def _parse(self, stream: t.Generator[bytes, None, None]) -> Any:
        return self.parse_body(b"".join(stream))

    def _validate(self, body: Any) -> dict[Any, Any] | None:
        self.check_body(body)
        return None


class HardenedURIParser(OpenAPIURIParser):
    """Connexion's OpenAPI parameter parser, hardened against values deeper than the schema.

    Connexion casts the leaves of a ``deepObject`` parameter by walking the schema alongside the
    value and fails with ``KeyError`` (a 500) when a client nests brackets where the schema has a
    leaf (``created_at[gt][lt]=1``). A value that cannot be cast is left as sent, as Connexion
    already does for ``TypeValidationError``, so that the parameter's schema refuses it (400).

    A subclass may read a query string as a number before Connexion's cast
    (:meth:`read_query_number`; ``None``: not a number, cast as usual), and take a query
    parameter as not sent (:meth:`absent_query_value`).
    """

    @staticmethod
    def read_query_number(value: str) -> int | float | None:
        return None

    @staticmethod
    def absent_query_value(definition: dict[str, Any], values: list[str]) -> bool:
        return False

    @functools.cached_property
    def param_schemas(self) -> dict[str, Any]:
        # Connexion rebuilds this map on every access: once per query key, twice per request.
        return {k: v.get("schema", {}) for k, v in self.param_defns.items()}

    def resolve_params(self, params: dict[str, Any], _in: str) -> dict[str, Any]:
        resolved: dict[str, Any] = {}
        for key, values in params.items():
            defn = self.param_defns.get(key)
            schema = self.param_schemas.get(key)
            if not (defn or schema):
                resolved[key] = values
                continue
            if _in == "query" and defn and self.absent_query_value(defn, values):
                continue
            if _in == "path":
                values = [values]
            if schema and schema.get("type") == "array":
                values = self._resolve_param_duplicates(values, defn, _in)
                resolved[key] = self._split(values, defn, _in)
            else:
                resolved[key] = values[-1]
                if (_in == "query" and isinstance(resolved[key], str) and schema
                        and schema.get("type") in ("number", "integer")):
                    number = self.read_query_number(resolved[key])
                    if number is not None:
                        resolved[key] = number
                        continue
            with contextlib.suppress(TypeValidationError, KeyError, TypeError, AttributeError):
                resolved[key] = coerce_type(defn, resolved[key], "parameter", key)
        return resolved


class CachedParameterValidator(ParameterValidator):
    """Connexion's parameter validation, with each parameter's schema validator built once.

    Connexion deep-copies a parameter's definition and builds a new ``Draft4Validator`` for every
    value of every request; the schema never changes and validating never changes it, so one
    validator per parameter gives the same verdicts and messages for a fraction of the time."""

    _validators: t.ClassVar[PerSchema[Any]] = PerSchema(
        lambda param: Draft4Validator(param.get("schema", param),
                                      format_checker=draft4_format_checker))

    def validate_parameter(self, parameter_type: str, value: Any, param: dict[str, Any],
                           param_name: str | None = None) -> str | None:
        if value is None or (is_nullable(param) and is_null(value)):
            return t.cast("str | None", super().validate_parameter(
                parameter_type, value, param, param_name))
        try:
            self._validators(param).validate(value)
        except jsonschema.ValidationError as exception:
            return str(exception)
        return None
