"""The ``medusa-mock`` command line."""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import importlib.util
import ipaddress
import json
import logging
import math
import os
import re
import shlex
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from ._domain.read_cache import MODES as READ_CACHE_MODES
from ._http._server import Limits, default_max_connections
from ._seed import SeedError
from ._settings import Settings

if TYPE_CHECKING:
    from ._tools.world import Pair

EXIT_OK, EXIT_USAGE = 0, 2


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    defaults = Settings()
    p = sub.add_parser(
        "serve", help="serve the mock Store API",
        description="Serve a stateful mock of the Medusa v1 Store API. Point a storefront at the "
                    "printed URL; state lives in memory and starts from the seed on every start.")
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
    p.add_argument("--log-level", default="warning",
                   choices=["critical", "error", "warning", "info", "debug"],
                   help="server log level (default: %(default)s)")
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
        description="Send the same requests to a reference deployment (e.g. a real Medusa) and "
                    "a candidate (e.g. the mock) and compare status, Content-Type, error type "
                    "and body shape (keys, value kinds, list lengths). Needs only each side's "
                    "Store API: what a request uses is found on each side and matched by name "
                    "(region name, product handle, SKU, ...); customers, carts and orders are "
                    "made on both sides. Exit codes: 0 clean (or agreement counting deliberate "
                    "mock differences at or above --min-agreement), 1 disagreements, 2 a side "
                    "unreachable, or nothing compared.")
    p.add_argument("--reference", required=True, metavar="URL", help="the reference Store API")
    p.add_argument("--candidate", required=True, metavar="URL", help="the Store API to judge")
    what = p.add_argument_group("what to send")
    what.add_argument("--scenario", action="append", metavar="NAME",
                      help="play only this scripted scenario (repeatable; default: all): "
                           + ", ".join(_scenario_names()))
    what.add_argument("--no-scenarios", action="store_true",
                      help="play no scripted scenario (with --generated: only generated requests)")
    what.add_argument("--generated", type=int, default=0, metavar="N",
                      help="also send N requests per operation of the document, generated by "
                           "schemathesis (valid and invalid ones), with each side's ids "
                           "substituted (default: %(default)s)")
    what.add_argument("--stateless", type=int, default=0, help=argparse.SUPPRESS)
    what.add_argument("--operation", action="append", metavar="OPERATION_ID",
                      help="generate requests for this operation only (repeatable)")
    what.add_argument("--modes", default="positive,negative", metavar="LIST",
                      help="generation modes: positive (valid by the document), negative "
                           "(invalid), or both (default: %(default)s)")
    what.add_argument("--spec", type=Path, metavar="FILE",
                      help="the document to generate from (default: the bundled one)")
    what.add_argument("--seed", type=int, default=20240611, metavar="N",
                      help="seed of the generated requests (default: %(default)s)")
    data = p.add_argument_group(
        "data the Store API cannot list (each VALUE or REFERENCE_VALUE:CANDIDATE_VALUE)")
    data.add_argument("--gift-card", metavar="CODE", help="a gift card both sides hold")
    data.add_argument("--discount", metavar="CODE", help="a discount code both sides accept")
    data.add_argument("--publishable-key", metavar="KEY",
                      help="a publishable API key scoped to the same sales channels on both")
    data.add_argument("--order", metavar="DISPLAY_ID:EMAIL",
                      help="a captured, fulfilled order both sides hold with this number and "
                           "email, for the swap steps (the Store API cannot make one)")
    data.add_argument("--jwt-secret", default="supersecret", metavar="SECRET",
                      help="mints claim tokens when a side has no /_mock/events outbox "
                           "(default: %(default)s)")
    out = p.add_argument_group("reports")
    out.add_argument("--report-dir", type=Path, default=Path("reports/diff"), metavar="DIR",
                     help="where diff.json and diff.md go (default: %(default)s)")
    out.add_argument("--min-agreement", type=float, default=0.0, metavar="PERCENT",
                     help="exit 0 when the agreement, counting deliberate mock differences, is "
                          "at least this; without it, any other difference exits 1")
    out.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                     help="per request (default: %(default)s)")
    out.add_argument("--quiet", action="store_true", help="no progress output")


def _scenario_names() -> list[str]:
    from ._tools.scenarios import BUILDERS

    return list(BUILDERS)


def _per_side(value: str | None) -> Pair[str] | None:
    from ._tools.world import Pair

    if value is None:
        return None
    reference, _, candidate = value.partition(":")
    return Pair(reference, candidate or reference)


def diff(args: argparse.Namespace) -> int:
    from ._tools import diff as differ
    from ._tools.diff_report import write_reports
    from ._tools.world import Options

    generated = args.generated or args.stateless
    if args.stateless:
        print("medusa-mock: --stateless is now --generated", file=sys.stderr)
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    if not modes or set(modes) - {"positive", "negative"}:
        print("medusa-mock: --modes takes positive, negative or both", file=sys.stderr)
        return EXIT_USAGE
    if args.no_scenarios and not generated:
        print("medusa-mock: --no-scenarios leaves nothing to send without --generated N",
              file=sys.stderr)
        return EXIT_USAGE
    unknown = sorted(set(args.scenario or []) - set(_scenario_names()))
    if unknown:
        print(f"medusa-mock: no scenario {', '.join(unknown)} (there are: "
              f"{', '.join(_scenario_names())})", file=sys.stderr)
        return EXIT_USAGE
    order = None
    if args.order:
        try:
            display_id, email = args.order.split(":", 1)
            order = (int(display_id), email)
        except ValueError:
            print("medusa-mock: --order must look like 6:guest.four@example.com",
                  file=sys.stderr)
            return EXIT_USAGE
    if args.spec is not None and not args.spec.is_file():
        print(f"medusa-mock: no document at {args.spec}", file=sys.stderr)
        return EXIT_USAGE
    options = Options(gift_card=_per_side(args.gift_card), discount=args.discount,
                      publishable_key=_per_side(args.publishable_key), order=order)
    settings = differ.Settings(
        reference=args.reference, candidate=args.candidate, jwt_secret=args.jwt_secret,
        only=args.scenario, scenarios=not args.no_scenarios, generated=generated,
        seed=args.seed, modes=modes, spec=args.spec, operations=args.operation,
        timeout=args.timeout, options=options)
    tty = sys.stdout.isatty() and not args.quiet
    show = (lambda r: print(f"{'ok  ' if r.agree else 'DIFF'} {r.scenario:15} {r.request}"
                            [:160], flush=True)) if tty else None
    status = None if args.quiet else (lambda line: print(line, flush=True))
    run = differ.run(settings, progress=show, status=status)
    code, line = differ.exit_code(run, args.min_agreement)
    json_path, md_path = write_reports(run, args.report_dir, min_agreement=args.min_agreement,
                                       command=shlex.join(["medusa-mock", *sys.argv[1:]]))
    if run.problem:
        print(f"medusa-mock: {run.problem} (report: {md_path})", file=sys.stderr)
        return code
    for s in run.scenarios:
        if s.status != "ran":
            print(f"  {s.name}: {s.status}: {s.reason}")
    print(f"{line}; report: {md_path} and {json_path}",
          file=sys.stderr if code == EXIT_USAGE else sys.stdout)
    return code


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
    work = auditor.tempdir()
    try:
        spec, document, warnings = _document(args.spec, work)
    except _UsageError as exc:
        print(f"medusa-mock: {exc}", file=sys.stderr)
        return EXIT_USAGE
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


class _UsageError(Exception):
    pass


def _document(given: Path | None, work: Path) -> tuple[Path, Path, list[str]]:
    """The document to check against (``given``, else the bundled one), repaired into ``work``
    when it has the official OAS's known defects (each printed as a warning)."""
    from ._spec import store_spec_path
    from ._tools import audit as auditor

    spec = (given or store_spec_path()).resolve()
    if not spec.is_file():
        raise _UsageError(f"no document at {spec}")
    try:
        document, warnings = auditor.prepare_document(spec, work)
    except (ValueError, KeyError, OSError) as exc:
        raise _UsageError(f"cannot read the document {spec}: {exc}") from None
    for warning in warnings:
        print(f"warning: document defect: {warning}", file=sys.stderr)
    return spec, document, warnings


def _proxy_parser(sub: argparse._SubParsersAction) -> None:
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

    from ._spec import control_spec_path
    from ._tools import audit as auditor
    from ._tools.proxy import Document, ProxyApp, ProxySettings, Tally, write_reports

    if args.update_baseline and not args.baseline:
        print("medusa-mock: --update-baseline needs --baseline FILE", file=sys.stderr)
        return EXIT_USAGE
    if args.baseline and not args.update_baseline and not args.baseline.is_file():
        print(f"medusa-mock: no baseline at {args.baseline}", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec, document_path, warnings = _document(args.spec, auditor.tempdir())
        document = Document(document_path, control_spec_path())
        baseline = auditor.Baseline.load(args.baseline)
    except _UsageError as exc:
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
    problem = _port_free(args.host, args.port)
    if problem:
        print(f"medusa-mock: {problem}", file=sys.stderr)
        return EXIT_USAGE
    down = _unreachable(app.base)
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


def _capture_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "capture", help="read a deployment's catalog into a seed file",
        description="Crawl a Medusa v1 Store API (catalog reads only, every list paged to its "
                    "end) and write a seed file that `medusa-mock serve --seed` loads: regions, "
                    "products with options, variants and prices per region and currency, "
                    "inventory, collections, categories, tags, types, shipping options, return "
                    "reasons and sales channels, with the source's ids. With --verify, compare "
                    "the catalog reads of the source and of a mock serving the capture instead.")
    p.add_argument("base_url", metavar="BASE_URL", help="the Store API to read, e.g. "
                                                        "https://api.example.com")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="where the seed goes (written atomically)")
    p.add_argument("--publishable-key", metavar="KEY",
                   help="send x-publishable-api-key: KEY (and keep the key in the seed)")
    p.add_argument("--region", action="append", default=[], metavar="ID_OR_NAME",
                   help="capture only this region (repeatable; default: every region)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="per request (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    check = p.add_argument_group("verifying a copy")
    check.add_argument("--verify", metavar="COPY_URL",
                       help="compare the catalog reads of BASE_URL and of COPY_URL (a mock "
                            "serving the capture) instead of capturing")
    check.add_argument("--report-dir", type=Path, default=Path("reports/capture"),
                       metavar="DIR", help="where verify.json and verify.md go "
                                           "(default: %(default)s)")
    check.add_argument("--min-agreement", type=float, default=0.0, metavar="PERCENT",
                       help="exit 1 when fewer reads agree (default: %(default)s)")


def capture(args: argparse.Namespace) -> int:
    from ._tools import capture as capturing
    from ._tools.capture import verify
    from ._tools.files import atomic_write_text
    from ._tools.sides import Unreachable

    if bool(args.output) == bool(args.verify):
        print("medusa-mock: capture needs either -o FILE or --verify COPY_URL",
              file=sys.stderr)
        return EXIT_USAGE
    progress = capturing.Progress(quiet=args.quiet)
    try:
        catalog = capturing.crawl(args.base_url, publishable_key=args.publishable_key,
                                  regions=args.region, timeout=args.timeout,
                                  progress=progress)
    except capturing.CaptureError as exc:
        print(f"\nmedusa-mock: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.verify:
        reads = capturing.catalog_reads(catalog)
        try:
            results = verify.run(catalog.source, args.verify, reads,
                                 publishable_key=args.publishable_key, timeout=args.timeout,
                                 progress=lambda done, total: progress.update(
                                     "comparing catalog reads", done, total))
        except Unreachable as exc:
            where = catalog.source if exc.side == "source" else args.verify
            print(f"\nmedusa-mock: cannot reach the {exc.side} {where}: {exc.detail}",
                  file=sys.stderr)
            return EXIT_USAGE
        json_path, md_path = verify.write_reports(results, args.report_dir,
                                                  source=catalog.source, copy=args.verify)
        score = verify.agreement(results)
        print(f"capture --verify: {sum(r.agree for r in results)}/{len(results)} catalog "
              f"reads agree ({score:.1f}%); report: {md_path} and {json_path}")
        for operation, (agreeing, total) in verify.by_operation(results).items():
            print(f"  {operation:32} {agreeing:>5}/{total:<5} {100 * agreeing / total:5.1f}%")
        return 1 if score < args.min_agreement else EXIT_OK
    seed, notes = capturing.build_seed(catalog, publishable_key=args.publishable_key)
    atomic_write_text(args.output, json.dumps(seed, indent=2, ensure_ascii=False) + "\n")
    variants = sum(len(p["variants"]) for p in seed["products"])
    print(f"capture: {args.output}: {len(seed['regions'])} regions, {len(seed['products'])} "
          f"products, {variants} variants, {len(seed['product_collections'])} collections, "
          f"{len(catalog.categories)} categories, {len(seed['product_tags'])} tags, "
          f"{len(seed['product_types'])} types, {len(seed['shipping_options'])} shipping "
          f"options, {len(catalog.return_reasons)} return reasons "
          f"({catalog.requests} requests)")
    for note in notes:
        print(f"  note: {note}")
    print("Not in the Store API, so not captured (see README, 'Seeding from a capture'):")
    for line in capturing.not_captured():
        print(f"  - {line}")
    print(f"Serve it: medusa-mock serve --seed {args.output}")
    return EXIT_OK


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
    _proxy_parser(sub)
    _capture_parser(sub)
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
    from ._domain.inbox import link_templates

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

    from ._http._server import server_config
    from ._http.app import create_app

    if args.read_cache not in READ_CACHE_MODES:  # only an environment variable can get here
        print(f"medusa-mock: MEDUSA_MOCK_READ_CACHE must be one of "
              f"{', '.join(READ_CACHE_MODES)}, not {args.read_cache!r}", file=sys.stderr)
        return EXIT_USAGE
    problem = _bad_limits(args) or _steering_problem(args)
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
    if args.command == "proxy":
        return proxy(args)
    if args.command == "capture":
        return capture(args)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
