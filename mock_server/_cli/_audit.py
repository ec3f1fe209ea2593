"""``medusa-mock audit``: a deployment's conformance to the document."""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import sys
from pathlib import Path

from ._common import EXIT_USAGE, UsageError, checked_document, unreachable


def audit_parser(sub: argparse._SubParsersAction) -> None:
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
    from .._tools import audit as auditor

    if args.update_baseline and not args.baseline:
        print("medusa-mock: --update-baseline needs --baseline FILE", file=sys.stderr)
        return EXIT_USAGE
    base_url = args.base_url.rstrip("/")
    problem = unreachable(base_url)
    if problem:
        print(f"medusa-mock: cannot reach {base_url}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    work = auditor.tempdir()
    try:
        spec, document, warnings = checked_document(args.spec, work)
    except UsageError as exc:
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
    events_read = auditor.read_events(events)
    results = auditor.summarize(events_read, index)
    baseline = auditor.Baseline.load(args.baseline)
    if args.update_baseline:
        baseline = baseline.updated(auditor.failures_of(results))
        baseline.save(args.baseline)
        print(f"baseline: {len(baseline.entries)} known deviations written to {args.baseline}")
    notes = auditor.coverage_notes(events_read)
    command = shlex.join(["medusa-mock", *sys.argv[1:]])
    auditor.write_json(report_dir / "audit.json", target=base_url, document=str(spec),
                       warnings=warnings, results=results, baseline=baseline, notes=notes)
    auditor.write_markdown(report_dir / "audit.md", title=args.title, target=base_url,
                           document=str(spec), warnings=warnings, results=results,
                           baseline=baseline, notes=notes, command=command.strip())
    fresh = auditor.new_failures(results, baseline)
    total = auditor.failures_of(results)
    runs = sum(r.runs for r in results.values())
    print(f"audit: {len(results)} operations, {runs} check runs, {len(total)} distinct failures "
          f"({len(total) - len(fresh)} in the baseline, {len(fresh)} new); "
          f"reports in {report_dir}")
    for failure in fresh[:20]:
        print(f"  NEW {failure['operation']}: {failure['check']}")
    if not runs:
        print(f"medusa-mock: the audit ran no checks (the contract suite exited {exit_code}"
              f"{' and selected no operation' if args.include else ''}); a run that checks "
              f"nothing proves nothing", file=sys.stderr)
        return EXIT_USAGE
    return auditor.EXIT_NEW_FAILURES if fresh else auditor.EXIT_CLEAN
