"""What ``medusa-mock proxy`` adds per request: catalog reads direct and through the proxy.

    .venv/bin/python -m bench.proxy                       # 10 s per run, 1 and 16 connections
    .venv/bin/python -m bench.proxy --quick               # ~1 s per run
    .venv/bin/python -m bench.proxy --connections 1 --duration 20

Starts the mock (``medusa-mock serve``, default seed) and ``medusa-mock proxy`` in front of it,
each on a free loopback port, then runs each read scenario (catalog list, catalog detail,
regions) with the Python load generator (its own process) against the mock directly and through
the proxy, alternately, at each connection count. One connection measures the latency the proxy
adds to a request (nothing queues); more connections show the throughput it leaves. The proxy's
CPU time per request (from ``/proc``) is the cost that does not depend on queueing. The proxy
is stopped with SIGTERM at the end and its report must show every request judged and no
violation (the mock conforms), or the run says so.

Results go to ``bench/results/proxy-<timestamp>.json`` and ``.md`` (and ``proxy-latest.*``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import report, servers
from .cli import progress, run_loadgen
from .scenarios import BY_NAME, discover, prepare
from .stats import rate

READS = ("catalog-list", "catalog-detail", "regions")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.proxy", description=__doc__.split("\n")[0])
    p.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each")
    p.add_argument("--connections", default="1,16",
                   help="comma-separated connection counts (default: %(default)s)")
    p.add_argument("--scenarios", default=",".join(READS), help="among " + ", ".join(READS))
    p.add_argument("--quick", action="store_true", help="~1 s runs (a smoke test)")
    p.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "results")
    p.add_argument("--no-write", action="store_true", help="print only")
    return p


def start_proxy(upstream: str, report_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = servers.free_port()
    script = Path(sys.executable).parent / "medusa-mock"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "mock_server"]
    command = [*head, "proxy", "--upstream", upstream, "--host", "127.0.0.1", "--port",
               str(port), "--report-dir", str(report_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=servers.REPO, env=servers.server_environment(),
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while servers.get_status(base) != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate()
            raise servers.StartError(f"the proxy did not start: {err.decode()[-500:]}")
        time.sleep(0.05)
    return process, base


def stop_proxy(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=60)
    return process.returncode, out.decode()


def measure(base_url: str, params: dict[str, Any], connections: int, args: argparse.Namespace,
            pid: int) -> dict[str, Any]:
    if args.warmup > 0:
        run_loadgen(base_url, "get", params, connections=connections, duration=args.warmup,
                    warmup=0, max_requests=10**9)
    with servers.Sampler(pid) as sampler:
        wall = time.perf_counter()
        out = run_loadgen(base_url, "get", params, connections=connections,
                          duration=args.duration, warmup=0, max_requests=10**9)
        wall = time.perf_counter() - wall
    pct = out["percentiles_ms"]
    return {"requests": out["requests"], "errors": out["errors"],
            "req_per_s": round(rate(out["requests"], out["elapsed"]), 1),
            "p50_ms": pct["p50"], "p95_ms": pct["p95"], "p99_ms": pct["p99"],
            "cpu_ms_per_request": round(1000 * sampler.cpu / out["requests"], 3)
            if out["requests"] else None,
            "cpu_pct": round(100 * sampler.cpu / wall, 1)}


def render(result: dict[str, Any]) -> str:
    lines = ["| scenario | connections | direct p50 ms | proxied p50 ms | added p50 ms | "
             "direct p99 ms | proxied p99 ms | direct req/s | proxied req/s | proxy CPU ms/req |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in result["rows"]:
        d, p = row["direct"], row["proxied"]
        lines.append(
            f"| {row['scenario']} | {row['connections']} | {d['p50_ms']:.2f} | "
            f"{p['p50_ms']:.2f} | **{row['added_p50_ms']:.2f}** | {d['p99_ms']:.2f} | "
            f"{p['p99_ms']:.2f} | {d['req_per_s']:.0f} | {p['req_per_s']:.0f} | "
            f"{p['proxy_cpu_ms_per_request']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.quick:
        args.duration, args.warmup = min(args.duration, 1.0), min(args.warmup, 0.3)
    counts = [int(c) for c in args.connections.split(",") if c.strip()]
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    unknown = [n for n in names if n not in READS]
    if unknown or not counts or min(counts) < 1:
        raise SystemExit(f"scenarios among {', '.join(READS)}; connections positive")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    machine = report.machine_description()
    mock = servers.start_mock()
    reports = Path(tempfile.mkdtemp(prefix="bench-proxy-"))
    rows: list[dict[str, Any]] = []
    try:
        proxy, proxy_base = start_proxy(mock.base_url, reports)
        try:
            common = asyncio.run(discover(mock.base_url))
            options = {"run_id": stamp, "jwt_secret": "supersecret", "claim_token": "minted"}
            for name in names:
                params, _ = prepare(BY_NAME[name], mock.base_url, "mock", common, options)
                for connections in counts:
                    progress(f"{name}: {connections} connection(s), direct...")
                    direct = measure(mock.base_url, params, connections, args, mock.pid)
                    progress(f"{name}: {connections} connection(s), through the proxy...")
                    proxied = measure(proxy_base, params, connections, args, proxy.pid)
                    proxied["proxy_cpu_ms_per_request"] = proxied.pop("cpu_ms_per_request")
                    added = round(proxied["p50_ms"] - direct["p50_ms"], 3)
                    rows.append({"scenario": name, "connections": connections,
                                 "direct": direct, "proxied": proxied, "added_p50_ms": added})
                    progress(f"{name}/{connections}: p50 {direct['p50_ms']:.2f} -> "
                             f"{proxied['p50_ms']:.2f} ms (+{added:.2f}), "
                             f"{direct['req_per_s']:.0f} -> {proxied['req_per_s']:.0f} req/s")
        finally:
            code, out = stop_proxy(proxy)
    finally:
        mock.stop()
    data = json.loads((reports / "proxy.json").read_text())
    sent = sum(r["direct"]["requests"] for r in rows)
    proxied_sent = sum(r["proxied"]["requests"] for r in rows)
    check = (f"the proxy's report: {data['requests']} requests judged (the load generator sent "
             f"{proxied_sent} measured, plus warm-ups and set-up), "
             f"{data['distinct_violations']} distinct violations, exit code {code}")
    progress(check)
    result = {"started_at": stamp, "command": " ".join(["python", "-m", "bench.proxy",
                                                        *(argv or sys.argv[1:])]),
              "machine": machine, "options": vars(args) | {"results": str(args.results)},
              "rows": rows, "proxy_report": check, "direct_requests": sent,
              "load_average_at_end": os.getloadavg()}
    table = render(result)
    print(table)
    if not args.no_write:
        args.results.mkdir(parents=True, exist_ok=True)
        text = json.dumps(result, indent=2, default=str) + "\n"
        load = " ".join(f"{x:.2f}" for x in result["load_average_at_end"])
        markdown = (f"# Proxy overhead ({stamp})\n\n`{result['command']}`\n\n{table}\n\n"
                    f"- {check}\n- load average at the end: {load}\n- machine: "
                    + ", ".join(f"{k}: {v}" for k, v in machine.items()) + "\n")
        for name in (f"proxy-{stamp}", "proxy-latest"):
            (args.results / f"{name}.json").write_text(text)
            (args.results / f"{name}.md").write_text(markdown)
        progress(f"results: {args.results}/proxy-{stamp}.md (and proxy-latest.*)")
    return 0 if data["distinct_violations"] == 0 and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
