"""A slow answer must not outlast the Palette client's deadline, over real HTTP against the emulator.

httpx times each read on its own, so a server dripping its answer a byte at a time (the emulator's `drip`
fault) held a request with a 3 s deadline for as long as it kept sending: the deadline was checked only
between attempts. The client must give up within a small margin of the deadline, say that the deadline
passed, still take a normal (or a slow but timely) answer, and never start an attempt past the deadline.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from eks_hybrid.components.errors import PaletteTransportError
from eks_hybrid.components.palette import _deadline
from eks_hybrid.components.palette._client import PROJECTS_PATH
from palette_emulator import FaultRule, Faults, LiveServer
from tests.palette.conftest import PROJECT, make_client

from .conftest import record

SUITE = "faults (slow answers)"
DEADLINE = 3.0
MARGIN = 0.5  # a behaviour bound (one drip period), not a benchmark


def faults(app: Starlette) -> Faults:
    injected: Faults = app.state.faults
    return injected


class Recording(httpx.HTTPTransport):
    """Notes when each attempt is sent (time.monotonic)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[float] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(time.monotonic())
        return super().handle_request(request)


def test_a_dripped_answer_fails_at_the_deadline(live: LiveServer, app: Starlette) -> None:
    faults(app).add(FaultRule("drip", path=PROJECTS_PATH, seconds=0.5, times=10))
    started = time.monotonic()
    with (
        make_client(live.url, deadline_seconds=DEADLINE) as client,
        pytest.raises(PaletteTransportError) as failure,
    ):
        client.get(f"/v1/spectroclusters/{PROJECT}")
    elapsed = time.monotonic() - started
    record(SUITE, dripped=1)
    assert elapsed < DEADLINE + MARGIN, f"a dripped answer held the client {elapsed:.1f}s"
    assert f"deadline of {DEADLINE:g}s passed" in str(failure.value)
    assert PROJECTS_PATH in str(failure.value)


def test_a_normal_or_slow_but_timely_answer_succeeds(live: LiveServer, app: Starlette) -> None:
    transport = Recording()
    with make_client(live.url, transport, deadline_seconds=DEADLINE) as client:
        normal = client.request("GET", PROJECTS_PATH, tenant=True)
        faults(app).add(FaultRule("drip", path=PROJECTS_PATH, seconds=0.002, times=1))
        dripped = client.request("GET", PROJECTS_PATH, tenant=True)
    assert len(transport.sent) == 2  # each answer taken at the first attempt
    assert faults(app).fired == [f"drip GET {PROJECTS_PATH}"]
    assert dripped == normal
    assert PROJECT in {item["metadata"]["uid"] for item in normal["items"]}
    record(SUITE, timely=2)


def test_retries_never_start_past_the_deadline(live: LiveServer, app: Starlette) -> None:
    """Each answer held 1.5 s against a 1 s timeout: attempts at about 0, 1 and 2 s; the last gets only
    what is left of the deadline, and the failure names the deadline rather than the last read's timeout."""
    deadline = 2.5
    faults(app).add(FaultRule("delay", path="/v1/spectroclusters", seconds=1.5, times=10))
    transport = Recording()
    with make_client(live.url, transport, deadline_seconds=deadline, timeout_seconds=1.0) as client:
        client.check_project()
        transport.sent.clear()
        started = time.monotonic()
        with pytest.raises(PaletteTransportError) as failure:
            client.get(f"/v1/spectroclusters/{PROJECT}")
        elapsed = time.monotonic() - started
    record(SUITE, attempts=len(transport.sent))
    assert len(transport.sent) >= 2
    assert all(sent - started < deadline for sent in transport.sent), transport.sent
    assert elapsed < deadline + MARGIN
    assert f"deadline of {deadline:g}s passed" in str(failure.value)


@pytest.fixture
def header_drip() -> Iterator[str]:
    """A server that answers every connection with a status line and headers a byte every 0.25 s, never
    ending them (the emulator cannot: its ASGI server sends headers whole). Its URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 100_000:
                    if stop.wait(0.25):
                        break
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_dripped_headers_fail_at_the_deadline(header_drip: str) -> None:
    """httpcore reads headers until they are complete (up to 100 KiB of them): without a bound on the
    exchange, a byte every 0.25 s held the client for about seven hours."""
    started = time.monotonic()
    with (
        make_client(header_drip, deadline_seconds=DEADLINE, timeout_seconds=1.0) as client,
        pytest.raises(PaletteTransportError) as failure,
    ):
        client.request("GET", PROJECTS_PATH, tenant=True)
    elapsed = time.monotonic() - started
    record(SUITE, **{"dripped headers": 1})
    assert elapsed < DEADLINE + MARGIN, f"dripped headers held the client {elapsed:.1f}s"
    assert f"deadline of {DEADLINE:g}s passed" in str(failure.value)


def test_every_pool_of_the_client_is_bounded() -> None:
    """The backend sits under httpx's own pool (a private attribute of httpx and httpcore: this fails
    first if either renames it) and under the proxy pools httpx builds from the environment."""
    with make_client("http://palette.test") as client:
        transport = client._http._transport
        assert isinstance(transport, httpx.HTTPTransport)
        assert isinstance(transport._pool._network_backend, _deadline.DeadlineBackend)


def test_bounded_by_nests_and_restores() -> None:
    with _deadline.bounded_by(5.0):
        with _deadline.bounded_by(1.0):
            inner = _deadline._left(None, TimeoutError)
        outer = _deadline._left(30.0, TimeoutError)
    assert inner is not None and 0.9 < inner <= 1.0
    assert outer is not None and 4.9 < outer <= 5.0
    assert _deadline._left(30.0, TimeoutError) == 30.0
    with _deadline.bounded_by(0.0), pytest.raises(TimeoutError):
        _deadline._left(None, TimeoutError)
