"""wrk (Debian's package) as the load generator for the GET scenarios, when it is installed.

A Lua script rotates through the scenario's paths, counts statuses per thread, and prints one
``BENCH_JSON {...}`` line with the percentiles wrk measured (microseconds) when it is done.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

MARKER = "BENCH_JSON "

_SCRIPT = r"""
local paths = {%(paths)s}
local counter = 0
statuses = {}

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Accept"] = "application/json"})
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%%d": %%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    '%(marker)s{"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"max": %%d, "statuses": {%%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    table.concat(parts, ", ")))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def lua_script(paths: list[str]) -> str:
    quoted = ", ".join(json.dumps(p) for p in paths)  # JSON strings are valid Lua strings here
    return _SCRIPT % {"paths": quoted, "marker": MARKER}


def parse_output(stdout: str) -> dict[str, Any]:
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    raise ValueError(f"wrk printed no result line: {stdout[-500:]!r}")


def run(base_url: str, paths: list[str], *, connections: int, duration: float,
        timeout: float = 30.0, threads: int = 1) -> dict[str, Any]:
    """One wrk run; the result in the load generator's shape (without a latency list: wrk's own
    percentiles instead)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.lua"
        script.write_text(lua_script(paths))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
             f"--timeout={timeout:g}s", "-s", str(script), base_url],
            capture_output=True, text=True, timeout=duration + timeout + 30, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = parse_output(done.stdout)
    socket_errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    statuses = {str(k): v for k, v in data["statuses"].items()}
    if socket_errors:
        statuses["transport"] = socket_errors
    samples = [f"wrk: {socket_errors} socket errors (connect {data['connect']}, read "
               f"{data['read']}, write {data['write']}, timeout {data['timeout']})"
               ] if socket_errors else []
    return {
        "requests": data["requests"] + data["timeout"],
        "errors": data["status"] + socket_errors,
        "iterations": data["requests"] - data["status"],
        "failed_iterations": data["status"] + socket_errors,
        "elapsed": data["duration_us"] / 1e6,
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "statuses": statuses,
        "percentiles_ms": {k: data[k] / 1000 for k in ("p50", "p95", "p99", "max")},
        "error_samples": samples,
    }
