"""medusa-mock: a stateful mock of the Medusa v1 (1.20.x) Store API.

The public API is small: :func:`create_app` builds the ASGI app from :class:`Settings`.
Everything in ``_modules`` is private.
"""

from ._http.app import create_app
from ._settings import Settings

__all__ = ["Settings", "create_app", "__version__"]
__version__ = "0.1.0"
