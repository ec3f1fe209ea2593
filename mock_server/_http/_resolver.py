"""Maps each operationId of the documents to its handler.

The handler of operation ``PostAuth`` tagged ``Auth`` is ``handlers.auth.post_auth``: one module
per tag, one snake_case function per operationId. An operation without a handler answers 501 in
Medusa's error shape, so the document can lead the code.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from connexion.resolver import Resolution, Resolver

from ._responses import json_response

HANDLER_PACKAGE = "mock_server._http.handlers"


def snake(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def handler_location(operation_id: str, tag: str) -> tuple[str, str]:
    return f"{HANDLER_PACKAGE}.{snake(tag)}", snake(operation_id)


def find_handler(operation_id: str, tag: str) -> Callable[..., Any] | None:
    module_name, function_name = handler_location(operation_id, tag)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None
    return getattr(module, function_name, None)


def not_implemented_handler(operation_id: str) -> Callable[..., Any]:
    def not_implemented(*args: Any, **kwargs: Any) -> Any:
        return json_response({
            "type": "not_implemented",
            "message": f"{operation_id} is not implemented by medusa-mock yet",
        }, 501)

    not_implemented.__name__ = f"not_implemented_{snake(operation_id)}"
    return not_implemented


class HandlerResolver(Resolver):
    def __init__(self) -> None:
        super().__init__()
        self.missing: list[str] = []

    def resolve(self, operation: Any) -> Resolution:
        operation_id = operation.operation_id
        tags = getattr(operation, "_operation", {}).get("tags") or ["default"]
        handler = find_handler(operation_id, tags[0])
        if handler is None:
            self.missing.append(operation_id)
            handler = not_implemented_handler(operation_id)
        return Resolution(handler, operation_id)
