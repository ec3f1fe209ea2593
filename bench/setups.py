"""Serve the mock in an alternative server set-up, to compare set-ups with numbers:

    python -m bench --mock-command "{python} -m bench.setups VARIANTS {port}" --label VARIANTS

VARIANTS is a comma-separated list of:

- ``default``: what ``medusa-mock serve`` runs (uvicorn with uvloop and httptools);
- ``switch=MS``: ``sys.setswitchinterval`` (CPython's default: 5 ms);
- ``loop=asyncio`` / ``http=h11``: uvicorn's pure-Python event loop / HTTP parser.

The app is built by the public ``mock_server.create_app``, as any user of the package builds it;
only the server around it changes. (Earlier variants swapped the app's WSGI bridge or rebuilt it
on Connexion's AsyncApp; their results are in bench/README.md.)
"""

from __future__ import annotations

import sys
from typing import Any

VARIANTS = ("default", "switch", "loop", "http")


def _options(spec: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        key, _, value = item.partition("=")
        if key not in VARIANTS:
            raise SystemExit(f"unknown variant {item!r} (known: {', '.join(VARIANTS)})")
        options[key] = value or True
    return options


def build(options: dict[str, Any]) -> Any:
    from mock_server import Settings, create_app

    app = create_app(Settings())
    if "switch" in options:
        sys.setswitchinterval(float(options["switch"]) / 1000)
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
