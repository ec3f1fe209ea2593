"""Seed files: where the bundled one is, reading one, and the error every seed problem raises."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from .. import _state

# The bundled demo store is data of the state layer (``mock_server/_state/seeds/``).
DEFAULT_SEED = "default.json"


class SeedError(Exception):
    """A seed file that cannot be loaded; the message names the file and the path inside it."""

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(f"{source}: {path}: {message}")
        self.source = source
        self.path = path
        self.message = message


def default_seed_path() -> Path:
    return Path(str(resources.files(_state).joinpath("seeds", DEFAULT_SEED)))


def read_seed(path: str | Path | None) -> tuple[str, dict[str, Any]]:
    """``(source, data)`` of a seed file (``None``: the bundled demo store)."""
    source = str(path) if path is not None else str(default_seed_path())
    try:
        text = Path(source).read_text("utf-8")
    except FileNotFoundError:
        raise SeedError(source, "$", "file not found") from None
    except OSError as exc:
        raise SeedError(source, "$", f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SeedError(source, "$", "file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(source, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                        f"{exc.msg}") from None
    if not isinstance(data, dict):
        raise SeedError(source, "$", "the top level must be a JSON object")
    return source, data
