"""Builds the Connexion app: documents -> routing -> security -> validation -> handlers.

The pipeline follows Prism's: route the request by the document, validate it against the
document (with Medusa's messages), run the stateful handler, and optionally validate the response
against the document too (``Settings.validate_responses``).
"""

from __future__ import annotations

import logging
from typing import Any

import connexion
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
from .._quirks import implements
from .._seed import build_services
from .._settings import Settings
from .._spec import control_spec_path, store_spec_path
from . import _errors
from ._answer_cache import AnswerCache
from ._connexion_compat import (
    build_middleware_stack,
    fast_document_loading,
    route_any_character,
    use_one_piece_bridge,
)
from ._etag import FINAL_HANDLER, NO_ETAG
from ._middleware import middlewares
from ._resolver import HandlerResolver
from ._responses import error_response
from ._sandboxes import Sandboxes
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


@implements("quirk-500-header")
def handle_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if not isinstance(exc, UnexpectedError):
        log.exception("unhandled error on %s %s", request.method, request.url.path,
                      exc_info=exc)
    response = _error(None, "")
    if isinstance(exc, UnexpectedError) and exc.quirk:
        response.headers[QUIRK_HEADER] = exc.quirk
    return response


@implements("quirk-500-header")
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
    with fast_document_loading():
        app.add_api(store_spec_path(), name="store", **common)
        if settings.control:
            app.add_api(control_spec_path(), name="control", **common)
    # The outer middleware (_middleware/__init__.py), outermost first, between Connexion's
    # server-error and exception middleware.
    answers = AnswerCache(services.store, settings.read_cache)
    sandboxes = Sandboxes(services, answers)
    for layer in middlewares(services, answers, sandboxes):
        app.add_middleware(layer.cls, position=MiddlewarePosition.BEFORE_EXCEPTION,
                           **layer.kwargs)

    app.add_error_handler(ProblemException, handle_problem)
    app.add_error_handler(HTTPException, handle_http_exception)
    app.add_error_handler(MedusaError, handle_medusa_error)
    app.add_error_handler(Exception, handle_unexpected)

    flask_app = app.app
    use_one_piece_bridge(app)
    flask_app.extensions["medusa_mock"] = services
    flask_app.register_error_handler(
        MedusaError, lambda exc: error_response(exc.type, exc.message, exc.code))
    flask_app.register_error_handler(UnexpectedError, _flask_unexpected)
    flask_app.before_request(_only_routed_requests)
    route_any_character(build_middleware_stack(app))
    app.answer_cache = answers
    app.services = services
    app.sandboxes = sandboxes
    app.not_implemented = tuple(dict.fromkeys(resolver.missing))
    return app
