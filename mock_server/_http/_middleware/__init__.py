"""The outer ASGI middleware: what Express and Medusa's loaders do before any route runs.

One middleware per job, composed in the one ordered list of :func:`middlewares` (outermost
first), placed before Connexion's exception middleware. On the way in, each runs in list order;
an answer passes back through them in reverse, each adding what it owns:

1. ``control_guard``: ``/_mock`` only for the control token's holder, never for another web
   page (origin and content-type checks on requests that may change state);
2. ``compression`` (only with ``Settings.http_compression``): gzips the finished answer;
3. ``journal``: records each request but the control plane's and what it was answered;
4. ``powered_by``: ``X-Powered-By: Express``, first on every answer;
5. ``cors``: answers store preflights itself; CORS headers on store answers;
6. ``faults``: fault rules and latency (a faulted answer still gets CORS headers);
7. ``uploads``: the demo store's images under ``/uploads/``;
8. ``session``: loads ``connect.sid``, creates the :class:`~.._context.RequestContext` every
   later layer and handler shares (scope key ``SCOPE_KEY``); saves the session, ``Set-Cookie``;
9. ``identity``: the acting customer (session, then a store bearer JWT);
10. ``etag``: holds each answer whole; ``res.send``'s weak ETag, 304 for fresh conditional GETs;
11. ``body``: ``express.json()``'s rules (413, 400, ``{}``), before routing and authentication;
12. ``answer_cache``: replays kept answers of pure reads; moves the store's write generation
   around requests that may write.

The order is Express's where it shows: body-parser's errors come back without CORS headers (the
context's ``before_router``) but with a session cookie, a replayed answer still gets its ETag
check, session cookie, CORS headers and ``X-Powered-By`` per request.
"""

from __future__ import annotations

from starlette.middleware import Middleware

from ..._domain.services import Services
from .._answer_cache import AnswerCache
from .answer_cache import AnswerCacheMiddleware
from .body import BodyRulesMiddleware
from .compression import CompressionMiddleware
from .control_guard import ControlGuardMiddleware
from .cors import CORSMiddleware
from .etag import ETagMiddleware
from .faults import FaultsMiddleware
from .identity import IdentityMiddleware
from .journal import JournalMiddleware
from .powered_by import PoweredByMiddleware
from .session import SessionMiddleware
from .uploads import UploadsMiddleware

__all__ = ["middlewares"]


def middlewares(services: Services, answers: AnswerCache) -> list[Middleware]:
    """The outer middleware of one app, outermost first."""
    settings = services.settings
    stack = [
        Middleware(ControlGuardMiddleware, settings=settings),
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
    if settings.http_compression:
        stack.insert(1, Middleware(CompressionMiddleware))
    return stack
