"""``deflect serve``: the collector on uvicorn, with the limits uvicorn lacks. The only module that knows uvicorn.

uvicorn closes idle keep-alive connections, but it puts no time limit on a client that sends its headers
or its body byte by byte (slowloris), nor a cap on open connections, and when it answers before the body
was read (413) on a connection it then closes, the unread body makes the kernel reset the connection, so
the client may see the reset instead of the answer. :class:`GuardedHttpProtocol` (uvicorn's httptools
protocol plus a little bookkeeping) adds:

* a header timeout: from the connection (or the previous response) to the end of the request's headers,
  and a cap on header bytes;
* a body timeout: from the end of the headers to the end of the body;
* a connection cap per worker process: a connection over the cap closes the slow connection that has
  waited longest — for its headers (idle or trickling), or for a body still unfinished after
  :data:`SLOW_BODY_SECONDS` (a real vote's body follows its headers at once) — so slow clients push each
  other out while requests being answered are never cut; when every connection is busy, the newcomer gets 503;
* a lingering close: when the connection must close while the client is still sending a body, the
  server finishes its answer, stops writing (FIN) and reads and discards what still comes for a few
  seconds, so the client reads the 413 instead of a reset.

A single timer per event loop sweeps the connections twice a second, so requests pay for no timers.

The configuration comes from ``DEFLECT_COLLECTOR_CONFIG`` (JSON: db, origins, rate, burst and the limits),
so every uvicorn worker process builds the same app and protocol.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
from dataclasses import asdict, dataclass, replace
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .app import create_app

CONFIG_ENV = "DEFLECT_COLLECTOR_CONFIG"
SWEEP_SECONDS = 0.5
SLOW_BODY_SECONDS = 1.0


@dataclass(frozen=True)
class Limits:
    """Slow-client limits of one worker process (seconds, connections, bytes)."""

    header_timeout: float = 10.0
    body_timeout: float = 10.0
    keep_alive: int = 5  # whole seconds: uvicorn's setting is an int
    max_connections: int = 1000
    linger: float = 5.0
    max_header_bytes: int = 32 * 1024


def _config() -> dict[str, Any]:
    return json.loads(os.environ.get(CONFIG_ENV) or "{}")


def app():
    """The uvicorn app factory (``deflect.collector.serve:app``)."""
    config = _config()
    return create_app(config.get("db") or "sqlite:///deflect-feedback.db", config.get("origins") or None,
                      rate=float(config.get("rate", 5.0)), burst=float(config.get("burst", 40.0)))


# Where a connection is: waiting for (the rest of) its headers, reading its body, being answered, or
# lingering after its answer; ``since`` is when it entered that state (loop time).
HEADERS, BODY, BUSY, LINGER = range(4)

_REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 0\r\n"
            b"connection: close\r\n\r\n")
_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n"
              b"connection: close\r\n\r\n")


class _Connections:
    """The open connections of one event loop, and the sweep that enforces the limits on them."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limits: Limits):
        self.loop, self.limits = loop, limits
        self.open: dict[GuardedHttpProtocol, None] = {}  # a dict keeps them in connection order
        self._timer: asyncio.TimerHandle | None = None

    def admit(self, conn: GuardedHttpProtocol) -> bool:
        """Register a new connection, making room under the cap; False when every connection is busy."""
        if len(self.open) >= self.limits.max_connections:
            slow_body = self.loop.time() - SLOW_BODY_SECONDS
            slow = [c for c in self.open if c.state == HEADERS or (c.state == BODY and c.since < slow_body)]
            if not slow:
                return False
            min(slow, key=lambda c: c.since).drop()
        self.open[conn] = None
        if self._timer is None:
            self._timer = self.loop.call_later(SWEEP_SECONDS, self._sweep)
        return True

    def forget(self, conn: GuardedHttpProtocol) -> None:
        self.open.pop(conn, None)

    def _sweep(self) -> None:
        self._timer = None
        now, limits = self.loop.time(), self.limits
        for conn in list(self.open):
            age = now - conn.since
            if conn.state == HEADERS and age > limits.header_timeout:
                conn.drop(_TIMEOUT if conn.header_bytes else b"")
            elif conn.state == BODY and age > limits.body_timeout:
                conn.drop()
            elif conn.state == LINGER and age > limits.linger:
                conn.drop()
        if self.open:
            self._timer = self.loop.call_later(SWEEP_SECONDS, self._sweep)


_registries: dict[asyncio.AbstractEventLoop, _Connections] = {}


class _LingeringTransport:
    """The transport uvicorn writes to: ``close()`` while the request body is still arriving lingers
    (see :meth:`GuardedHttpProtocol.linger`) instead of closing at once."""

    def __init__(self, transport: asyncio.Transport, protocol: GuardedHttpProtocol):
        self._transport, self._protocol = transport, protocol
        self.write = transport.write

    def close(self) -> None:
        if not self._protocol.linger():
            self._transport.close()

    def is_closing(self) -> bool:
        return self._protocol.state == LINGER or self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header/body timeouts, a connection cap and lingering close."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.state, self.since, self.header_bytes = HEADERS, 0.0, 0
        self._raw: asyncio.Transport | None = None
        registry = _registries.get(self.loop)
        if registry is None:
            registry = _registries[self.loop] = _Connections(self.loop, Limits(**_config().get("limits", {})))
        self._registry = registry

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._raw = transport
        self.state, self.since = HEADERS, self.loop.time()
        if not self._registry.admit(self):
            self.state = LINGER  # read nothing
            transport.write(_REFUSED)
            transport.close()
            return
        super().connection_made(_LingeringTransport(transport, self))  # type: ignore[arg-type]

    def connection_lost(self, exc: Exception | None) -> None:
        self._registry.forget(self)
        if self.transport is not None:
            super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.state == LINGER:
            return  # the rest of a body nobody will read
        if self.state == HEADERS:
            self.header_bytes += len(data)
        super().data_received(data)
        # Checked after parsing: a packet holding the headers and the start of the body is fine.
        if self.state == HEADERS and self.header_bytes > self._registry.limits.max_header_bytes:
            self.drop(_TOO_LARGE)

    def eof_received(self) -> None:
        if self.state == LINGER and self._raw is not None:
            self._raw.close()  # the client has sent everything and read our answer
        return None

    def on_headers_complete(self) -> None:
        self.state, self.since, self.header_bytes = BODY, self.loop.time(), 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self.state != BODY:
            return
        if self.cycle is not None and self.cycle.response_complete:  # answered early (413): wait for the next
            self.state, self.since = HEADERS, self.loop.time()
        else:
            self.state = BUSY

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Answered before the body was read (413 on a kept-alive connection): uvicorn discards the rest of
        # the body as it arrives, still under the body timeout.
        if self.state == BUSY:
            self.state, self.since = HEADERS, self.loop.time()

    def linger(self) -> bool:
        """Half-close instead of closing while the request body is still arriving; False to close now."""
        raw = self._raw
        if raw is None or self.state != BODY or raw.is_closing() or not raw.can_write_eof():
            return False
        self.state, self.since = LINGER, self.loop.time()
        raw.write_eof()  # our answer is complete: FIN after it; keep reading (and discarding) the body
        raw.resume_reading()
        return True

    def drop(self, answer: bytes = b"") -> None:
        """Close the connection now (after ``answer``, written straight to the socket)."""
        raw = self._raw
        if raw is None or raw.is_closing():
            return
        if answer and (self.cycle is None or self.cycle.response_complete):
            raw.write(answer)
        self.state = LINGER  # nothing more is read or parsed
        self._registry.forget(self)
        raw.close()


def raise_open_files_limit(wanted: int) -> int:
    """Raise this process's soft limit on open files towards ``wanted`` (up to the hard limit); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    return soft


def run(config: dict[str, Any], limits: Limits, *, host: str, port: int, workers: int,
        forwarded_allow_ips: list[str]) -> None:
    """Serve the collector until interrupted. ``forwarded_allow_ips``: proxies (IPs or networks) whose
    ``X-Forwarded-For`` is believed; the client is then the right-most address no trusted proxy added."""
    import uvicorn

    # Every connection needs a file descriptor, plus the database files, the listening socket and some slack:
    # past the open-file limit the server could not even accept the connection that would evict an idle one.
    spare = 64
    allowed = raise_open_files_limit(limits.max_connections + spare) - spare
    if allowed < limits.max_connections:
        print(f"deflect serve: the open-file limit allows {allowed} connections per worker, not "
              f"{limits.max_connections} (raise it with ulimit -n)", file=sys.stderr)
        limits = replace(limits, max_connections=max(16, allowed))
    os.environ[CONFIG_ENV] = json.dumps({**config, "limits": asdict(limits)})
    uvicorn.run("deflect.collector.serve:app", factory=True, host=host, port=port, workers=workers,
                http="deflect.collector.serve:GuardedHttpProtocol", timeout_keep_alive=limits.keep_alive,
                proxy_headers=bool(forwarded_allow_ips), forwarded_allow_ips=",".join(forwarded_allow_ips) or "",
                log_level="warning", access_log=False, server_header=False)
