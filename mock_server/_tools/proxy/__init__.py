"""``medusa-mock proxy``: a reverse proxy that checks real traffic against the document.

Put it between a storefront (or its end-to-end tests) and a Store API, real or mock: every
request is forwarded unchanged, every request and answer is judged against the document
(``conformance``), each answer carries ``X-Medusa-Mock-Violations``, and on stop the proxy writes
``proxy.json``, ``proxy.md`` and ``junit.xml`` (``report``) with the same baseline as ``audit``.

Modules: ``conformance`` (the document and its checks), ``app`` (the ASGI app that forwards),
``upstream`` (its HTTP/1.1 client towards the upstream), ``report`` (the tally and the report
files).
"""

from __future__ import annotations

from .app import ProxyApp, ProxySettings
from .conformance import Document
from .report import Tally, write_reports

__all__ = ["Document", "ProxyApp", "ProxySettings", "Tally", "write_reports"]
