"""Where the OpenAPI documents are: inside the installed package, or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

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


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _load_yaml(path: Path) -> Any:
    import yaml

    # libyaml's safe loader when PyYAML has it: the same data, parsed several times faster (this
    # runs on the first request that reads a query DTO, within the start-up time)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text("utf-8"), Loader=loader)


@cache
def routes(document: Path | None = None) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """``(METHOD, path template, operation)`` of every operation of a document (default: the
    Store document), in the document's order (the order its router tries them); ``$ref``s
    between files are followed for the path items, schemas are left as they are."""
    root = document or store_spec_path()
    files: dict[Path, Any] = {}
    out = []
    for template, item in (_load_yaml(root).get("paths") or {}).items():
        ref = item.get("$ref") if isinstance(item, dict) else None
        if ref:
            file_part, _, pointer = ref.partition("#")
            path = (root.parent / file_part).resolve()
            if path not in files:
                files[path] = _load_yaml(path)
            item = files[path]
            for part in pointer.strip("/").split("/"):
                if part:
                    item = item[part]
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if isinstance(operation, dict) and operation.get("operationId"):
                out.append((method.upper(), template, operation))
    return tuple(out)


@cache
def operations() -> dict[str, dict[str, Any]]:
    """Every operation of the Store document by operationId, as written (see :func:`routes`)."""
    return {operation["operationId"]: operation for _, _, operation in routes()}


@cache
def path_file_schema(ref: str) -> dict[str, Any]:
    """A schema of the Store document named by a ``$ref`` as a file of ``paths/`` writes it
    (``../schemas/order.yaml#/OrderStatus``)."""
    file_part, _, pointer = ref.partition("#")
    node: Any = _load_yaml((spec_dir() / "paths" / file_part).resolve())
    for part in pointer.strip("/").split("/"):
        if part:
            node = node[part]
    return dict(node)
