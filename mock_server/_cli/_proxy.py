"""``medusa-mock proxy``: real traffic forwarded and checked against the document."""

from __future__ import annotations

import argparse
import contextlib
import logging
import shlex
import signal
import sys
from pathlib import Path

from .. import __version__
from ._common import EXIT_USAGE, UsageError, checked_document, port_free, unreachable


def proxy_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "proxy", help="forward traffic to a Store API and check it against the document",
        description="A reverse proxy: point a storefront (or its end-to-end tests) at it, and it "
                    "forwards every request unchanged to the upstream Store API, checks each "
                    "request and answer against the document, tags each answer with "
                    "X-Medusa-Mock-Violations: N and, on stop (Ctrl-C or SIGTERM), writes "
                    "proxy.json, proxy.md and junit.xml. Exit codes on stop: 0 clean (or only "
                    "baseline deviations), 1 new violations or upstream errors, 2 usage error.")
    p.add_argument("--upstream", required=True, metavar="URL",
                   help="the Store API to forward to, e.g. http://localhost:9100")
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to listen on (default: %(default)s; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=9000, help="TCP port (default: %(default)s)")
    p.add_argument("--spec", type=Path, metavar="FILE",
                   help="the document (default: the bundled openapi/store.yaml); the official "
                        "Medusa OAS loads too, its known defects repaired with a warning")
    p.add_argument("--report-dir", type=Path, default=Path("reports/proxy"), metavar="DIR",
                   help="where proxy.json, proxy.md and junit.xml go (default: %(default)s)")
    p.add_argument("--baseline", type=Path, metavar="FILE",
                   help="known deviations, in the format of `audit --baseline`; only other "
                        "violations are new (and make the exit code 1)")
    p.add_argument("--update-baseline", action="store_true",
                   help="on stop, write every violation seen into --baseline (keeping reasons)")
    p.add_argument("--strict", action="store_true",
                   help="answer 502 (Medusa's error shape, with the violations) instead of "
                        "forwarding an answer with a violation outside the baseline")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="connect, read and write timeout towards the upstream; past it the "
                        "client gets 502 (default: %(default)s)")
    p.add_argument("--max-checked-body", type=int, default=16 * 1024 * 1024, metavar="BYTES",
                   help="larger bodies are streamed through unchecked (default: %(default)s)")
    p.add_argument("--title", default="medusa-mock proxy", help="the Markdown report's title")
    p.add_argument("--log-level", default="warning",
                   choices=["critical", "error", "warning", "info", "debug"],
                   help="warning logs each violation, info also each request "
                        "(default: %(default)s)")


def proxy(args: argparse.Namespace) -> int:
    import uvicorn

    from .._spec import control_spec_path
    from .._tools import audit as auditor
    from .._tools.proxy import Document, ProxyApp, ProxySettings, Tally, write_reports

    if args.update_baseline and not args.baseline:
        print("medusa-mock: --update-baseline needs --baseline FILE", file=sys.stderr)
        return EXIT_USAGE
    if args.baseline and not args.update_baseline and not args.baseline.is_file():
        print(f"medusa-mock: no baseline at {args.baseline}", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec, document_path, warnings = checked_document(args.spec, auditor.tempdir())
        document = Document(document_path, control_spec_path())
        baseline = auditor.Baseline.load(args.baseline)
    except UsageError as exc:
        print(f"medusa-mock: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, KeyError, OSError) as exc:
        print(f"medusa-mock: cannot read {args.spec or 'the document'} or "
              f"{args.baseline or 'the baseline'}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    tally = Tally(document.operation_ids(), baseline)
    settings = ProxySettings(upstream=args.upstream, timeout=args.timeout, strict=args.strict,
                             max_checked_body=args.max_checked_body)
    try:
        app = ProxyApp(settings, document, tally)
    except ValueError as exc:
        print(f"medusa-mock: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problem = port_free(args.host, args.port)
    if problem:
        print(f"medusa-mock: {problem}", file=sys.stderr)
        return EXIT_USAGE
    down = unreachable(app.base)
    if down:
        print(f"warning: cannot reach the upstream {app.base} yet ({down}); requests get 502 "
              "until it answers", file=sys.stderr)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"medusa-mock {__version__}: proxy at http://{host}:{args.port} -> {app.base} "
          f"(document {spec}; reports in {args.report_dir} on stop)", flush=True)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level,
                            access_log=False, lifespan="on", server_header=False,
                            date_header=False)
    # as in `serve`: uvicorn stops on SIGINT and SIGTERM and raises the signal again once its
    # handlers are gone; SIGTERM must not end the process before the reports are written
    signal.signal(signal.SIGTERM, lambda *_: None)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
    if args.update_baseline:
        baseline = baseline.updated(tally.distinct())
        baseline.save(args.baseline)
        tally.baseline = baseline
        print(f"baseline: {len(baseline.entries)} known deviations written to {args.baseline}")
    paths = write_reports(tally, args.report_dir, upstream=app.base, document=str(spec),
                          warnings=warnings, title=args.title,
                          command=shlex.join(["medusa-mock", *sys.argv[1:]]))
    print(tally.summary_line() + f"; reports: {', '.join(str(p) for p in paths)}", flush=True)
    for failure in tally.fresh()[:20]:
        print(f"  NEW {failure['operation']}: {failure['check']}: {failure['message'][:160]}")
    for error in list(tally.upstream_errors.values())[:5]:
        print(f"  UPSTREAM {error.request}: {error.message}")
    return tally.exit_code()
