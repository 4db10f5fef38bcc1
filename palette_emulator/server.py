"""Serve an emulator over real HTTP with uvicorn, in a background thread (tests, demos, soaks)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.types import ASGIApp

__all__ = ["LiveServer", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """`with LiveServer(app) as server: server.url` - started on a free port, stopped on exit."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.app = app
        self.host = host
        # Bound here and served by uvicorn as it is: the port is this server's from the moment it is chosen,
        # so another process choosing at the same time (a parallel test worker) cannot take it in between.
        # Made as asyncio makes its own (IPPROTO_TCP named): asyncio turns Nagle's algorithm off (TCP_NODELAY)
        # only on a socket that says it is TCP, and with it on every answer waited about 40 ms.
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port or 0, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )[0]
        self._socket = socket.socket(family, kind, proto)
        self._socket.bind(address)
        self.port = int(self._socket.getsockname()[1])
        config = uvicorn.Config(app, host=host, port=self.port, log_level="critical", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="palette-emulator", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Palette emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()
