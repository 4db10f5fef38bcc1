"""`SyncASGITransport`: drive the emulator in-process from a synchronous httpx client (fast tests)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import ASGIApp

from .faults import DroppedConnection

__all__ = ["SyncASGITransport"]


class SyncASGITransport(httpx.BaseTransport):
    """httpx's ASGITransport is async-only; this runs each request to completion on a private loop.

    A dropped connection (fault injection) surfaces as `httpx.RemoteProtocolError`, as it does over HTTP.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()

        async def run() -> httpx.Response:
            inner = httpx.Request(request.method, request.url, headers=request.headers, content=content)
            response = await self._inner.handle_async_request(inner)
            body = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=body, request=request
            )

        try:
            return asyncio.run(run())
        except DroppedConnection as exc:
            raise httpx.RemoteProtocolError("server closed the connection", request=request) from exc
