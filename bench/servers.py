"""The servers under test: the mock as a subprocess, the real Medusa found through
``scripts/real-medusa``, memory and CPU sampling from ``/proc``, and start-up timing."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REAL_MEDUSA = REPO / "scripts" / "real-medusa"
READY_PATH = "/store/regions"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mock_command(port: int, template: str | None = None,
                 extra: tuple[str, ...] = ()) -> list[str]:
    """The command that serves the mock on ``port``: ``medusa-mock serve`` from this Python's
    environment, or ``template`` (a shell-quoted command with ``{port}`` and ``{python}``);
    ``extra`` arguments follow."""
    if template:
        return [*shlex.split(template.format(port=port, python=sys.executable)), *extra]
    script = Path(sys.executable).parent / "medusa-mock"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "mock_server"]
    return [*head, "serve", "--host", "127.0.0.1", "--port", str(port), *extra]


def server_environment() -> dict[str, str]:
    """The caller's environment, with Python's default bytecode caching: the servers write and
    reuse their ``.pyc`` files (under a cache folder outside the source tree) as a default
    Python install does, even where ``PYTHONDONTWRITEBYTECODE`` is set (as on this machine)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX",
                   str(Path(tempfile.gettempdir()) / "medusa-mock-bench-pycache"))
    return env


def get_status(base_url: str, path: str = READY_PATH, timeout: float = 2.0) -> int | None:
    """The status of one GET, or ``None`` when nothing answers."""
    host, _, port = base_url.removeprefix("http://").rstrip("/").partition(":")
    conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


# -- /proc sampling ------------------------------------------------------------------------------

def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields follow the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that exist now."""
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        if os.path.exists(f"/proc/{current}"):
            tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_kb(pid: int) -> int:
    """VmRSS of one process in kB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    return sum(rss_kb(p) for p in process_tree(pid))


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the given processes (their threads included), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


class Sampler(threading.Thread):
    """Samples the RSS of a process tree every ``interval`` seconds and keeps the peak; also
    the tree's CPU time between start and stop."""

    def __init__(self, pid: int | None, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self._stop_event = threading.Event()
        self._cpu_start = 0.0
        self.cpu = 0.0

    def __enter__(self) -> Sampler:
        if self.pid is not None:
            self._cpu_start = cpu_seconds(process_tree(self.pid))
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pid is None:
            return
        self._stop_event.set()
        self.join()
        self.cpu = cpu_seconds(process_tree(self.pid)) - self._cpu_start

    def run(self) -> None:
        assert self.pid is not None
        while True:
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            if self._stop_event.wait(self.interval):
                self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
                return


# -- the mock ------------------------------------------------------------------------------------

@dataclass
class StartedServer:
    process: subprocess.Popen[bytes]
    base_url: str
    startup_ms: float
    rss_at_ready_kb: int
    cpu_at_ready_s: float = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        """SIGINT first (uvicorn's clean stop), then SIGKILL; only this process's group."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)


class StartError(RuntimeError):
    pass


def start_mock(template: str | None = None, *, timeout: float = 30.0,
               poll_interval: float = 0.005, extra: tuple[str, ...] = ()) -> StartedServer:
    """Start the mock on a free loopback port and wait for the first 200 of ``READY_PATH``;
    the time from ``Popen`` to that answer is the start-up time."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # a file, not a pipe: a server that logs a lot must never block on a full pipe
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
    started = time.perf_counter()
    process = subprocess.Popen(mock_command(port, template, extra), stdout=subprocess.DEVNULL,
                               stderr=errors, cwd=REPO, env=server_environment(),
                               start_new_session=True)
    deadline = started + timeout
    while True:
        status = _fast_status(port)
        if status == 200:
            elapsed = (time.perf_counter() - started) * 1000
            tree = process_tree(process.pid)
            return StartedServer(process, base_url, elapsed, sum(rss_kb(p) for p in tree),
                                 cpu_seconds(tree))
        if process.poll() is not None:
            errors.seek(0)
            err = errors.read().decode(errors="replace")
            raise StartError(f"the mock exited with {process.returncode}: {err.strip()[-500:]}")
        if time.perf_counter() > deadline:
            StartedServer(process, base_url, 0, 0).stop()
            raise StartError(f"the mock did not answer 200 within {timeout:.0f} s")
        time.sleep(poll_interval)


def _fast_status(port: int) -> int | None:
    """One GET of ``READY_PATH`` on a fresh connection, or ``None`` if nothing listens."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(f"GET {READY_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Connection: close\r\n\r\n".encode())
            first = sock.recv(64)
    except OSError:
        return None
    try:
        return int(first.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


# -- the real Medusa -----------------------------------------------------------------------------

@dataclass
class RealMedusa:
    base_url: str
    pid: int | None
    boot_seconds: float | None = None
    postgres_pid: int | None = None


def real_medusa_status() -> RealMedusa | None:
    """The real Medusa that ``scripts/real-medusa`` runs, if it is running."""
    if not REAL_MEDUSA.exists():
        return None
    try:
        out = subprocess.run([sys.executable, str(REAL_MEDUSA), "status", "--json"],
                             capture_output=True, text=True, timeout=60, check=False)
        state = json.loads(out.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    if not state.get("running") or not state.get("url"):
        return None
    timings = state.get("timings") or {}
    return RealMedusa(state["url"].rstrip("/"), state.get("pid"), timings.get("server_boot_s"),
                      state.get("pg_pid"))


def start_real_medusa() -> RealMedusa | None:
    """``scripts/real-medusa start`` (idempotent; may take minutes the first time)."""
    print("[bench] starting real Medusa (scripts/real-medusa start; minutes the first time)...",
          file=sys.stderr, flush=True)
    try:
        subprocess.run([sys.executable, str(REAL_MEDUSA), "start"], stdout=subprocess.DEVNULL,
                       timeout=900, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"[bench] real Medusa did not start: {exc}", file=sys.stderr, flush=True)
        return None
    return real_medusa_status()
