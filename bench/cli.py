"""``python -m bench``: start the mock (and find real Medusa), drive each scenario against both,
print the table and write ``bench/results/<timestamp>.{json,md}``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import report, servers, wrk
from .http import HTTPError
from .scenarios import BY_NAME, SCENARIOS, Scenario, SetupError, discover, prepare
from .stats import median, percentiles, rate

RESULTS = Path(__file__).resolve().parent / "results"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the mock against real Medusa 1.20.11 (when one runs): req/s, "
                    "latency percentiles, errors and peak RSS per scenario, with the project's "
                    "performance targets as PASS/FAIL. Progress goes to stderr, the table to "
                    "stdout.")
    p.add_argument("--duration", type=float, default=10.0, metavar="S",
                   help="measured seconds per scenario and target (default: %(default)s)")
    p.add_argument("--connections", type=int, default=16, metavar="N",
                   help="concurrent keep-alive connections (default: %(default)s; checkout runs "
                        "N/4 concurrent journeys)")
    p.add_argument("--scenarios", default="all", metavar="LIST",
                   help="comma-separated subset of: " + ", ".join(s.name for s in SCENARIOS))
    p.add_argument("--quick", action="store_true",
                   help="smoke run: ~1 s per scenario, short warm-up, 2 start-ups")
    p.add_argument("--warmup", type=float, default=1.0, metavar="S",
                   help="unmeasured seconds of the same load first (default: %(default)s)")
    p.add_argument("--max-requests", type=int, default=500_000, metavar="N",
                   help="request budget per scenario and target (default: %(default)s)")
    p.add_argument("--startup-runs", type=int, default=5, metavar="N",
                   help="start-ups to take the median of (default: %(default)s)")
    real = p.add_mutually_exclusive_group()
    real.add_argument("--real", metavar="URL",
                      help="real Medusa's base URL (default: the one scripts/real-medusa runs, "
                           "if it runs)")
    real.add_argument("--start-real", action="store_true",
                      help="run `scripts/real-medusa start` first (minutes the first time)")
    real.add_argument("--no-real", action="store_true", help="measure the mock only")
    p.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto",
                   help="load generator for the GET scenarios: wrk when installed (auto), or "
                        "the Python one; the flows always use the Python one")
    p.add_argument("--mock-command", metavar="TEMPLATE",
                   help="serve the mock with this command instead of `medusa-mock serve` "
                        "({port} and {python} are replaced), to compare server set-ups")
    p.add_argument("--no-uncached", action="store_true",
                   help="skip the read scenarios' second mock run with the read caches off "
                        "(`medusa-mock serve --read-cache off`: the cost of computing each "
                        "answer)")
    p.add_argument("--label", default="", help="a label recorded with the results")
    p.add_argument("--claim-token", choices=["mint", "events"], default="mint",
                   help="where claim + confirm gets its token: minted with --jwt-secret as "
                        "Medusa signs it (default), or read from GET /_mock/events")
    p.add_argument("--claim-orders", type=int, default=4, metavar="N",
                   help="guest orders placed in set-up for claim + confirm (default: "
                        "%(default)s)")
    p.add_argument("--jwt-secret", default="supersecret", metavar="SECRET",
                   help="both servers' jwt_secret (default: %(default)s)")
    p.add_argument("--no-calibrate", action="store_true",
                   help="skip measuring the load generators against a trivial server")
    p.add_argument("--results", type=Path, default=RESULTS, metavar="DIR",
                   help="where <timestamp>.json/.md and latest.* go (default: bench/results)")
    p.add_argument("--no-write", action="store_true", help="print only; write no files")
    return p


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _selected(spec: str) -> list[Scenario]:
    if spec in ("", "all"):
        return list(SCENARIOS)
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(unknown)}; "
                         f"known: {', '.join(BY_NAME)}")
    return [BY_NAME[n] for n in names]


# -- running one scenario against one target -----------------------------------------------------

def run_loadgen(base_url: str, flow: str, params: dict[str, Any], *, connections: int,
                duration: float, warmup: float, max_requests: int) -> dict[str, Any]:
    """The Python generator in its own process (so that it has its own GIL and core)."""
    # every generator process registers its own customers (warm-up and measured run alike)
    params = dict(params, run_id=f"{params.get('run_id', 'run')}-{secrets.token_hex(3)}")
    job = {"base_url": base_url, "flow": flow, "params": params, "connections": connections,
           "duration": duration, "warmup": warmup, "max_requests": max_requests}
    done = subprocess.run([sys.executable, "-m", "bench.loadgen"], input=json.dumps(job),
                          capture_output=True, text=True, cwd=servers.REPO,
                          timeout=duration + warmup + 180, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr.strip()[-800:]}")
    result = json.loads(done.stdout)
    result["percentiles_ms"] = percentiles(result.pop("latencies_ms"))
    return result


def measure(scenario: Scenario, base_url: str, params: dict[str, Any], pid: int | None,
            args: argparse.Namespace, generator: str) -> dict[str, Any]:
    """Warm up (unmeasured), then run the load while sampling the server's memory and CPU."""
    connections = max(1, args.connections // scenario.concurrency_divisor)

    def load(duration: float) -> dict[str, Any]:
        if generator == "wrk":
            return wrk.run(base_url, params["paths"], connections=connections,
                           duration=duration)
        return run_loadgen(base_url, scenario.flow, params, connections=connections,
                           duration=duration, warmup=0, max_requests=args.max_requests)

    if args.warmup > 0:
        load(args.warmup)
    with servers.Sampler(pid) as sampler:
        wall = time.perf_counter()
        out = load(args.duration)
        wall = time.perf_counter() - wall
    pct = out["percentiles_ms"]
    return report.make_row(
        scenario.name, "", generator=generator, connections=connections,
        elapsed_s=round(out["elapsed"], 3), requests=out["requests"], errors=out["errors"],
        iterations=out["iterations"], failed_iterations=out["failed_iterations"],
        req_per_s=round(rate(out["requests"], out["elapsed"]), 1),
        ops_per_s=round(rate(out["iterations"], out["elapsed"]), 1),
        p50_ms=pct["p50"], p95_ms=pct["p95"], p99_ms=pct["p99"], max_ms=pct["max"],
        peak_rss_mb=round(sampler.peak_kb / 1024, 1) if pid else None,
        server_cpu_pct=round(100 * sampler.cpu / wall, 1) if pid else None,
        server_cpu_ms_per_request=round(1000 * sampler.cpu / out["requests"], 3)
        if pid and out["requests"] else None,
        generator_cpu_pct=round(100 * out["cpu_seconds"] / out["elapsed"], 1)
        if out["elapsed"] else None,
        statuses=out["statuses"], error_samples=out["error_samples"])


def _not_run(scenario: str, target: str, why: str) -> dict[str, Any]:
    progress(f"{scenario}/{target}: not run: {why}")
    return report.make_row(scenario, target, note=f"not run: {why}")


UNCACHED = ("--read-cache", "off")


def run_on_mock(scenario: Scenario, args: argparse.Namespace, options: dict[str, Any],
                generator: str, *, uncached: bool = False) -> dict[str, Any]:
    target = "mock-uncached" if uncached else "mock"
    try:
        server = servers.start_mock(args.mock_command, extra=UNCACHED if uncached else ())
    except servers.StartError as exc:
        return _not_run(scenario.name, target, str(exc))
    try:
        return _run_on(scenario, server.base_url, target, server.pid, args, options, generator)
    finally:
        server.stop()


def run_on_real(scenario: Scenario, args: argparse.Namespace, options: dict[str, Any],
                generator: str) -> dict[str, Any]:
    real = _real_target(args)
    if real is None:
        return _not_run(scenario.name, "real", "real Medusa no longer answers")
    row = _run_on(scenario, real.base_url, "real", real.pid, args, options, generator)
    if real.postgres_pid and row["requests"]:
        row["note"] = " ".join(filter(None, [row["note"], (
            "peak RSS is the Node process tree; PostgreSQL's processes are not counted")]))
    return row


def _run_on(scenario: Scenario, base_url: str, target: str, pid: int | None,
            args: argparse.Namespace, options: dict[str, Any], generator: str
            ) -> dict[str, Any]:
    try:
        common = asyncio.run(discover(base_url))
        params, note = prepare(scenario, base_url, target, common, options)
    except (SetupError, HTTPError, OSError, KeyError, ValueError) as exc:
        return _not_run(scenario.name, target, f"set-up failed: {exc}")
    use = generator if scenario.flow == "get" else "python"
    conns = max(1, args.connections // scenario.concurrency_divisor)
    progress(f"{scenario.name}/{target}: {args.duration:g} s at {conns} connections ({use})...")
    try:
        row = measure(scenario, base_url, params, pid, args, use)
    except (RuntimeError, ValueError, subprocess.SubprocessError, OSError) as exc:
        return _not_run(scenario.name, target, f"load run failed: {exc}")
    row.update(target=target, note=note)
    progress(f"{scenario.name}/{target}: {row['req_per_s']:.1f} req/s, p50 {row['p50_ms']} ms, "
             f"p99 {row['p99_ms']} ms, {row['errors']} errors, peak RSS {row['peak_rss_mb']} MB")
    return row


def run_startup(args: argparse.Namespace, real: servers.RealMedusa | None
                ) -> list[dict[str, Any]]:
    times, rss, cpu, failures, samples = [], [], [], 0, []
    with contextlib.suppress(servers.StartError):  # unmeasured: fills the bytecode cache
        servers.start_mock(args.mock_command).stop()
    for i in range(args.startup_runs):
        try:
            server = servers.start_mock(args.mock_command)
        except servers.StartError as exc:
            failures += 1
            samples.append(str(exc))
            progress(f"startup/mock: run {i + 1} failed: {exc}")
            continue
        server.stop()
        times.append(server.startup_ms)
        rss.append(server.rss_at_ready_kb)
        cpu.append(server.cpu_at_ready_s)
        progress(f"startup/mock: run {i + 1}: {server.startup_ms:.0f} ms to the first 200 "
                 f"({server.cpu_at_ready_s:.2f} s of CPU)")
    rows = [report.make_row(
        "startup", "mock", generator="-", connections=1, requests=args.startup_runs,
        errors=failures, p50_ms=median(times), max_ms=max(times) if times else None,
        peak_rss_mb=round(max(rss) / 1024, 1) if rss else None, error_samples=samples,
        note=f"{len(times)} runs: " + ", ".join(f"{t:.0f}" for t in times) + " ms (after one "
             "unmeasured start; Popen of `medusa-mock serve` to the first 200 of GET "
             "/store/regions; RSS at that moment); CPU time used by then (less sensitive to "
             f"other load): median {median(cpu) or 0:.2f} s")]
    if real is not None and real.boot_seconds is not None:
        rows.append(report.make_row(
            "startup", "real", generator="-", p50_ms=real.boot_seconds * 1000,
            note="server boot time recorded by scripts/real-medusa at its last start (not "
                 "measured by this run: the shared real Medusa is never restarted)"))
    return rows


def calibrate(seconds: float, connections: int) -> dict[str, float]:
    """req/s of each generator against bench/trivial.py: the most it can measure here."""
    port = servers.free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.trivial", str(port)],
                              stdout=subprocess.DEVNULL, cwd=servers.REPO,
                              start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    out: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 10
        while servers.get_status(base_url, "/") != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        py = run_loadgen(base_url, "get", {"paths": ["/"]}, connections=connections,
                         duration=seconds, warmup=0, max_requests=10_000_000)
        out["python generator"] = round(rate(py["requests"], py["elapsed"]), 1)
        out["python generator CPU %"] = round(100 * py["cpu_seconds"] / py["elapsed"], 1)
        if wrk.available():
            w = wrk.run(base_url, ["/"], connections=connections, duration=seconds)
            out["wrk (1 thread)"] = round(rate(w["requests"], w["elapsed"]), 1)
    finally:
        server.terminate()
        server.wait(10)
    return out


def _real_target(args: argparse.Namespace) -> servers.RealMedusa | None:
    if args.no_real:
        return None
    if args.real:
        status = servers.real_medusa_status()
        pid = status.pid if status and status.base_url == args.real.rstrip("/") else None
        boot = status.boot_seconds if pid else None
        real = servers.RealMedusa(args.real.rstrip("/"), pid, boot,
                                  status.postgres_pid if pid and status else None)
    else:
        real = servers.real_medusa_status()
    if real is None or servers.get_status(real.base_url, "/store/regions", timeout=30) != 200:
        return None
    return real


# -- the whole run -------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.quick:
        args.duration = min(args.duration, 1.0)
        args.warmup = min(args.warmup, 0.3)
        args.startup_runs = min(args.startup_runs, 2)
    if args.connections < 1 or args.duration <= 0:
        raise SystemExit("--connections and --duration must be positive")
    scenarios = _selected(args.scenarios)
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if wrk.available() else "python"
    elif generator == "wrk" and not wrk.available():
        raise SystemExit("wrk is not installed (apt-get install wrk), use --generator python")

    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    machine = report.machine_description()
    if args.start_real:
        servers.start_real_medusa()
    real = _real_target(args)
    if real is None and (args.real or args.start_real):
        progress("real Medusa does not answer: measuring the mock only")
    progress(f"targets: mock{' and real Medusa at ' + real.base_url if real else ''}; "
             f"{args.duration:g} s per scenario at {args.connections} connections; "
             f"GET scenarios with {generator}")
    notes = [
        "This machine has 2 cores shared by the server under test, the load generator and "
        "whatever else runs (other people's test suites during development): figures are noisy; "
        f"load average at start {machine['load_average_at_start']}.",
        "Each mock scenario runs against a fresh `medusa-mock serve` (default seed) on a free "
        "loopback port; real Medusa is the shared instance of scripts/real-medusa (never "
        "restarted or reset by this harness).",
    ]
    calibration = None
    if not args.no_calibrate:
        progress("calibrating the load generators against a trivial server...")
        calibration = calibrate(1.0 if args.quick else 3.0, args.connections)
        progress("calibration: " + ", ".join(f"{k} {v:g}" for k, v in calibration.items()))

    options = {"run_id": f"{stamp}-{secrets.token_hex(3)}", "jwt_secret": args.jwt_secret,
               "claim_token": args.claim_token, "claim_orders": args.claim_orders}
    rows: list[dict[str, Any]] = []
    for scenario in scenarios:
        if scenario.flow == "startup":
            rows += run_startup(args, real)
            continue
        rows.append(run_on_mock(scenario, args, options, generator))
        if scenario.uncached_too and not args.no_uncached:
            rows.append(run_on_mock(scenario, args, options, generator, uncached=True))
        if real is not None:
            rows.append(run_on_real(scenario, args, options, generator))

    checks = report.evaluate_targets(rows)
    load = os.getloadavg()
    notes.append("load average at the end: " + " ".join(f"{x:.2f}" for x in load))
    result = report.build_result(
        started_at=started, command=shlex.join(["python", "-m", "bench", *(
            argv if argv is not None else sys.argv[1:])]),
        label=args.label,
        options={"duration_s": args.duration, "warmup_s": args.warmup,
                 "connections": args.connections, "generator": generator,
                 "scenarios": [s.name for s in scenarios], "quick": args.quick,
                 "claim_token": args.claim_token, "mock_command": args.mock_command
                 or shlex.join(servers.mock_command(0)).replace(" 0", " {port}")},
        machine=machine, real_medusa=real.base_url if real else None,
        calibration=calibration, rows=rows, checks=checks, notes=notes)
    print(report.render_table(rows, checks))
    print()
    print(report.render_checks(checks))
    if not args.no_write:
        json_path, md_path = report.write_results(result, args.results, stamp)
        progress(f"results: {md_path} and {json_path} (and latest.*)")
    return 0
