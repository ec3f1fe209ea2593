"""``medusa-mock capture``: a deployment's catalog, read through its Store API, as a seed file.

``crawl`` reads every list the Store API has for the catalog, ``build`` turns what it read into
a seed in the format ``serve --seed`` loads (keeping the source's ids), and ``verify`` plays the
catalog reads against the source and a mock serving the capture, and compares them.
"""

from __future__ import annotations

from .build import build_seed, not_captured
from .crawl import CaptureError, Catalog, Progress, crawl
from .verify import catalog_reads

__all__ = ["CaptureError", "Catalog", "Progress", "build_seed", "catalog_reads", "crawl",
           "not_captured"]
