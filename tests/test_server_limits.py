"""Node's connection limits, as ``medusa-mock serve`` applies them (``_http/_server.py``).

What real Medusa's Node server answered is recorded in ``tests/data/node_http_limits.json``; the
served mock must answer the same bytes to the same raw requests. Timers are checked with a fake
event loop (no sleeping); sizes, malformed requests and the connection cap on a served mock.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from mock_server import create_app
from mock_server._http._server import Limits, protocol_class, server_config

OBSERVED = json.loads((Path(__file__).parent / "data" / "node_http_limits.json").read_text())
CMD = [sys.executable, "-m", "mock_server"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(*options: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen(CMD + ["serve", "--port", str(port), *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"the mock did not start: {proc.communicate()}")


def _stop(proc: subprocess.Popen) -> tuple[str, str]:
    proc.terminate()
    return proc.communicate(timeout=20)


@pytest.fixture(scope="module")
def served() -> Iterator[int]:
    proc, port = _serve()
    yield port
    _stop(proc)


def _exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes; read until the server closes or a whole answer has arrived."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk
            head, found, body = received.partition(b"\r\n\r\n")
            if found and b"content-length:" in head.lower():
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                if len(body) >= length:
                    return received


@pytest.mark.parametrize("case", sorted(OBSERVED["request_lines"]))
def test_request_lines_answered_as_node_answers_them(served: int, case: str) -> None:
    observed = OBSERVED["request_lines"][case]
    answer = _exchange(served, observed["request"].encode("latin-1"))
    if "whole_answer" in observed:
        assert answer.decode("latin-1") == observed["whole_answer"]
    else:
        assert answer.split(b"\r\n", 1)[0].decode() == observed["status_line"]


@pytest.mark.parametrize("index", range(len(OBSERVED["header_size"]["largest_accepted"])))
def test_header_size_limit_at_nodes_boundary(served: int, index: int) -> None:
    case = OBSERVED["header_size"]["largest_accepted"][index]
    template, length = case["request_head_template"], case["value_length"]
    accepted = _exchange(served, template.format(value="a" * length).encode())
    assert not accepted.startswith(b"HTTP/1.1 431"), accepted[:60]
    refused = _exchange(served, template.format(value="a" * (length + 1)).encode())
    assert refused.decode() == OBSERVED["header_size"]["answer_when_too_large"]


def test_a_huge_header_is_refused_before_it_is_whole(served: int) -> None:
    # 1 MiB of one header value, never finished: refused once the head passes the raw bound.
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        sock.sendall(b"GET /store/regions HTTP/1.1\r\nHost: x\r\nX-Big: ")
        answer = b""
        try:
            for _ in range(16):
                sock.sendall(b"a" * 65536)
        except OSError:
            pass  # the server closed the connection while we were still sending
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large"), answer[:60]


def test_the_server_still_answers_after_refusals(served: int) -> None:
    for _ in range(3):
        _exchange(served, b"HELLO\r\n\r\n")
    answer = _exchange(served, b"GET /store/regions HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK")


def test_at_the_limit_the_longest_idle_connection_makes_room() -> None:
    proc, port = _serve("--max-connections", "3")
    silent: list[socket.socket] = []
    try:
        silent += [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
        for _ in range(2):  # slow clients cannot starve the others
            time.sleep(0.3)  # let the server accept them (the server waits, not the code tested)
            answer = _exchange(port, b"GET /store/regions HTTP/1.1\r\nHost: x\r\n"
                                     b"Connection: close\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 200 OK")
            silent.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        # the two that waited longest made room, answered as their headers timeout would be
        timeout_answer = OBSERVED["timeouts"]["connection_opened_and_silent"]["answer"].encode()
        assert [sock.recv(100) for sock in silent[:2]] == [timeout_answer] * 2
    finally:
        for sock in silent:
            sock.close()
        _, err = _stop(proc)
    assert len([line for line in err.splitlines() if "--max-connections" in line]) == 1, err


def test_at_the_limit_with_every_connection_busy_new_ones_are_closed() -> None:
    proc, port = _serve("--max-connections", "2")
    busy: list[socket.socket] = []
    try:
        busy += [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        for sock in busy:  # requests in progress: their bodies are still coming
            sock.sendall(b"POST /store/auth HTTP/1.1\r\nHost: x\r\nContent-Type: "
                         b"application/json\r\nContent-Length: 100\r\n\r\n{")
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as extra:
            try:
                extra.sendall(b"GET /store/regions HTTP/1.1\r\nHost: x\r\n\r\n")
                assert extra.recv(100) == b""  # closed unanswered...
            except ConnectionResetError:
                pass  # ...or reset, when the request arrived before the close
        for sock in busy:
            sock.close()
        time.sleep(0.3)
        answer = _exchange(port, b"GET /store/regions HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200 OK")
    finally:
        for sock in busy:
            sock.close()
        _, err = _stop(proc)
    assert "--max-connections limit" in err


@pytest.mark.parametrize("option", ["--max-connections", "--headers-timeout",
                                    "--keep-alive-timeout", "--max-header-size"])
def test_limits_must_be_positive(option: str) -> None:
    out = subprocess.run(CMD + ["serve", option, "0"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip() == f"medusa-mock: {option} must be greater than 0, not 0"


# -- timers, with a fake event loop ---------------------------------------------------------
class _Timer:
    def __init__(self, delay: float, callback: Any) -> None:
        self.delay, self.callback, self.cancelled = delay, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class _Loop:
    def __init__(self) -> None:
        self.timers: list[_Timer] = []

    def time(self) -> float:
        return 0.0

    def call_later(self, delay: float, callback: Any, *args: Any) -> _Timer:
        timer = _Timer(delay, lambda: callback(*args))
        self.timers.append(timer)
        return timer

    def pending(self) -> list[_Timer]:
        return [t for t in self.timers if not t.cancelled]

    def create_task(self, coro: Any, **_: Any) -> Any:
        coro.close()  # the app is not run here: only the connection's timers matter

        class _Task:
            def add_done_callback(self, _: Any) -> None:
                pass

        return _Task()


class _Transport:
    def __init__(self) -> None:
        self.written = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5000), "sockname": ("127.0.0.1", 9000)}.get(name,
                                                                                      default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


LIMITS = Limits(headers_timeout=60, request_timeout=300, keep_alive_timeout=5,
                max_connections=10)


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app()


def _connection(app: Any, limits: Limits = LIMITS) -> tuple[Any, _Loop, _Transport]:
    config = server_config(app, host="127.0.0.1", port=9000, limits=limits, log_level="warning")
    config.load()
    loop, transport = _Loop(), _Transport()
    protocol = config.http_protocol_class(config=config, server_state=ServerState(),
                                          app_state={}, _loop=loop)
    protocol.connection_made(transport)
    return protocol, loop, transport


def _fire(timer: _Timer) -> None:
    timer.cancelled = True
    timer.callback()


def test_a_silent_connection_gets_408_at_the_headers_timeout(app: Any) -> None:
    _, loop, transport = _connection(app)
    [timer] = loop.pending()
    assert timer.delay == 60
    _fire(timer)
    assert transport.written.decode() == OBSERVED["timeouts"]["connection_opened_and_silent"][
        "answer"]
    assert transport.closed


def test_a_half_sent_head_gets_408(app: Any) -> None:
    protocol, loop, transport = _connection(app)
    protocol.data_received(b"GET /store/regions HTTP/1.1\r\nHost: x\r\n")
    head_timers = [t for t in loop.pending() if t.delay == 60]
    assert len(head_timers) == 1  # the timer runs from the first byte, not from each byte
    protocol.data_received(b"X-A: b\r\n")
    assert len([t for t in loop.pending() if t.delay == 60]) == 1
    _fire(head_timers[0])
    assert transport.written.decode() == OBSERVED["timeouts"]["request_head_half_sent"]["answer"]


def test_a_whole_head_stops_the_headers_timer(app: Any) -> None:
    protocol, loop, transport = _connection(app)
    protocol.data_received(b"POST /store/auth HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
    assert [t.delay for t in loop.pending()] == [300]  # only the request timer is left
    _fire(loop.pending()[0])  # the body never came
    assert transport.written.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert transport.closed


def test_a_whole_request_stops_every_timer(app: Any) -> None:
    protocol, loop, transport = _connection(app)
    protocol.data_received(b"GET /store/regions HTTP/1.1\r\nHost: x\r\n\r\n")
    assert loop.pending() == []
    assert not transport.closed


def test_keep_alive_timeout_is_uvicorns_timer() -> None:
    config = server_config(object(), host="127.0.0.1", port=9000,
                           limits=Limits(keep_alive_timeout=5), log_level="warning")
    assert isinstance(config, uvicorn.Config)
    assert config.timeout_keep_alive == 5
    assert OBSERVED["timeouts"]["idle_after_a_complete_answer"]["closed_after_seconds"] >= 5


def test_protocol_classes_do_not_share_limit_state() -> None:
    first, second = protocol_class(Limits(max_connections=1)), protocol_class(Limits())
    assert first.limit_state is not second.limit_state
    assert first.limit_state.max_connections == 1
