"""Settings shared by the CLI and ``create_app``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """How one mock instance behaves. Every field has the default a Medusa dev install uses."""

    host: str = "127.0.0.1"
    port: int = 9000
    seed: Path | None = None
    """A seed file in Medusa's format (with mock extensions); ``None`` is the bundled demo store."""
    jwt_secret: str = "supersecret"
    cookie_secret: str = "supersecret"
    control: bool = True
    """Serve the control plane under ``/_mock``."""
    validate_responses: bool = False
    """Check every response against the document (slower; tests turn it on)."""
    id_seed: int | None = None
    """Seed for generated ids, for reproducible runs; ``None`` uses fresh randomness."""
    frozen_time: float | None = None
    """Pin the clock to this epoch (seconds); ``None`` follows real time."""
    http_compression: bool = False
    """gzip answers the client accepts, as Medusa's ``projectConfig.http_compression`` does when
    enabled (off by default there too); ``x-no-compression`` turns it off per request."""
    store_cors: tuple[str, ...] = field(default=("http://localhost:8000",))
    """Origins allowed to call the store API from a browser, as Medusa's ``store_cors``: exact
    origins, or regular expressions written between slashes (``/https?://.*\\.example\\.com/``)."""
    read_cache: str = field(default_factory=lambda: os.environ.get("MEDUSA_MOCK_READ_CACHE", "on"))
    """The catalog's read cache (product and region reads, see ``_domain/read_cache.py``): ``on``,
    ``off``, or ``verify`` (every hit is computed afresh and compared: for tests and audits).
    The default comes from ``MEDUSA_MOCK_READ_CACHE``, else ``on``."""

    control_token: str | None = None
    """When set, every ``/_mock`` route needs this token (a header, or the console's cookie)."""
    latency: tuple[float, float] | None = None
    """Every answer but the control plane's is delayed by a uniform draw from this range of
    milliseconds (``serve --latency MIN-MAX``); ``None``: no added delay."""
    journal_size: int = 1000
    """How many requests the request journal keeps (``GET /_mock/requests``); 0 turns it off."""
    public_url: str | None = None
    """The mock's public base URL, for the absolute URLs it hands out (the demo store's images);
    ``None``: ``http://localhost:<port>``."""
    storefront_url: tuple[str, ...] = ()
    """Where the inbox's links point: a storefront base URL, or ``KIND=TEMPLATE`` for one kind of
    e-mail (see ``_domain/inbox.py``)."""

    @property
    def base_url(self) -> str:
        """The public base URL without a trailing slash."""
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    def allows_origin(self, origin: str) -> bool:
        for allowed in self.store_cors:
            if len(allowed) > 2 and allowed.startswith("/") and allowed.endswith("/"):
                if re.search(allowed[1:-1], origin):
                    return True
            elif allowed == origin:
                return True
        return False
