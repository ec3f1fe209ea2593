"""Serve the mock in an alternative server set-up, to compare set-ups with numbers:

    python -m bench --mock-command "{python} -m bench.setups VARIANTS {port}" --label VARIANTS

VARIANTS is a comma-separated list of:

- ``default``: what ``medusa-mock serve`` runs (uvicorn with uvloop and httptools, Connexion's
  FlaskApp behind the one-piece bridge: reads on the event loop, writes in a2wsgi's pool);
- ``a2wsgi``: a2wsgi's own bridge (three cross-thread hops per answer), as before the mock
  answered in one piece;
- ``inline``: every request, writes too, run in the event loop's own thread (no thread pool);
- ``asyncapp``: Connexion's AsyncApp instead of the FlaskApp, the same documents, middleware,
  error handlers and handlers (each called in the event loop, its Flask response converted);
- ``workers=N``: N threads in the WSGI bridge's pool (a2wsgi's default: 10);
- ``switch=MS``: ``sys.setswitchinterval`` (CPython's default: 5 ms);
- ``loop=asyncio`` / ``http=h11``: uvicorn's pure-Python event loop / HTTP parser.

This is the one module of ``bench`` that imports the mock: it is a server, run in the server's
process; the harness itself stays black-box.
"""

from __future__ import annotations

import sys
from typing import Any


def _options(spec: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        key, _, value = item.partition("=")
        if key not in ("default", "a2wsgi", "inline", "asyncapp", "workers", "switch", "loop",
                       "http"):
            raise SystemExit(f"unknown variant {item!r}")
        options[key] = value or True
    return options


def build(options: dict[str, Any]) -> Any:
    from a2wsgi import WSGIMiddleware

    from mock_server import Settings, create_app

    if options.get("asyncapp"):
        app = _async_app()
    else:
        app = create_app(Settings())
        bridge_app = app._middleware_app  # Connexion's FlaskASGIApp
        workers = int(options.get("workers", 10))
        wsgi_app = bridge_app.app.wsgi_app
        if options.get("a2wsgi"):
            bridge_app.asgi_app = WSGIMiddleware(wsgi_app, workers=workers)
        elif options.get("inline"):
            bridge_app.asgi_app = _InlineWSGI(wsgi_app)
        elif "workers" in options:
            bridge_app.asgi_app = type(bridge_app.asgi_app)(wsgi_app, workers=workers)
    if "switch" in options:
        sys.setswitchinterval(float(options["switch"]) / 1000)
    return app


class _InlineWSGI:
    """Runs the WSGI app in the event loop's thread: reads the body, then calls Flask."""

    def __init__(self, app: Any) -> None:
        from mock_server._http.app import _OnePieceWSGI

        self.app = app
        self._bridge = _OnePieceWSGI(app)
        self._answer = self._bridge._answer

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        import io

        from a2wsgi.wsgi import build_environ

        if scope["type"] != "http":
            await self._bridge(scope, receive, send)
            return

        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        environ = build_environ(scope, io.BytesIO(b"".join(chunks)))  # type: ignore[arg-type]
        status, headers, body = self._answer(environ)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _async_app() -> Any:
    """The mock's create_app, on Connexion's AsyncApp (a probe, for the numbers only)."""
    import functools

    import connexion
    from connexion.lifecycle import ConnexionResponse
    from connexion.middleware import MiddlewarePosition
    from connexion.options import SwaggerUIOptions
    from connexion.resolver import Resolution

    from mock_server import Settings
    from mock_server._domain.errors import MedusaError
    from mock_server._domain.services import Services
    from mock_server._http import app as mock_app
    from mock_server._http._middleware import MedusaHTTPMiddleware
    from mock_server._http._resolver import HandlerResolver
    from mock_server._http._validation import MedusaURIParser
    from mock_server._spec import control_spec_path, store_spec_path

    class AsyncResolver(HandlerResolver):
        def resolve(self, operation: Any) -> Resolution:
            resolution = super().resolve(operation)
            sync = resolution.function

            @functools.wraps(sync)
            async def handler(*args: Any, **kwargs: Any) -> Any:
                response = sync(*args, **kwargs)
                return ConnexionResponse(status_code=response.status_code,
                                         body=response.get_data(),
                                         headers=dict(response.headers))

            return Resolution(handler, resolution.operation_id)

    settings = Settings()
    services = Services.build(settings)
    app = connexion.AsyncApp(__name__)
    common = {"resolver": AsyncResolver(), "validator_map": mock_app.VALIDATOR_MAP,
              "uri_parser_class": MedusaURIParser, "validate_responses": False,
              "swagger_ui_options": SwaggerUIOptions(serve_spec=False, swagger_ui=False)}
    with mock_app._fast_document_loading():
        app.add_api(store_spec_path(), name="store", **common)
        app.add_api(control_spec_path(), name="control", **common)
    app.add_middleware(MedusaHTTPMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION,
                       services=services)
    app.add_error_handler(connexion.exceptions.ProblemException, mock_app.handle_problem)
    app.add_error_handler(mock_app.HTTPException, mock_app.handle_http_exception)
    app.add_error_handler(MedusaError, mock_app.handle_medusa_error)
    app.add_error_handler(Exception, mock_app.handle_unexpected)
    middleware = app.middleware
    middleware.app, middleware.middleware_stack = middleware._build_middleware_stack()
    mock_app._route_any_character(middleware.middleware_stack)
    return app


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        raise SystemExit("usage: python -m bench.setups VARIANTS PORT")
    options = _options(args[0])
    app = build(options)
    config = uvicorn.Config(app, host="127.0.0.1", port=int(args[1]), log_level="warning",
                            access_log=False, lifespan="on", server_header=False,
                            loop=options.get("loop", "auto"), http=options.get("http", "auto"))
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
