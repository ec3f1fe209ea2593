"""Where the OpenAPI documents are: inside the installed package, or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STORE_DOCUMENT = "store.yaml"
CONTROL_DOCUMENT = "control.yaml"


@cache
def spec_dir() -> Path:
    """The folder holding ``store.yaml`` and ``control.yaml``.

    A wheel ships the repository's ``openapi/`` as ``mock_server/_openapi``; an editable or source
    checkout reads ``openapi/`` beside the package.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_openapi", here.parent / "openapi"):
        if (candidate / STORE_DOCUMENT).is_file():
            return candidate
    raise FileNotFoundError(
        "medusa-mock cannot find its OpenAPI documents (openapi/store.yaml); "
        "reinstall the package")


def store_spec_path() -> Path:
    return spec_dir() / STORE_DOCUMENT


def control_spec_path() -> Path:
    return spec_dir() / CONTROL_DOCUMENT
