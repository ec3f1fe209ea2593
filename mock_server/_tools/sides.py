"""One deployment as ``medusa-mock diff`` sees it: a base URL, an HTTP client, and its answers.

Everything here is black-box HTTP. An :class:`Answer` is what came back (status, media type,
text, parsed JSON, which of Express's headers were present); a :class:`Sent` is what went out,
kept so that the report can print a ``curl`` that reproduces it. A connection that fails
(refused, reset, timed out) raises :class:`Unreachable`, never an httpx exception.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .._claim_tokens import CLAIM_TOKEN_EVENT as CLAIM_EVENT
from .._claim_tokens import mint_claim_token

# Headers Express and Medusa's middleware add, compared by presence (their values hold ids,
# hashes and dates).
EXPRESS_HEADERS = ("etag", "x-powered-by", "access-control-allow-credentials", "vary")
KEY_HEADER = "x-publishable-api-key"
_NOT_SET = object()


class Unreachable(Exception):
    """A side did not answer (connection refused or reset, timeout)."""

    def __init__(self, side: str, url: str, detail: str) -> None:
        super().__init__(f"{side} ({url}): {detail}")
        self.side = side
        self.detail = detail


@dataclass
class Answer:
    status: int
    media_type: str
    text: str
    json: Any = None
    headers: frozenset[str] = frozenset()

    @property
    def error_type(self) -> str | None:
        if self.status >= 400 and isinstance(self.json, dict):
            value = self.json.get("type")
            return value if isinstance(value, str) else None
        return None

    @property
    def message(self) -> str | None:
        if isinstance(self.json, dict):
            value = self.json.get("message")
            return value if isinstance(value, str) else None
        return None

    def brief(self, limit: int = 600) -> str:
        text = self.text if len(self.text) <= limit else self.text[:limit] + "…"
        return f"{self.status} {self.media_type or '<none>'} {text}"


@dataclass
class Sent:
    """A request as it went out, for the report's ``curl``."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None

    def curl(self) -> str:
        parts = ["curl", "-sS", "-i"]
        if self.method != "GET" or self.body is not None:
            parts += ["-X", self.method]
        parts.append(self.url)
        for name, value in self.headers.items():
            parts += ["-H", f"{name}: {value}"]
        if self.body is not None:
            parts += ["--data-binary", self.body.decode("utf-8", "replace")]
        return shlex.join(parts)


Page = tuple[list[dict[str, Any]], int | None]
"""One page of a Store list: its items, and the list's ``count`` where the answer gives one."""


def walk_pages(fetch: Callable[[dict[str, Any]], Page], params: dict[str, Any] | None = None,
               *, limit: int = 100,
               on_page: Callable[[int, int | None], None] | None = None
               ) -> Iterator[dict[str, Any]]:
    """Every item of a paged Store list. ``fetch(query)`` reads one page (``params`` with
    ``limit`` and ``offset``). The list ends with an empty page, at its ``count`` when the page
    gives one, else at the first page shorter than ``limit``; ``on_page(read, count)`` is
    told after each page."""
    offset = 0
    while True:
        items, count = fetch({**(params or {}), "limit": limit, "offset": offset})
        yield from items
        offset += len(items)
        if on_page:
            on_page(offset, count)
        if not items or (offset >= count if count is not None else len(items) < limit):
            return


def answer_of(response: httpx.Response) -> Answer:
    media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    answer = Answer(response.status_code, media, response.text,
                    headers=frozenset(h for h in EXPRESS_HEADERS if h in response.headers))
    if media.endswith("json"):
        try:
            answer.json = response.json()
        except ValueError:
            answer.json = None
    return answer


class FixtureError(Exception):
    """Something a scenario needs could not be made on one side (the side refused it)."""

    def __init__(self, side: str, what: str, answer: Answer | None = None) -> None:
        detail = f": {answer.brief(300)}" if answer is not None else ""
        super().__init__(f"{what} on the {side}{detail}")
        self.side = side


class Side:
    """One deployment: its client, its session cookie, and what it sends on every request."""

    def __init__(self, name: str, base_url: str, *, timeout: float = 30.0,
                 jwt_secret: str = "supersecret") -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.jwt_secret = jwt_secret
        # an idle connection is dropped before a server's keep-alive timer (Node's and the
        # mock's: 5 s) closes it, so a request never races that close ("Server disconnected
        # without sending a response" when one side waited on the other for a while)
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout,
                                 limits=httpx.Limits(keepalive_expiry=2.0))
        self.cookie: str | None = None
        self.last_set_cookie: str | None = None
        self.requests = 0

    def close(self) -> None:
        self.http.close()

    def send(self, method: str, path: str, *, params: Any = None, body: Any = _NOT_SET,
             content: bytes | None = None, content_type: str = "application/json",
             headers: dict[str, str] | None = None) -> tuple[Answer, Sent]:
        """Send one request; the answer and what was sent. Raises :class:`Unreachable`."""
        headers = dict(headers or {})
        if body is not _NOT_SET:
            content = json.dumps(body, ensure_ascii=False).encode()
        if content is not None:
            headers.setdefault("Content-Type", content_type)
        request = self.http.build_request(method, path, params=params, content=content,
                                          headers=headers)
        sent = Sent(method, str(request.url), {k: v for k, v in headers.items()}, content)
        self.requests += 1
        try:
            response = self.http.send(request)
        except httpx.TransportError as exc:
            raise Unreachable(self.name, self.base_url, str(exc) or type(exc).__name__) from exc
        self.last_set_cookie = response.headers.get("set-cookie")
        return answer_of(response), sent

    def api(self, method: str, path: str, body: Any = _NOT_SET, *, what: str,
            bearer: str | None = None, ok: tuple[int, ...] = (200,),
            params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        """A request a fixture needs: its JSON, or :class:`FixtureError` naming ``what``."""
        headers = dict(headers or {})
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        answer, _ = self.send(method, path, body=body, headers=headers, params=params)
        if answer.status not in ok:
            raise FixtureError(self.name, what, answer)
        return answer.json

    def probe(self) -> str | None:
        """``None`` if the Store API answers, else why not (for the start-up check)."""
        try:
            answer, _ = self.send("GET", "/store/regions", params={"limit": 1})
        except Unreachable as exc:
            return exc.detail
        if answer.status != 200 or not isinstance(answer.json, dict):
            return (f"GET /store/regions answered {answer.status} {answer.media_type}: "
                    "not a Medusa v1 Store API")
        return None

    # claim tokens ------------------------------------------------------------------------
    def claim_token(self, customer_id: str, order_id: str, *, wait: float = 10.0) -> str:
        """The token a claim of ``order_id`` by ``customer_id`` e-mailed: read from the side's
        outbox (``/_mock/events``: the mock's, or scripts/real-medusa's), else minted with the
        side's JWT secret as Medusa signs one."""
        deadline = time.monotonic() + wait
        while True:
            try:
                answer, _ = self.send("GET", EVENTS_PATH, params={"name": CLAIM_EVENT})
            except Unreachable:
                break
            if answer.status != 200 or not isinstance(answer.json, dict):
                break
            for event in reversed(answer.json.get("events") or []):
                data = event.get("data") or {}
                if (data.get("new_customer_id") == customer_id
                        and order_id in (data.get("orders") or [])):
                    return str(data["token"])
            if time.monotonic() > deadline:
                break
            time.sleep(0.25)
        return mint_claim_token(self.jwt_secret, customer_id, [order_id])


EVENTS_PATH = "/_mock/events"
