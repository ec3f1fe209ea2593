"""The HTTP server under the app: uvicorn, with the connection limits Node's ``http`` server has.

Real Medusa is an Express app on Node's ``http`` server, which protects itself in ways uvicorn does
not by default. :func:`server_config` builds uvicorn's configuration with an HTTP protocol that
adds them (each a ``serve`` option, with Node 20's default; all observed on real Medusa 1.20.11,
see ``tests/data/node_http_limits.json``):

* **header size**: a request head whose target, header names and values add up to
  ``max_header_size`` (16 KiB) or more is answered ``431 Request Header Fields Too Large`` and
  the connection closed, before the head is buffered whole;
* **headers timeout**: a connection that has not sent a complete request head within
  ``headers_timeout`` (60 s) of opening or of the request's first byte is answered
  ``408 Request Timeout`` and closed;
* **request timeout**: a request whose body is not whole within ``request_timeout`` (300 s) of
  its first byte gets the same 408;
* **keep-alive timeout**: an idle connection between requests is closed after
  ``keep_alive_timeout`` (5 s) (uvicorn's own timer);
* **connection limit** (quirk ``connection-cap``): at ``max_connections`` open connections, a
  new one takes the place of the connection that has waited longest without a request being
  answered (an idle keep-alive connection, or one still sending its head: a slow client cannot
  starve the others); only when every connection is busy is the new one closed at once (as
  Node does past ``server.maxConnections``, which Medusa leaves unset). The log says so once
  each time the limit is reached;
* **malformed requests**: answered as Node answers them, a bare ``400 Bad Request``.

The protocol also offers the app a way to drop a connection without answering (a fault rule's
``drop``): the scope's ``extensions`` hold ``{DROP_EXTENSION: {"drop": function}}``; the function
aborts the transport and marks the request disconnected, so uvicorn sends nothing more.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import resource
from dataclasses import dataclass
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ._middleware.faults import DROP_EXTENSION

log = logging.getLogger("medusa_mock")

# Node's answers carry no body and no other header (llhttp errors and server timeouts).
_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
_HEADERS_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
_REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"

# A head is refused once its raw bytes pass this many times the limit, before it is whole: the
# exact count (target, names, values) is only known per parsed header, and a single huge value
# would otherwise be buffered whole first.
_RAW_HEAD_FACTOR = 4
# Descriptors kept free for the process itself (log files, the seed, the listening socket).
_RESERVED_FDS = 64


def default_max_connections() -> int:
    """1,000, or fewer when the process's open-file limit would not hold that many sockets."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(1, min(1000, soft - _RESERVED_FDS))


@dataclass(frozen=True)
class Limits:
    max_header_size: int = 16 * 1024
    headers_timeout: float = 60.0
    request_timeout: float = 300.0
    keep_alive_timeout: float = 5.0
    max_connections: int | None = None
    """``None``: :func:`default_max_connections`."""


class _HeadTooLarge(Exception):
    pass


class _LimitState:
    """What the protocols of one server share: the limits, and whether the warning was given."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.max_connections = limits.max_connections or default_max_connections()
        self.warned = False
        # Connections are ordered by when they last became idle (opened, or answered): a count,
        # not a clock, so that connections accepted in the same loop iteration still differ.
        self.idle_order = itertools.count()


class NodeLimitsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with Node's limits (see the module docstring)."""

    limit_state: _LimitState  # set on the subclass :func:`protocol_class` makes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._request_timer: asyncio.TimerHandle | None = None
        self._in_head = False
        self._head_size = 0
        self._raw_head = 0
        self._refused = False
        self._idle_since = 0

    # -- connections ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        state = self.limit_state
        self._idle_since = next(self.limit_state.idle_order)
        if len(self.connections) >= state.max_connections:
            idle = self._longest_idle()
            if not state.warned:
                state.warned = True
                log.warning("%d connections are open, the --max-connections limit: the "
                            "longest-idle ones are closed to make room, and new connections "
                            "are refused while every one is busy", state.max_connections)
            if idle is None:
                self._refused = True
                self.transport = transport
                transport.close()
                return
            idle._evict()
        elif state.warned and len(self.connections) < state.max_connections * 9 // 10:
            state.warned = False  # well below the limit again: warn when it is next reached
        super().connection_made(transport)
        # Node counts an idle new connection against the headers timeout (408 when it fires).
        self._arm_head_timer()

    def _busy(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _longest_idle(self) -> NodeLimitsProtocol | None:
        """The open connection that has waited longest without a request being answered."""
        idle = [c for c in self.connections
                if isinstance(c, NodeLimitsProtocol) and not c._busy()
                and not c.transport.is_closing()]
        return min(idle, key=lambda c: c._idle_since, default=None)

    def _evict(self) -> None:
        # A connection idle after an answer is closed as the keep-alive timeout would; one that
        # never finished its request head is answered as the headers timeout would.
        if self._in_head or self.cycle is None:
            self._timed_out()
        else:
            self._cancel_timers()
            self.transport.close()
        self.connections.discard(self)

    def on_response_complete(self) -> None:
        self._idle_since = next(self.limit_state.idle_order)
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        if self._refused:
            return
        super().connection_lost(exc)

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._request_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._request_timer = None

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.limit_state.limits.headers_timeout,
                                                    self._timed_out)

    def _timed_out(self) -> None:
        self._head_timer = self._request_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            self.transport.write(_REQUEST_TIMEOUT)
        if self.cycle is not None:
            self.cycle.disconnected = True
        self.transport.close()

    def _drop(self) -> None:
        """Close the connection at once, without an answer (a fault rule's ``drop``)."""
        self._cancel_timers()
        if self.cycle is not None:
            self.cycle.disconnected = True
        self.transport.abort()

    def _refuse(self, answer: bytes) -> None:
        self._cancel_timers()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()

    # -- parsing ----------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head or self.cycle is None or self.cycle.response_complete:
            self._raw_head += len(data)
            limit = self.limit_state.limits.max_header_size
            if self._raw_head > limit * _RAW_HEAD_FACTOR and not self._head_done_in(data):
                self._refuse(_HEADERS_TOO_LARGE)
                return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except _HeadTooLarge:
            self._refuse(_HEADERS_TOO_LARGE)
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, _HeadTooLarge) or isinstance(
                    exc.__cause__, _HeadTooLarge):
                self._refuse(_HEADERS_TOO_LARGE)
            else:
                self._refuse(_BAD_REQUEST)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    @staticmethod
    def _head_done_in(data: bytes) -> bool:
        return b"\r\n\r\n" in data or b"\n\n" in data

    def send_400_response(self, msg: str) -> None:
        self._refuse(_BAD_REQUEST)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope["extensions"] = {DROP_EXTENSION: {"drop": self._drop}}
        self._in_head = True
        self._head_size = 0
        self._arm_head_timer()
        if self._request_timer is None:
            self._request_timer = self.loop.call_later(
                self.limit_state.limits.request_timeout, self._timed_out)

    def _count(self, size: int) -> None:
        self._head_size += size
        if self._head_size >= self.limit_state.limits.max_header_size:
            raise _HeadTooLarge

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._count(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._raw_head = 0
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None
        super().on_message_complete()


def protocol_class(limits: Limits) -> type[NodeLimitsProtocol]:
    """A protocol class bound to ``limits`` (uvicorn instantiates it once per connection)."""
    return type("NodeLimitsProtocol", (NodeLimitsProtocol,), {"limit_state": _LimitState(limits)})


def server_config(app: Any, *, host: str, port: int, limits: Limits, log_level: str
                  ) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level=log_level,
                          access_log=log_level in ("info", "debug"), lifespan="on",
                          server_header=False, http=protocol_class(limits),
                          timeout_keep_alive=limits.keep_alive_timeout)  # type: ignore[arg-type]
