"""``medusa-mock serve``: its options, their checks, the start-up warnings and the server's life."""

from __future__ import annotations

import argparse
import contextlib
import gc
import ipaddress
import logging
import math
import os
import re
import signal
import sys
from pathlib import Path

from .. import __version__
from .._domain.read_cache import MODES as READ_CACHE_MODES
from .._http._server import Limits, default_max_connections
from .._seed import SeedError
from .._settings import Settings
from .._state.snapshot import SnapshotError
from ._common import EXIT_OK, EXIT_USAGE, port_free


def serve_parser(sub: argparse._SubParsersAction) -> None:
    defaults = Settings()
    p = sub.add_parser(
        "serve", help="serve the mock Store API",
        description="Serve a stateful mock of the Medusa v1 Store API. Point a storefront at the "
                    "printed URL; state lives in memory and starts from the seed on every start "
                    "(or from --state FILE).")
    p.add_argument("--host", default=defaults.host,
                   help="interface to listen on (default: %(default)s; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=defaults.port,
                   help="TCP port (default: %(default)s, Medusa's own default)")
    p.add_argument("--seed", type=Path, default=None, metavar="FILE",
                   help="seed file in Medusa's `medusa seed` JSON format, with the mock's "
                        "extensions (customers, orders); default: the bundled demo store")
    p.add_argument("--jwt-secret", default=defaults.jwt_secret, metavar="SECRET",
                   help="secret for bearer tokens and claim tokens, like Medusa's jwt_secret "
                        "(default: %(default)s, as a Medusa development install)")
    p.add_argument("--cookie-secret", default=defaults.cookie_secret, metavar="SECRET",
                   help="secret that signs the connect.sid session cookie, like Medusa's "
                        "cookie_secret (default: %(default)s)")
    p.add_argument("--store-cors", default=",".join(defaults.store_cors), metavar="ORIGINS",
                   help="comma-separated origins a browser storefront may call from, like "
                        "Medusa's STORE_CORS; /regex/ entries allowed (default: %(default)s)")
    p.add_argument("--http-compression", action="store_true",
                   help="gzip answers over 1 kB for clients that accept it, like Medusa with "
                        "http_compression enabled (x-no-compression opts out per request)")
    p.add_argument("--no-control", action="store_true",
                   help="do not serve the control plane under /_mock (events, reset, clock, "
                        "faults, the request journal, the console)")
    steer = p.add_argument_group("steering and seeing (the control plane, /_mock)")
    steer.add_argument("--control-token", default=None, metavar="TOKEN",
                       help="require this token on every /_mock route (X-Medusa-Mock-Control-"
                            "Token or Authorization: Bearer; the console: open "
                            "/_mock/?token=TOKEN). MEDUSA_MOCK_CONTROL_TOKEN sets it too")
    steer.add_argument("--latency", default=None, metavar="MIN-MAX",
                       help="delay every answer but the control plane's by a random number of "
                            "milliseconds in this range (e.g. 200-800, or 300)")
    steer.add_argument("--journal-size", type=int, default=defaults.journal_size, metavar="N",
                       help="requests the journal keeps (GET /_mock/requests; default: "
                            "%(default)s; 0 turns it off)")
    steer.add_argument("--public-url", default=None, metavar="URL",
                       help="the base URL browsers reach the mock at, for the demo store's image "
                            "URLs and the control plane's own origin (default: "
                            "http://localhost:PORT)")
    steer.add_argument("--storefront-url", action="append", default=[], metavar="URL",
                       help="where the inbox's e-mail links point: the storefront's base URL "
                            "(default: http://localhost:8000), or KIND=TEMPLATE for one kind "
                            "(claim, password-reset, order) with {token}, {email}, {order_id}, "
                            "{display_id}; repeatable")
    p.add_argument("--validate-responses", action="store_true",
                   help="check every response against the document (slower; for debugging)")
    p.add_argument("--read-cache", choices=list(READ_CACHE_MODES), default=defaults.read_cache,
                   help="product and region reads answered again without recomputing while "
                        "nothing was written: on; off; verify (recompute anyway and answer "
                        "500 if the kept answer differs). Default: %(default)s "
                        "(MEDUSA_MOCK_READ_CACHE sets it)")
    p.add_argument("--state", type=Path, default=None, metavar="FILE",
                   help="keep the state in FILE: loaded at start when it exists, written on a "
                        "clean stop (Ctrl-C, SIGTERM) and on POST /_mock/state/save (whole, "
                        "then renamed over the old file); a file that cannot be loaded stops "
                        "the start")
    p.add_argument("--log-level", default="warning",
                   choices=["critical", "error", "warning", "info", "debug"],
                   help="server log level (default: %(default)s)")
    bounds = p.add_argument_group(
        "state limits", "caps per sandbox; past one, the least recently used rows go first "
                        "(seeded rows never); 0 for no cap")
    for table in ("carts", "customers", "orders", "sessions"):
        bounds.add_argument(f"--max-{table}", type=int, metavar="N",
                            default=getattr(defaults, f"max_{table}"),
                            help=f"{table} kept (default: %(default)s)")
    boxes = p.add_argument_group(
        "sandboxes", "isolated copies of the state, chosen by the X-Medusa-Mock-Sandbox header "
                     "or a /_sandbox/NAME/ path prefix")
    boxes.add_argument("--max-sandboxes", type=int, default=defaults.max_sandboxes, metavar="N",
                       help="named sandboxes kept at once; a new one past it replaces the least "
                            "recently used; 0 turns sandboxes off (default: %(default)s)")
    boxes.add_argument("--sandbox-ttl", type=float, default=defaults.sandbox_ttl,
                       metavar="SECONDS",
                       help="a named sandbox unused this long is dropped (default: %(default)s)")
    limits = p.add_argument_group(
        "connection limits", "as Node's http server under a real Medusa applies them")
    node = Limits()
    limits.add_argument("--max-header-size", type=int, default=node.max_header_size,
                        metavar="BYTES",
                        help="a request head (target, header names and values) of this size or "
                             "more is answered 431 (default: %(default)s)")
    limits.add_argument("--headers-timeout", type=float, default=node.headers_timeout,
                        metavar="SECONDS",
                        help="a connection that sends no complete request head within this "
                             "time is answered 408 and closed (default: %(default)s)")
    limits.add_argument("--request-timeout", type=float, default=node.request_timeout,
                        metavar="SECONDS",
                        help="a request not received whole within this time is answered 408 "
                             "and closed (default: %(default)s)")
    limits.add_argument("--keep-alive-timeout", type=float, default=node.keep_alive_timeout,
                        metavar="SECONDS",
                        help="an idle connection between requests is closed after this time "
                             "(default: %(default)s)")
    limits.add_argument("--max-connections", type=int, default=None, metavar="N",
                        help="new connections past this many open ones are closed at once, "
                             "with a warning in the log (default: 1000, or the open-file limit "
                             f"minus 64 if lower: {default_max_connections()} here)")






def _bad_limits(args: argparse.Namespace) -> str | None:
    for name in ("max_header_size", "headers_timeout", "request_timeout", "keep_alive_timeout",
                 "max_connections"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            return f"--{name.replace('_', '-')} must be greater than 0, not {value:g}"
    return None


def _bad_state_options(args: argparse.Namespace) -> str | None:
    for name in ("max_carts", "max_customers", "max_orders", "max_sessions", "max_sandboxes"):
        value = getattr(args, name)
        if value < 0:
            return f"--{name.replace('_', '-')} must be 0 (no cap) or more, not {value}"
    if not args.sandbox_ttl > 0:
        return f"--sandbox-ttl must be greater than 0, not {args.sandbox_ttl:g}"
    if args.state is not None:
        if args.state.is_dir():
            return f"--state {args.state} is a folder, not a file"
        if not args.state.resolve().parent.is_dir():
            return f"--state {args.state}: the folder {args.state.resolve().parent} does not exist"
    return None


_LOOPBACK_NAMES = ("localhost", "ip6-localhost")
_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9._~+/=-]+")


def _latency(value: str | None) -> tuple[float, float] | None:
    """``MIN-MAX`` or ``MS`` in milliseconds; ``ValueError`` for anything else."""
    if value is None:
        return None
    low, sep, high = value.partition("-")
    bounds = (float(low), float(high) if sep else float(low))
    if not all(math.isfinite(b) and b >= 0 for b in bounds) or bounds[0] > bounds[1]:
        raise ValueError(value)
    return bounds


def _steering_problem(args: argparse.Namespace) -> str | None:
    if args.journal_size < 0:
        return f"--journal-size must be 0 or more, not {args.journal_size}"
    if args.control_token is not None and not _TOKEN_CHARACTERS.fullmatch(args.control_token):
        return ("--control-token takes letters, digits and ._~+/=- only (it travels in a "
                "header and a cookie)")
    if args.public_url is not None and not re.fullmatch(r"https?://[^/\s]+/?",
                                                         args.public_url):
        return f"--public-url must be an http(s) origin such as http://localhost:9000, not " \
               f"{args.public_url!r}"
    try:
        _latency(args.latency)
    except ValueError:
        return f"--latency takes MIN-MAX or MS in milliseconds (e.g. 200-800), not " \
               f"{args.latency!r}"
    from .._domain.inbox import link_templates

    try:
        link_templates(tuple(args.storefront_url))
    except ValueError as exc:
        return f"--storefront-url: {exc}"
    return None


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def security_warnings(settings: Settings) -> list[str]:
    """What ``serve`` warns about at start: an open control plane beyond loopback, the public
    default secrets."""
    warnings = []
    if settings.control and settings.control_token is None and not _is_loopback(settings.host):
        warnings.append(
            f"the control plane (/_mock) is open to anyone who can reach {settings.host}:"
            f"{settings.port}: it hands out customers' claim and password-reset tokens and "
            f"resets the store. Set --control-token TOKEN (or --no-control)")
    default = Settings()
    weak = [name for name, value, public in (
        ("--jwt-secret", settings.jwt_secret, default.jwt_secret),
        ("--cookie-secret", settings.cookie_secret, default.cookie_secret)) if value == public]
    if weak:
        warnings.append(
            f"{' and '.join(weak)} {'is' if len(weak) == 1 else 'are'} Medusa's public default "
            f"{default.jwt_secret!r}: anyone can forge bearer tokens, claim tokens and session "
            f"cookies. Fine on your own machine; set {' and '.join(weak)} before sharing it")
    return warnings


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .._http._server import server_config
    from .._http.app import create_app

    if args.read_cache not in READ_CACHE_MODES:  # only an environment variable can get here
        print(f"medusa-mock: MEDUSA_MOCK_READ_CACHE must be one of "
              f"{', '.join(READ_CACHE_MODES)}, not {args.read_cache!r}", file=sys.stderr)
        return EXIT_USAGE
    problem = _bad_limits(args) or _bad_state_options(args) or _steering_problem(args)
    if problem:
        print(f"medusa-mock: {problem}", file=sys.stderr)
        return EXIT_USAGE
    limits = Limits(max_header_size=args.max_header_size, headers_timeout=args.headers_timeout,
                    request_timeout=args.request_timeout,
                    keep_alive_timeout=args.keep_alive_timeout,
                    max_connections=args.max_connections)
    settings = Settings(host=args.host, port=args.port, seed=args.seed,
                        jwt_secret=args.jwt_secret, cookie_secret=args.cookie_secret,
                        control=not args.no_control, http_compression=args.http_compression,
                        store_cors=tuple(o.strip() for o in args.store_cors.split(",")
                                         if o.strip()),
                        validate_responses=args.validate_responses,
                        read_cache=args.read_cache,
                        max_carts=args.max_carts or None,
                        max_customers=args.max_customers or None,
                        max_orders=args.max_orders or None,
                        max_sessions=args.max_sessions or None,
                        max_sandboxes=args.max_sandboxes, sandbox_ttl=args.sandbox_ttl,
                        state_file=args.state,
                        control_token=args.control_token or os.environ.get(
                            "MEDUSA_MOCK_CONTROL_TOKEN") or None,
                        latency=_latency(args.latency), journal_size=args.journal_size,
                        public_url=args.public_url,
                        storefront_url=tuple(args.storefront_url))
    try:
        app = create_app(settings)
    except SeedError as exc:
        print(f"medusa-mock: bad seed file: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SnapshotError as exc:
        print(f"medusa-mock: bad state file: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # The seed and the document are long-lived: move them out of the collector's sight, so
    # that a full collection under load walks only what requests allocate (shorter pauses).
    gc.collect()
    gc.freeze()
    problem = port_free(args.host, args.port)
    if problem:
        print(f"medusa-mock: {problem}", file=sys.stderr)
        return EXIT_USAGE
    host = f"[{args.host}]" if ":" in args.host else args.host
    control = " (control plane at /_mock)" if settings.control else ""
    print(f"medusa-mock {__version__}: Medusa v1 Store API at http://{host}:{args.port}{control}",
          flush=True)
    if settings.control:
        print(f"console: {settings.base_url}/_mock/"
              f"{'?token=<your --control-token>' if settings.control_token else ''}", flush=True)
    for warning in security_warnings(settings):
        print(f"medusa-mock: warning: {warning}", file=sys.stderr, flush=True)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    config = server_config(app, host=args.host, port=args.port, limits=limits,
                           log_level=args.log_level)
    server = uvicorn.Server(config)
    # uvicorn stops gracefully on SIGINT and SIGTERM, then raises the signal again once the
    # original handlers are back: Ctrl-C then ends here as KeyboardInterrupt, and SIGTERM (a
    # process manager, `kill`) would end the process before the line below without this.
    signal.signal(signal.SIGTERM, lambda *_: None)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if settings.state_file is not None:
        try:
            path = app.services.save_state()
        except OSError as exc:
            print(f"medusa-mock: cannot write the state file {settings.state_file}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"medusa-mock: state saved to {path}", flush=True)
    print("medusa-mock: stopped", flush=True)
    return EXIT_OK
