"""Builds the Connexion app: documents -> routing -> security -> validation -> handlers.

The pipeline follows Prism's: route the request by the document, validate it against the
document (with Medusa's messages), run the stateful handler, and optionally validate the response
against the document too (``Settings.validate_responses``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import io
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import connexion
import yaml
from a2wsgi.wsgi import WSGIMiddleware, build_environ
from connexion import json_schema as connexion_json_schema
from connexion.context import operation
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.validators import TextResponseBodyValidator
from flask import request as flask_request
from starlette.exceptions import HTTPException

from .._domain.errors import MedusaError, UnexpectedError
from .._domain.services import Services
from .._seed import build_services
from .._settings import Settings
from .._spec import control_spec_path, store_spec_path
from . import _errors
from ._etag import FINAL_HANDLER, NO_ETAG
from ._middleware import MedusaHTTPMiddleware
from ._resolver import HandlerResolver
from ._responses import error_response
from ._validation import (
    MedusaJSONBodyValidator,
    MedusaJSONResponseValidator,
    MedusaParameterValidator,
    MedusaURIParser,
)

# A 500 the mock answers on purpose, reproducing a Medusa bug, names its quirk in this header
# (the registry key), so that tests and audits can tell it from a crash of the mock.
QUIRK_HEADER = "X-Medusa-Mock-Quirk"
log = logging.getLogger("medusa_mock")

VALIDATOR_MAP = {
    "parameter": MedusaParameterValidator,
    "body": MediaTypeDict({"*/*json": MedusaJSONBodyValidator}),
    "response": MediaTypeDict({"*/*json": MedusaJSONResponseValidator,
                               "text/plain": TextResponseBodyValidator}),
}


def _response(status: int, body: Any, content_type: str | None = _errors.JSON_CONTENT_TYPE,
              ) -> ConnexionResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    payload = _errors.dumps(body) if not isinstance(body, bytes) else body
    return ConnexionResponse(status_code=status, body=payload, headers=headers)


def _error(error_type: str | None, message: str, code: str | None = None) -> ConnexionResponse:
    status, body = _errors.error_body(error_type, message, code)
    return _response(status, body)


def _cannot(request: ConnexionRequest) -> ConnexionResponse:
    # Express's final handler answers an unknown route or method with 404 "Cannot <METHOD>
    # <path>" (no ETag; its own security headers).
    response = _error("not_found", f"Cannot {request.method} {request.url.path}")
    response.headers[FINAL_HANDLER.decode()] = "1"
    return response


def _unauthorized() -> ConnexionResponse:
    # passport's failure: status 401, body "Unauthorized", no Content-Type, no ETag (res.end).
    response = _response(401, b"Unauthorized", content_type=None)
    response.headers[NO_ETAG.decode()] = "1"
    return response


def handle_problem(request: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
    if exc.status in (401, 403):
        return _unauthorized()
    if exc.status in (404, 405):
        return _cannot(request)
    if exc.status == 413:
        return _response(413, _errors.error_body("invalid_data", "request entity too large")[1])
    if 400 <= exc.status < 500:
        return _error("invalid_data", str(exc.detail or exc.title))
    log.error("unexpected problem: %r", exc)
    return _error(None, "")


def handle_http_exception(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
    if exc.status_code in (404, 405):
        return _cannot(request)
    if exc.status_code in (401, 403):
        return _unauthorized()
    if 400 <= exc.status_code < 500:
        return _error("invalid_data", str(exc.detail))
    return _error(None, "")


def handle_medusa_error(request: ConnexionRequest, exc: MedusaError) -> ConnexionResponse:
    return _error(exc.type, exc.message, exc.code)


def handle_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if not isinstance(exc, UnexpectedError):
        log.exception("unhandled error on %s %s", request.method, request.url.path,
                      exc_info=exc)
    response = _error(None, "")
    if isinstance(exc, UnexpectedError) and exc.quirk:
        response.headers[QUIRK_HEADER] = exc.quirk
    return response


def _flask_unexpected(exc: UnexpectedError) -> Any:
    response = error_response(None, "")
    if exc.quirk:
        response.headers[QUIRK_HEADER] = exc.quirk
    return response


def _only_routed_requests() -> Any:
    """Answer Express's 404 for a request Connexion's router did not match.

    Starlette's mount pattern does not match a path holding a newline, so such a request would
    reach Flask's own URL map without Connexion's operation context.
    """
    try:
        operation.operation_id  # noqa: B018 - raises outside an operation
    except RuntimeError:
        response = error_response("not_found",
                                  f"Cannot {flask_request.method} {flask_request.path}")
        response.headers[FINAL_HANDLER.decode()] = "1"  # Express's final handler answers
        return response
    return None


def _route_any_character(stack: Any) -> None:
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


class _FastSafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Connexion's ``ExtendedSafeLoader`` (every mapping key a string) on libyaml's parser."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[str, Any]:
        data = super().construct_mapping(node, deep)
        return {str(key): data[key] for key in data}


class _FastFileHandler(connexion_json_schema.FileHandler):
    def __call__(self, uri: str) -> Any:
        with open(self._uri_to_path(uri)) as fh:
            return yaml.load(fh, _FastSafeLoader)  # noqa: S506 - a safe loader


_NAMING_KEYWORDS = ("$anchor", "$dynamicAnchor", "id", "$id")


class _IndexedRefResolver(connexion_json_schema.RefResolver):  # type: ignore[misc]
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
def _fast_document_loading() -> Iterator[None]:
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


class _OnePieceWSGI(WSGIMiddleware):
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
        environ = build_environ(scope, io.BytesIO(b"".join(chunks)))
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

    def _answer(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        iterable = self.app(environ, start_response)
        try:
            chunks.extend(iterable)
        finally:
            getattr(iterable, "close", lambda: None)()
        status, headers = started
        return (int(status.split(" ", 1)[0]),
                [(k.strip().encode("latin1").lower(), v.strip().encode("latin1"))
                 for k, v in headers], b"".join(chunks))


def create_app(settings: Settings | None = None, services: Services | None = None
               ) -> connexion.FlaskApp:
    """A Connexion ``FlaskApp`` serving the Store API (and the control plane) from memory."""
    settings = settings or Settings()
    services = services or build_services(settings)
    # Connexion's stack without its Swagger UI layer: the mock serves neither the UI nor the
    # document, and the layer's own router would try every request first.
    app = connexion.FlaskApp(__name__, middlewares=[
        layer for layer in ConnexionMiddleware.default_middlewares
        if layer is not SwaggerUIMiddleware])
    resolver = HandlerResolver()
    common: dict[str, Any] = {
        "resolver": resolver,
        "validator_map": VALIDATOR_MAP,
        "uri_parser_class": MedusaURIParser,
        "validate_responses": settings.validate_responses,
    }
    with _fast_document_loading():
        app.add_api(store_spec_path(), name="store", **common)
        if settings.control:
            app.add_api(control_spec_path(), name="control", **common)
    app.add_middleware(MedusaHTTPMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION,
                       services=services)

    app.add_error_handler(ProblemException, handle_problem)
    app.add_error_handler(HTTPException, handle_http_exception)
    app.add_error_handler(MedusaError, handle_medusa_error)
    app.add_error_handler(Exception, handle_unexpected)

    flask_app = app.app
    app._middleware_app.asgi_app = _OnePieceWSGI(flask_app.wsgi_app)
    flask_app.extensions["medusa_mock"] = services
    flask_app.register_error_handler(
        MedusaError, lambda exc: error_response(exc.type, exc.message, exc.code))
    flask_app.register_error_handler(UnexpectedError, _flask_unexpected)
    flask_app.before_request(_only_routed_requests)
    # Build Connexion's middleware stack now rather than on the first request: the lazy build is
    # not thread-safe, and start-up problems should surface here, not in a request.
    middleware = app.middleware
    middleware.app, middleware.middleware_stack = middleware._build_middleware_stack()
    _route_any_character(middleware.middleware_stack)
    app.answer_cache = next(  # type: ignore[attr-defined]
        layer.answers for layer in middleware.middleware_stack
        if isinstance(layer, MedusaHTTPMiddleware))
    app.services = services  # type: ignore[attr-defined]
    app.not_implemented = tuple(dict.fromkeys(resolver.missing))  # type: ignore[attr-defined]
    return app
