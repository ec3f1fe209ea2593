"""``/uploads/<file>``: the demo store's images, served by the mock itself.

As Medusa's local file service serves its uploads (``express.static``), so that a storefront
shows a picture on every product card without the internet. The files are the bundled seed's
(``mock_server/_state/seeds/uploads/``, made by ``scripts/make-demo-images``), read once; the
seed names them by path (``/uploads/tee-black-front.png``) and the loader makes the URLs
absolute with the public base URL (``_seed/images.py``). An answer has the file's type, a
strong ETag (a conditional GET gets 304) and a day's ``Cache-Control``; a name that is no file
goes on to the router, which answers Medusa's 404. Outside ``/_mock``, so neither the control
token nor ``--no-control`` hides the images.
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import cache
from importlib import resources

from starlette.types import Receive, Scope, Send

from ... import _state
from ..._quirks import implements
from ._asgi import HTTPMiddleware, header

PREFIX = "/uploads/"
CACHE_CONTROL = b"public, max-age=86400"


@cache
def upload_files() -> dict[str, tuple[bytes, bytes, bytes]]:
    """Each bundled file's name -> (content type, ETag, content)."""
    folder = resources.files(_state).joinpath("seeds", "uploads")
    files = {}
    for entry in folder.iterdir():
        if entry.is_file() and not entry.name.startswith("."):
            content = entry.read_bytes()
            kind = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
            files[entry.name] = (kind.encode(), etag.encode(), content)
    return files


@implements("demo-store-uploads")
class UploadsMiddleware(HTTPMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        found = (upload_files().get(path[len(PREFIX):])
                 if path.startswith(PREFIX) and scope["method"] in ("GET", "HEAD") else None)
        if found is None:
            await self.app(scope, receive, send)
            return
        kind, etag, content = found
        fresh = header(scope, b"if-none-match") in (etag.decode(), "*")
        headers = [(b"cache-control", CACHE_CONTROL), (b"etag", etag)]
        if fresh:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [(b"content-type", kind), (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body",
                    "body": content if scope["method"] == "GET" else b""})
