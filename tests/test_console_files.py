"""The web console's files: served from the package under /_mock/, no CDN, a strict CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import Mock

CONSOLE = Path(__file__).resolve().parents[1] / "mock_server" / "_http" / "console"


@pytest.mark.parametrize(("path", "kind"), [
    ("/_mock/", "text/html; charset=utf-8"),
    ("/_mock/console/console.css", "text/css; charset=utf-8"),
    ("/_mock/console/console.js", "application/javascript; charset=utf-8")])
def test_the_console_is_served_from_the_package(mock: Mock, path: str, kind: str) -> None:
    answer = mock.client.get(path)
    assert answer.status_code == 200 and answer.headers["content-type"] == kind
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_console_loads_nothing_from_elsewhere() -> None:
    for file in CONSOLE.iterdir():
        text = file.read_text("utf-8")
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), file.name
        assert "innerHTML" not in text, file.name  # text goes in as text, never as markup


def test_unknown_console_files(mock: Mock) -> None:
    for path in ("/_mock/console/nope.js", "/_mock/console/..%2f..%2fapp.py"):
        answer = mock.client.get(path)
        assert answer.status_code == 404 and answer.json()["type"] == "not_found", path
    # a name the document's pattern refuses: Medusa's 400
    answer = mock.client.get("/_mock/console/index.html.bak")
    assert answer.status_code == 400 and answer.json()["type"] == "invalid_data"
