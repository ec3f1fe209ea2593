"""What the commands share: exit codes, usage errors, the document, ports, reachability."""

from __future__ import annotations

import errno
import socket
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2


class UsageError(Exception):
    pass


def checked_document(given: Path | None, work: Path) -> tuple[Path, Path, list[str]]:
    """The document to check against (``given``, else the bundled one), repaired into ``work``
    when it has the official OAS's known defects (each printed as a warning)."""
    from .._spec import store_spec_path
    from .._tools import audit as auditor

    spec = (given or store_spec_path()).resolve()
    if not spec.is_file():
        raise UsageError(f"no document at {spec}")
    try:
        document, warnings = auditor.prepare_document(spec, work)
    except (ValueError, KeyError, OSError) as exc:
        raise UsageError(f"cannot read the document {spec}: {exc}") from None
    for warning in warnings:
        print(f"warning: document defect: {warning}", file=sys.stderr)
    return spec, document, warnings




def unreachable(base_url: str) -> str | None:
    import httpx

    try:
        httpx.get(base_url + "/store/auth/probe@example.com", timeout=10)
    except httpx.HTTPError as exc:
        return str(exc) or type(exc).__name__
    return None

def port_free(host: str, port: int) -> str | None:
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
