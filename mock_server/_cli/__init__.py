"""The ``medusa-mock`` command line: one module per command, ``main`` dispatches."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ._audit import audit, audit_parser
from ._capture import capture, capture_parser
from ._common import EXIT_USAGE
from ._diff import diff, diff_parser
from ._proxy import proxy, proxy_parser
from ._serve import security_warnings, serve, serve_parser

__all__ = ["build_parser", "main", "security_warnings"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medusa-mock",
        description="A mock and contract-testing tool for the Medusa v1 (1.20.x) Store API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    serve_parser(sub)
    diff_parser(sub)
    audit_parser(sub)
    proxy_parser(sub)
    capture_parser(sub)
    return parser




def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "diff":
        return diff(args)
    if args.command == "audit":
        return audit(args)
    if args.command == "proxy":
        return proxy(args)
    if args.command == "capture":
        return capture(args)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
