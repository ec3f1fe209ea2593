"""The ``medusa-mock`` command line."""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import importlib.util
import logging
import shlex
import signal
import socket
import sys
from pathlib import Path

from . import __version__
from ._domain.read_cache import MODES as READ_CACHE_MODES
from ._http._server import Limits, default_max_connections
from ._seed import SeedError
from ._settings import Settings
from ._state.snapshot import SnapshotError

EXIT_OK, EXIT_USAGE = 0, 2


def _serve_parser(sub: argparse._SubParsersAction) -> None:
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
                   help="do not serve the control plane under /_mock (events, reset, clock)")
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


def _diff_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff", help="compare two deployments request by request",
        description="Play the same storefront scenarios against a reference deployment (e.g. a "
                    "real Medusa) and a candidate (e.g. the mock), with fresh customers on each "
                    "side, and compare status, Content-Type, body shape and error type.")
    p.add_argument("--reference", required=True, metavar="URL", help="the reference Store API")
    p.add_argument("--candidate", required=True, metavar="URL", help="the Store API to judge")
    p.add_argument("--jwt-secret", default="supersecret", metavar="SECRET",
                   help="used to mint a claim token when a side has no /_mock/events outbox "
                        "(default: %(default)s)")
    p.add_argument("--order", default="1:guest.one@example.com", metavar="DISPLAY_ID:EMAIL",
                   help="a guest order present on both sides, for the look-up and claim "
                        "scenarios (default: %(default)s)")
    p.add_argument("--scenario", action="append", metavar="NAME",
                   help="run only this scenario (repeatable); default: all")
    p.add_argument("--report-dir", type=Path, default=Path("reports/diff"), metavar="DIR",
                   help="where diff.json and diff.md go (default: %(default)s)")
    p.add_argument("--min-agreement", type=float, default=0.0, metavar="PERCENT",
                   help="exit 1 when the overall agreement is below this (default: %(default)s)")
    p.add_argument("--stateless", type=int, default=0, metavar="N",
                   help="also replay N schemathesis-generated requests per read operation of the "
                        "document on both sides (default: %(default)s)")
    p.add_argument("--seed", type=int, default=20240611, metavar="N",
                   help="seed for the generated requests (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no per-request progress lines")


def diff(args: argparse.Namespace) -> int:
    import httpx

    from ._tools import diff as differ

    try:
        display_id, email = args.order.split(":", 1)
        order = (int(display_id), email)
    except ValueError:
        print("medusa-mock: --order must look like 1:guest.one@example.com", file=sys.stderr)
        return EXIT_USAGE
    show = None if args.quiet or not sys.stdout.isatty() else (
        lambda r: print(f"{'ok  ' if r.agree else 'DIFF'} {r.scenario:15} {r.request}"))
    try:
        results = differ.run(args.reference, args.candidate, jwt_secret=args.jwt_secret,
                             order=order, only=args.scenario, progress=show)
        if args.stateless > 0:
            from ._spec import store_spec_path

            generated = differ.generated_requests(store_spec_path(), args.stateless, args.seed)
            results += differ.run_generated(args.reference, args.candidate, generated,
                                            progress=show)
    except httpx.HTTPError as exc:
        print(f"medusa-mock: cannot reach {exc.request.url if exc.request else ''}: {exc}",
              file=sys.stderr)
        return EXIT_USAGE
    json_path, md_path = differ.write_reports(results, args.report_dir, args.reference,
                                              args.candidate)
    if not results:
        print("medusa-mock: diff compared no requests (no scenario selected or none could run); "
              "nothing was checked", file=sys.stderr)
        return EXIT_USAGE
    score = differ.agreement(results)
    agreeing = sum(r.agree for r in results)
    print(f"diff: {agreeing}/{len(results)} requests agree ({score:.1f}%); "
          f"report: {md_path} and {json_path}")
    return 1 if score < args.min_agreement else EXIT_OK


def _audit_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit", help="check a live Store API against the document",
        description="Run the contract suite (schemathesis) against a live Medusa v1 Store API and "
                    "report how it conforms to the document. Exit codes: 0 clean (or only "
                    "baseline deviations), 1 new failures, 2 usage or connection error.")
    p.add_argument("base_url", metavar="BASE_URL", help="e.g. http://localhost:9000")
    p.add_argument("--spec", type=Path, metavar="FILE",
                   help="the document (default: the bundled openapi/store.yaml); the official "
                        "Medusa OAS loads too, its known defects repaired with a warning")
    p.add_argument("--include", action="append", default=[], metavar="NAME",
                   help="only this operationId or tag (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="NAME",
                   help="not this operationId or tag (repeatable)")
    auth = p.add_argument_group("authentication (default: the mock's seeded customer)")
    auth.add_argument("--email", help="log in as this customer (POST /store/auth/token)")
    auth.add_argument("--password", help="that customer's password")
    auth.add_argument("--register", action="store_true",
                      help="register the customer first (POST /store/customers)")
    auth.add_argument("--bearer", metavar="TOKEN", help="send this bearer token instead")
    auth.add_argument("--cookie", metavar="COOKIE",
                      help="send this session cookie (connect.sid value) instead")
    auth.add_argument("--publishable-key", metavar="KEY",
                      help="send x-publishable-api-key: KEY on every request")
    claim = p.add_argument_group("claim tokens (without either, confirm-success is 'not covered')")
    claim.add_argument("--claim-token-secret", metavar="SECRET",
                       help="mint claim tokens with the deployment's JWT secret")
    claim.add_argument("--claim-token-events", metavar="URL",
                       help="read claim tokens from this outbox (e.g. BASE_URL/_mock/events)")
    gen = p.add_argument_group("generation")
    gen.add_argument("--max-examples", type=int, default=15, metavar="N",
                     help="examples per operation in the fuzzing phase (default: %(default)s)")
    gen.add_argument("--seed", type=int, default=20240611, metavar="N",
                     help="random seed, for repeatable audits (default: %(default)s)")
    gen.add_argument("--workers", type=int, default=1, metavar="N",
                     help="parallel test processes (needs pytest-xdist; default: %(default)s)")
    gen.add_argument("--phases", default="examples,coverage,fuzzing,stateful", metavar="LIST",
                     help="schemathesis phases to run (default: %(default)s)")
    out = p.add_argument_group("reports")
    out.add_argument("--report-dir", type=Path, default=Path("reports/audit"), metavar="DIR",
                     help="where junit.xml, audit.json and audit.md go (default: %(default)s)")
    out.add_argument("--title", default="medusa-mock audit", help="the Markdown report's title")
    out.add_argument("--baseline", type=Path, metavar="FILE",
                     help="known deviations (operation + check + reason); only other failures "
                          "make the exit code 1")
    out.add_argument("--update-baseline", action="store_true",
                     help="write every current failure into --baseline (keeping reasons)")
    out.add_argument("--quiet", action="store_true", help="no progress output")


def audit(args: argparse.Namespace) -> int:
    from ._tools import audit as auditor

    if args.update_baseline and not args.baseline:
        print("medusa-mock: --update-baseline needs --baseline FILE", file=sys.stderr)
        return EXIT_USAGE
    base_url = args.base_url.rstrip("/")
    problem = _unreachable(base_url)
    if problem:
        print(f"medusa-mock: cannot reach {base_url}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from ._spec import store_spec_path

    spec = (args.spec or store_spec_path()).resolve()
    if not spec.is_file():
        print(f"medusa-mock: no document at {spec}", file=sys.stderr)
        return EXIT_USAGE
    work = auditor.tempdir()
    try:
        document, warnings = auditor.prepare_document(spec, work)
    except (ValueError, KeyError, OSError) as exc:
        print(f"medusa-mock: cannot read the document {spec}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for warning in warnings:
        print(f"warning: document defect: {warning}", file=sys.stderr)
    index = auditor.operation_index(document)
    unknown = auditor.unknown_names([*args.include, *args.exclude], index)
    if unknown:
        print(f"medusa-mock: no operation or tag of the document is named "
              f"{', '.join(map(repr, unknown))} (see --include/--exclude)", file=sys.stderr)
        return EXIT_USAGE
    if args.workers > 1 and importlib.util.find_spec("xdist") is None:
        print("medusa-mock: --workers needs pytest-xdist (pip install pytest-xdist)",
              file=sys.stderr)
        return EXIT_USAGE
    report_dir = args.report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    events = report_dir / "events.jsonl"
    events.unlink(missing_ok=True)
    pytest_args = auditor.pytest_arguments(args, base_url=base_url, document=document,
                                           events=events, junit=report_dir / "junit.xml")
    exit_code = 0
    for run in auditor.pytest_runs(pytest_args, auditor.suite_dir(), report_dir / "junit.xml",
                                   args.workers):
        code = auditor.run_pytest(run, quiet=args.quiet or not sys.stdout.isatty(), workdir=work)
        exit_code = max(exit_code, code)
    if exit_code not in (0, 1):
        print(f"medusa-mock: the contract suite could not run (pytest exit {exit_code})",
              file=sys.stderr)
        return EXIT_USAGE
    results = auditor.summarize(auditor.read_events(events), index)
    baseline = auditor.Baseline.load(args.baseline)
    if args.update_baseline:
        baseline = baseline.updated(auditor.failures_of(results))
        baseline.save(args.baseline)
        print(f"baseline: {len(baseline.entries)} known deviations written to {args.baseline}")
    notes = auditor.coverage_notes(auditor.read_events(events))
    command = shlex.join(["medusa-mock", *sys.argv[1:]])
    auditor.write_json(report_dir / "audit.json", target=base_url, document=str(spec),
                       warnings=warnings, results=results, baseline=baseline, notes=notes)
    auditor.write_markdown(report_dir / "audit.md", title=args.title, target=base_url,
                           document=str(spec), warnings=warnings, results=results,
                           baseline=baseline, notes=notes, command=command.strip())
    fresh = auditor.new_failures(results, baseline)
    total = auditor.failures_of(results)
    print(f"audit: {len(results)} operations, "
          f"{sum(r.runs for r in results.values())} check runs, {len(total)} distinct failures "
          f"({len(total) - len(fresh)} in the baseline, {len(fresh)} new); "
          f"reports in {report_dir}")
    for failure in fresh[:20]:
        print(f"  NEW {failure['operation']}: {failure['check']}")
    if not sum(r.runs for r in results.values()):
        print(f"medusa-mock: the audit ran no checks (the contract suite exited {exit_code}"
              f"{' and selected no operation' if args.include else ''}); a run that checks "
              f"nothing proves nothing", file=sys.stderr)
        return EXIT_USAGE
    return auditor.EXIT_NEW_FAILURES if fresh else auditor.EXIT_CLEAN


def _unreachable(base_url: str) -> str | None:
    import httpx

    try:
        httpx.get(base_url + "/store/auth/probe@example.com", timeout=10)
    except httpx.HTTPError as exc:
        return str(exc) or type(exc).__name__
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medusa-mock",
        description="A mock and contract-testing tool for the Medusa v1 (1.20.x) Store API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _serve_parser(sub)
    _diff_parser(sub)
    _audit_parser(sub)
    return parser


def _port_free(host: str, port: int) -> str | None:
    """``None`` if we can listen on host:port, else why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (choose another with --port)"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


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


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ._http._server import server_config
    from ._http.app import create_app

    if args.read_cache not in READ_CACHE_MODES:  # only an environment variable can get here
        print(f"medusa-mock: MEDUSA_MOCK_READ_CACHE must be one of "
              f"{', '.join(READ_CACHE_MODES)}, not {args.read_cache!r}", file=sys.stderr)
        return EXIT_USAGE
    problem = _bad_limits(args) or _bad_state_options(args)
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
                        state_file=args.state)
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
    problem = _port_free(args.host, args.port)
    if problem:
        print(f"medusa-mock: {problem}", file=sys.stderr)
        return EXIT_USAGE
    host = f"[{args.host}]" if ":" in args.host else args.host
    control = " (control plane at /_mock)" if settings.control else ""
    print(f"medusa-mock {__version__}: Medusa v1 Store API at http://{host}:{args.port}{control}",
          flush=True)
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "diff":
        return diff(args)
    if args.command == "audit":
        return audit(args)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
