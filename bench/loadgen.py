"""The Python load generator: N keep-alive connections, each running a flow in a loop, bounded by
a duration and a request count. Run it in its own process (``python -m bench.loadgen`` reads a
job as JSON on stdin and writes the result as JSON on stdout), never in the harness's process:
the harness samples memory and starts servers meanwhile, and the generator needs a core.

A job: ``{"base_url", "flow", "params", "connections", "duration", "max_requests",
"warmup", "timeout", "uvloop"}``. The result: ``{"requests", "errors", "iterations",
"failed_iterations", "elapsed", "cpu_seconds", "statuses", "latencies_ms", "error_samples"}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from .flows import FLOWS, StepFailed
from .http import Connection, HTTPError, Response, split_base_url

MAX_ERROR_SAMPLES = 5


class Stop(Exception):
    """The phase's duration or request budget is used up."""


class Recorder:
    """Counts and times the requests of one phase."""

    def __init__(self, duration: float, max_requests: int) -> None:
        self.deadline = time.monotonic() + duration
        self.max_requests = max_requests
        self.started = 0
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.errors = 0
        self.iterations = 0
        self.failed_iterations = 0
        self.error_samples: list[str] = []

    def finished(self) -> bool:
        return self.started >= self.max_requests or time.monotonic() >= self.deadline

    def sample(self, text: str) -> None:
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(text[:300])


def timed_call(conn: Connection, recorder: Recorder | None) -> Any:
    """``call(method, path, body, headers)`` for the flows, recording into ``recorder``."""
    async def call(method: str, path: str, body: Any = None,
                   headers: dict[str, str] | None = None) -> Response:
        if recorder is not None:
            if recorder.finished():
                raise Stop
            recorder.started += 1
        start = time.perf_counter()
        try:
            response = await conn.request(method, path, body, headers)
        except HTTPError as exc:
            if recorder is not None:
                recorder.errors += 1
                recorder.statuses["transport"] = recorder.statuses.get("transport", 0) + 1
                recorder.sample(f"{method} {path}: {exc}")
            await asyncio.sleep(0.01)  # a refused connection must not become a busy loop
            raise StepFailed(str(exc)) from None
        if recorder is not None:
            recorder.latencies.append(time.perf_counter() - start)
            key = str(response.status)
            recorder.statuses[key] = recorder.statuses.get(key, 0) + 1
            if not response.ok:
                recorder.errors += 1
                recorder.sample(f"{method} {path}: {response.status} "
                                f"{response.body[:200].decode('utf-8', 'replace')}")
        if not response.ok:
            raise StepFailed(f"{method} {path}: {response.status}")
        return response
    return call


async def run_phase(base_url: str, flow_name: str, params: dict[str, Any], *, connections: int,
                    duration: float, max_requests: int, timeout: float = 30.0,
                    worker_offset: int = 0) -> tuple[Recorder, float]:
    host, port = split_base_url(base_url)
    flow = FLOWS[flow_name]
    recorder = Recorder(duration, max_requests)

    async def worker(number: int) -> None:
        conn = Connection(host, port, timeout=timeout)
        call = timed_call(conn, recorder)
        state: dict[str, Any] = {"worker": worker_offset + number, "n": 0}
        try:
            while not recorder.finished():
                try:
                    await flow(call, params, state)
                    recorder.iterations += 1
                except StepFailed:
                    recorder.failed_iterations += 1
                except Stop:
                    break
                except (KeyError, TypeError, ValueError, IndexError) as exc:
                    # an answer of an unexpected shape: count the iteration as failed
                    recorder.failed_iterations += 1
                    recorder.sample(f"{flow_name}: {type(exc).__name__}: {exc}")
                state["n"] += 1
        finally:
            await conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(connections)))
    return recorder, time.perf_counter() - start


async def run_job(job: dict[str, Any]) -> dict[str, Any]:
    common = {"connections": job["connections"], "timeout": job.get("timeout", 30.0)}
    if job.get("warmup", 0) > 0:
        await run_phase(job["base_url"], job["flow"], job["params"], duration=job["warmup"],
                        max_requests=job["max_requests"], worker_offset=10_000, **common)
    cpu = time.process_time()
    recorder, elapsed = await run_phase(job["base_url"], job["flow"], job["params"],
                                        duration=job["duration"],
                                        max_requests=job["max_requests"], **common)
    return {
        "requests": len(recorder.latencies) + recorder.statuses.get("transport", 0),
        "errors": recorder.errors,
        "iterations": recorder.iterations,
        "failed_iterations": recorder.failed_iterations,
        "elapsed": elapsed,
        "cpu_seconds": time.process_time() - cpu,
        "statuses": recorder.statuses,
        "latencies_ms": [round(x * 1000, 3) for x in recorder.latencies],
        "error_samples": recorder.error_samples,
    }


def main() -> int:
    job = json.load(sys.stdin)
    factory = None
    if job.get("uvloop", True):
        try:
            import uvloop  # type: ignore[import-not-found]

            factory = uvloop.new_event_loop
        except ImportError:
            pass
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(run_job(job))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
