"""One deadline over every socket read and write of an exchange, headers included.

httpx times each read on its own (HTTPX docs, "Timeouts": "the read timeout specifies the maximum duration
to wait for a chunk of data to be received"), and the client reads an answer's body as a stream with its
clock checked between chunks. The status line and headers are read inside httpcore before any of that, a
read at a time until they are complete (httpcore's `_sync/http11.py`: `MAX_INCOMPLETE_EVENT_SIZE = 100 *
1024` bytes of them), so a server sending its headers a byte every half second held the exchange for 14
hours. httpcore takes its network layer as a `NetworkBackend`
(httpcore docs, "Network Backends"); this one wraps the default and gives every connect, TLS handshake,
read and write at most the time left before the deadline of the exchange running on this thread.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

__all__ = ["bound_client", "bounded_by"]

_LOCAL = threading.local()


@contextlib.contextmanager
def bounded_by(seconds: float) -> Iterator[None]:
    """Every socket operation of this thread, inside the block, ends within `seconds` of now."""
    previous = getattr(_LOCAL, "deadline", None)
    _LOCAL.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _LOCAL.deadline = previous


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    deadline: float | None = getattr(_LOCAL, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the exchange's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """`inner` (httpcore's default sync backend), each operation bounded by the thread's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_client(client: httpx.Client) -> int:
    """Put `DeadlineBackend` under each of `client`'s own connection pools (its transport and the proxy
    mounts httpx built from the environment); returns how many. A transport handed in (tests' ASGI app)
    has no pool and is left alone.

    httpx exposes no backend option, so this sets httpcore's `ConnectionPool._network_backend` on
    `HTTPTransport._pool`; tests/palette/test_deadline.py fails if either name changes.
    """
    bound = 0
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None) if isinstance(transport, httpx.HTTPTransport) else None
        if isinstance(pool, httpcore.ConnectionPool):
            pool._network_backend = DeadlineBackend(pool._network_backend)
            bound += 1
    return bound
