"""An upstream for the proxy's tests: it echoes what it received and misbehaves on request.

- ``/echo/...``: the request as JSON (method, raw path, query, headers as a list, body as
  latin-1 text, body length and SHA-256), with two ``Set-Cookie`` headers and ``X-Echo: 1``;
- ``/gzip``: a gzip-compressed JSON body with ``Content-Encoding: gzip``;
- ``/big?size=N``: N bytes streamed in 64 kB chunks (no Content-Length);
- ``/status/NNN``: an empty answer with that status;
- ``/slow?seconds=S``: the answer after S seconds;
- Store API paths answered against the document: ``GET /store/regions`` 418 ``text/html``,
  ``GET /store/collections`` 200 ``text/plain``, ``GET /store/product-tags`` 500 JSON.

Idle kept-alive connections are closed after one second.

Run: python tests/_echo_server.py PORT
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import sys
from urllib.parse import parse_qs

import uvicorn


async def _body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _send(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    body = await _body(receive)
    path = scope["path"]
    query = parse_qs(scope["query_string"].decode())
    if path.startswith("/echo"):
        data = {"method": scope["method"], "raw_path": scope["raw_path"].decode("latin-1"),
                "query": scope["query_string"].decode("latin-1"),
                "headers": [[k.decode("latin-1"), v.decode("latin-1")]
                            for k, v in scope["headers"]],
                "body": body.decode("latin-1"), "length": len(body),
                "sha256": hashlib.sha256(body).hexdigest()}
        await _send(send, 200, json.dumps(data).encode(), [
            (b"content-type", b"application/json"), (b"x-echo", b"1"),
            (b"set-cookie", b"a=1; Path=/; HttpOnly"), (b"set-cookie", b"b=2; Path=/")])
    elif path == "/gzip":
        payload = gzip.compress(json.dumps({"hello": "world" * 200}).encode())
        await _send(send, 200, payload, [(b"content-type", b"application/json"),
                                          (b"content-encoding", b"gzip")])
    elif path == "/big":
        size = int(query["size"][0])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream")]})
        sent = 0
        while sent < size:
            chunk = bytes((sent + i) % 251 for i in range(min(65536, size - sent)))
            sent += len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path.startswith("/status/"):
        await _send(send, int(path.rsplit("/", 1)[1]), b"", [])
    elif path == "/slow":
        await asyncio.sleep(float(query["seconds"][0]))
        await _send(send, 200, b"late", [(b"content-type", b"text/plain")])
    elif path == "/store/regions":
        await _send(send, 418, b"<html>teapot</html>", [(b"content-type", b"text/html")])
    elif path == "/store/collections":
        await _send(send, 200, b"collections", [(b"content-type", b"text/plain")])
    elif path == "/store/product-tags":
        await _send(send, 500, b'{"type":"unknown_error","message":"An unknown error occurred."}',
                    [(b"content-type", b"application/json; charset=utf-8")])
    else:
        await _send(send, 404, b"", [])


if __name__ == "__main__":
    # kept-alive connections closed after 1 s idle, so tests meet the upstream closing them
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                timeout_keep_alive=1)
