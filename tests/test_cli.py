"""The medusa-mock command: help, banner, serving, clear errors, clean shutdown."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CMD = [sys.executable, "-m", "mock_server"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, deadline: float = 15.0) -> bytes:
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def test_help_explains_every_option() -> None:
    out = subprocess.run(CMD + ["serve", "--help"], capture_output=True, text=True, check=True)
    for option in ("--host", "--port", "--seed", "--jwt-secret", "--cookie-secret",
                   "--no-control", "--store-cors"):
        assert option in out.stdout
    assert "9000" in out.stdout and "supersecret" in out.stdout


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_banner_requests_and_a_clean_stop(tmp_path: Path, stop: signal.Signals) -> None:
    port = _free_port()
    proc = subprocess.Popen(CMD + ["serve", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        body = _wait(f"http://127.0.0.1:{port}/store/auth/jane@example.com")
        assert json.loads(body) == {"exists": True}
        events = _wait(f"http://127.0.0.1:{port}/_mock/events")
        assert json.loads(events) == {"events": []}
    finally:
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == (f"medusa-mock 0.1.0: Medusa v1 Store API at http://127.0.0.1:{port} "
                        "(control plane at /_mock)")
    assert lines[-1] == "medusa-mock: stopped"
    assert "Traceback" not in err


def test_no_control_hides_the_control_plane(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(CMD + ["serve", "--port", str(port), "--no-control"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        _wait(f"http://127.0.0.1:{port}/store/auth/x")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_mock/events", timeout=2)
        assert info.value.code == 404
        info.value.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=15)


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run(CMD + ["serve", "--port", str(port)], capture_output=True,
                             text=True, timeout=30)
    assert out.returncode == 2
    assert out.stderr.strip() == (f"medusa-mock: port {port} on 127.0.0.1 is already in use "
                                  "(choose another with --port)")


def test_bad_seed_is_a_clear_error(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"regions": [{"name": "EU", "currency_code": "xyz", "tax_rate": 0, '
                    '"countries": []}]}')
    out = subprocess.run(CMD + ["serve", "--seed", str(seed)], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 2
    assert out.stderr.strip() == (f"medusa-mock: bad seed file: {seed}: "
                                  "$.regions[0].currency_code: unknown currency 'xyz'")


# -- steering options and start-up warnings ------------------------------------------------------
@pytest.mark.parametrize(("args", "message"), [
    (["--latency", "fast"], "--latency takes MIN-MAX or MS in milliseconds"),
    (["--latency", "500-100"], "--latency takes MIN-MAX"),
    (["--journal-size", "-1"], "--journal-size must be 0 or more"),
    (["--control-token", "has space"], "--control-token takes letters, digits"),
    (["--public-url", "localhost:9000"], "--public-url must be an http(s) origin"),
    (["--storefront-url", "mail=http://x/{token}"], "--storefront-url: unknown kind of e-mail"),
])
def test_bad_steering_options_are_clear_errors(args: list[str], message: str) -> None:
    out = subprocess.run(CMD + ["serve", *args], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert out.stderr.startswith(f"medusa-mock: {message}"), out.stderr


def test_security_warnings() -> None:
    from mock_server._cli import security_warnings
    from mock_server._settings import Settings

    assert [w.split(" ")[0] for w in security_warnings(Settings())] == ["--jwt-secret"]
    assert "--jwt-secret and --cookie-secret are Medusa's public default" in (
        security_warnings(Settings())[0])
    secrets = {"jwt_secret": "a", "cookie_secret": "b"}
    assert security_warnings(Settings(**secrets)) == []
    assert security_warnings(Settings(host="localhost", **secrets)) == []
    assert security_warnings(Settings(host="::1", **secrets)) == []
    (open_plane,) = security_warnings(Settings(host="0.0.0.0", **secrets))
    assert "control plane (/_mock) is open to anyone" in open_plane
    assert security_warnings(Settings(host="0.0.0.0", control_token="t", **secrets)) == []
    assert security_warnings(Settings(host="192.0.2.1", control=False, **secrets)) == []
    (cookie,) = security_warnings(Settings(jwt_secret="a"))
    assert cookie.startswith("--cookie-secret is Medusa's public default")


def test_serve_warns_at_start_and_prints_the_console(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(CMD + ["serve", "--host", "0.0.0.0", "--port", str(port),
                                   "--latency", "0-1", "--journal-size", "5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    try:
        _wait(f"http://127.0.0.1:{port}/store/regions")
        requests = json.loads(_wait(f"http://127.0.0.1:{port}/_mock/requests"))
        assert requests["size"] == 5 and requests["requests"]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert out.splitlines()[1] == f"console: http://localhost:{port}/_mock/"
    warnings = [line for line in err.splitlines() if line.startswith("medusa-mock: warning:")]
    assert len(warnings) == 2, err
    assert "--control-token" in warnings[0] and "supersecret" in warnings[1]
