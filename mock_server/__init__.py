"""medusa-mock: a stateful mock of the Medusa v1 (1.20.x) Store API.

The public API is small: :func:`create_app` builds the ASGI app from :class:`Settings`.
Everything in ``_modules`` is private. ``create_app`` is imported on first use, so that the
command line's tools, the contract suite and the benchmark's client side can import a small
module of the package without loading the server (Connexion, Flask).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._settings import Settings

if TYPE_CHECKING:
    from ._http.app import create_app

__all__ = ["Settings", "create_app", "__version__"]
__version__ = "0.1.0"  # the one place: the wheel's version is read from here


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from ._http.app import create_app

        return create_app
    raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
