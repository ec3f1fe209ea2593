"""The outer ASGI middleware: what Express and Medusa's loaders do before any route runs.

One middleware per job, composed in the one ordered list of :func:`middlewares` (outermost
first), placed before Connexion's exception middleware. On the way in, each runs in list order;
an answer passes back through them in reverse, each adding what it owns:

1. ``sandbox``: which sandbox serves the request (``X-Medusa-Mock-Sandbox``, ``/_sandbox/NAME/``;
   the prefix taken off the path); puts its services, name and selection in the scope
   (``_asgi.SERVICES_KEY``, ``SANDBOX_KEY``, ``SELECTION_KEY``): every later layer uses that
   sandbox's services, fault rules, journal and answer cache;
2. ``control_guard``: ``/_mock`` only for the control token's holder, never for another web
   page (origin and content-type checks on requests that may change state);
3. ``compression`` (only with ``Settings.http_compression``): gzips the finished answer;
4. ``journal``: records each request but the control plane's and what it was answered;
5. ``powered_by``: ``X-Powered-By: Express``, first on every answer;
6. ``cors``: answers store preflights itself; CORS headers on store answers;
7. ``faults``: fault rules and latency (a faulted answer still gets CORS headers);
8. ``uploads``: the demo store's images under ``/uploads/``;
9. ``session``: loads ``connect.sid``, creates the :class:`~.._context.RequestContext` every
   later layer and handler shares (scope key ``SCOPE_KEY``); saves the session, ``Set-Cookie``;
10. ``identity``: the acting customer (session, then a store bearer JWT);
11. ``etag``: holds each answer whole; ``res.send``'s weak ETag, 304 for fresh conditional GETs;
12. ``body``: ``express.json()``'s rules (413, 400, ``{}``), before routing and authentication;
13. ``answer_cache``: replays kept answers of pure reads; moves the store's write generation
    around requests that may write;
14. ``index_check`` (only in ``verify`` read-cache mode): the store's indexes compared with a
    scan after every request that may write.

The order is Express's where it shows: body-parser's errors come back without CORS headers (the
context's ``before_router``) but with a session cookie, a replayed answer still gets its ETag
check, session cookie, CORS headers and ``X-Powered-By`` per request.
"""

from __future__ import annotations

from starlette.middleware import Middleware

from ..._domain.services import Services
from .._answer_cache import AnswerCache
from .._sandboxes import Sandboxes
from .answer_cache import AnswerCacheMiddleware
from .body import BodyRulesMiddleware
from .compression import CompressionMiddleware
from .control_guard import ControlGuard, ControlGuardMiddleware
from .cors import CORSMiddleware
from .etag import ETagMiddleware
from .faults import FaultsMiddleware
from .identity import IdentityMiddleware
from .index_check import IndexCheckMiddleware
from .journal import JournalMiddleware
from .powered_by import PoweredByMiddleware
from .sandbox import SandboxMiddleware
from .session import SessionMiddleware
from .uploads import UploadsMiddleware

__all__ = ["middlewares"]


def middlewares(services: Services, answers: AnswerCache,
                sandboxes: Sandboxes | None = None) -> list[Middleware]:
    """The outer middleware of one app, outermost first: ``services`` and ``answers`` are the
    default sandbox's; every layer after ``sandbox`` uses the chosen sandbox's."""
    sandboxes = sandboxes or Sandboxes(services, answers)
    settings = services.settings
    guard = ControlGuard(settings)
    stack = [
        Middleware(SandboxMiddleware, sandboxes=sandboxes,
                   admits=lambda scope: guard.refusal(scope) is None),
        Middleware(ControlGuardMiddleware, guard=guard),
        Middleware(JournalMiddleware, services=services),
        Middleware(PoweredByMiddleware),
        Middleware(CORSMiddleware, allows_origin=settings.allows_origin),
        Middleware(FaultsMiddleware, services=services),
        Middleware(UploadsMiddleware),
        Middleware(SessionMiddleware, services=services),
        Middleware(IdentityMiddleware, tokens=services.tokens),
        Middleware(ETagMiddleware),
        Middleware(BodyRulesMiddleware),
        Middleware(AnswerCacheMiddleware, store=services.store, answers=answers),
    ]
    if settings.read_cache == "verify":
        stack.append(Middleware(IndexCheckMiddleware, store=services.store))
    if settings.http_compression:
        stack.insert(2, Middleware(CompressionMiddleware))  # inside the guard
    return stack
