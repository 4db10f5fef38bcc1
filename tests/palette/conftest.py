"""Fixtures: the Palette emulator in-process (ASGI) and over real HTTP, and providers pointed at it."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from eks_hybrid.components.palette import PaletteClient, RetryPolicy
from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette.providers import PaletteProvider
from palette_emulator import EmulatorState, LiveServer, SyncASGITransport, create_app
from palette_emulator.timing import Timing, VirtualClock

API_KEY = "test-key-0123456789-do-not-leak"
PROJECT = "6491d4a94c39ad82d3cc30ae"
OTHER_PROJECT = "aaaaaaaaaaaaaaaaaaaaaaaa"
# A hybrid profile the Palette tests publish: the emulator's packs, any provider image.
PROFILE = {
    "name": "eks-hybrid-nodes",
    "version": "1.0.0",
    "os": {"providerImage": "r/x:1"},
    "kubernetes": {"version": "1.31.0"},
}
FAST_RETRY = RetryPolicy(initial=0.0, maximum=0.01, max_attempts=6, jitter=lambda ceiling: 0.0)
# Palette's timing with minutes as seconds: a pool up in 15 s, a repave in a minute (of the virtual clock).
FAST_TIMING = Timing().scaled(60)
# The Terraform provider's floor between polls: what a poll with no interval moves the virtual clock by.
POLL_FLOOR = 10.0


@pytest.fixture
def clock() -> VirtualClock:
    """The time of the emulator and of the providers' waits: it moves only when a wait sleeps."""
    return VirtualClock(min_step=POLL_FLOOR)


@pytest.fixture
def app(clock: VirtualClock) -> Iterator[Starlette]:
    """A fresh emulator accepting only API_KEY, with Palette's timing shortened (`FAST_TIMING`) on the
    virtual clock. Every answer it gives is checked against the spec's response definition for its
    operation; a test fails if any broke the contract."""
    emulator = create_app(api_key=API_KEY, timing=FAST_TIMING, clock=clock.now)
    yield emulator
    violations = emulator.state.emulator.contract_violations
    assert violations == [], "the emulator answered outside the Palette spec:\n" + "\n".join(violations)
    flagged = emulator.state.emulator.flagged
    assert flagged == [], "the emulator accepted what Palette's sources say is wrong:\n" + "\n".join(flagged)


@pytest.fixture
def state(app: Starlette) -> EmulatorState:
    emulator: EmulatorState = app.state.emulator
    return emulator


class CurrentEmulator:
    """The ASGI app behind the session's one live server: it hands each request to the emulator of the
    test that is running, and counts the requests still being answered."""

    def __init__(self) -> None:
        self.app: Starlette | None = None
        self._in_flight = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app
        assert app is not None, f"a request reached the live emulator between tests: {scope.get('path')}"
        with self._lock:
            self._in_flight += 1
        try:
            await app(scope, receive, send)
        finally:
            with self._lock:
                self._in_flight -= 1

    def settle(self, timeout: float = 10.0) -> None:
        """Wait for answers still under way (a late one the client gave up on) to take effect."""
        deadline = time.monotonic() + timeout
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self._in_flight, f"{self._in_flight} request(s) still being answered after {timeout:.0f}s"


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[tuple[LiveServer, CurrentEmulator]]:
    """One uvicorn server per test session (and xdist worker), on a port of its own: starting and stopping
    one for each test cost a fifth of a second of its shutdown polling every time."""
    current = CurrentEmulator()
    with LiveServer(current) as server:
        yield server, current


@pytest.fixture
def live(app: Starlette, emulator_server: tuple[LiveServer, CurrentEmulator]) -> Iterator[LiveServer]:
    """`app` over real HTTP at `live.url` for this test."""
    server, current = emulator_server
    current.app = app
    try:
        yield server
    finally:
        current.settle()
        current.app = None


def make_client(url: str, transport: httpx.BaseTransport | None = None, **kwargs: Any) -> PaletteClient:
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("sleep", lambda _s: None)
    return PaletteClient(url, API_KEY, PROJECT, transport=transport, **kwargs)


@pytest.fixture
def asgi_client(app: Starlette) -> Iterator[PaletteClient]:
    with make_client("http://palette.test", SyncASGITransport(app)) as client:
        yield client


@pytest.fixture
def live_client(live: LiveServer) -> Iterator[PaletteClient]:
    with make_client(live.url) as client:
        yield client


ProviderFactory = Callable[[type[PaletteProvider]], PaletteProvider]


@pytest.fixture
def reports() -> list[str]:
    """What providers built by `provider` told the user (their `pulumi.log.info` lines)."""
    return []


@pytest.fixture
def provider(live: LiveServer, reports: list[str], clock: VirtualClock) -> ProviderFactory:
    """A provider configured as the engine would: `eks-hybrid:palette` JSON with the key in it."""

    def build(cls: type[PaletteProvider]) -> PaletteProvider:
        instance = cls()
        raw = {
            "eks-hybrid:palette": json.dumps({"endpoint": live.url, "projectUid": PROJECT, "apiKey": API_KEY})
        }
        instance.configure(ConfigureRequest(Config(raw, "eks-hybrid")))
        instance.client_options = {"retry": FAST_RETRY, "sleep": lambda _s: None}
        instance.poll_sleep = clock.sleep
        instance.clock = clock.now
        instance.report = reports.append
        return instance

    return build


def with_key(
    provider: ProviderFactory, cls: type[PaletteProvider], live: LiveServer, key: str
) -> PaletteProvider:
    """A provider of `cls` configured with `key` (a wrong or planted one)."""
    instance = provider(cls)
    raw = {"eks-hybrid:palette": json.dumps({"endpoint": live.url, "projectUid": PROJECT, "apiKey": key})}
    instance.configure(ConfigureRequest(Config(raw, "eks-hybrid")))
    instance.client_options = {"retry": FAST_RETRY, "sleep": lambda _s: None}
    return instance


def where(live: LiveServer, poll_seconds: float = 0) -> dict[str, Any]:
    """The endpoint and project every Palette resource of a test takes, and its poll interval."""
    return {"endpoint": live.url, "projectUid": PROJECT, "pollSeconds": poll_seconds}


def hybrid_cluster(
    provider: ProviderFactory,
    live: LiveServer,
    cluster: str = "edge-prod",
    *,
    node_cidrs: list[str] | None = None,
    pod_cidrs: list[str] | None = None,
    poll_seconds: float = 0,
) -> tuple[str, str]:
    """An imported, healthy cluster in hybrid mode with an SSM hybrid config: (cluster uid, cloud config)."""
    at = where(live, poll_seconds)
    imported = provider(p.ClusterImportProvider).create({**at, "clusterName": cluster})
    assert imported.outs is not None
    provider(p.ClusterReadinessProvider).create({**at, "clusterUid": imported.id})
    cloud = str(imported.outs["cloudConfigUid"])
    provider(p.HybridSettingsProvider).create(
        {
            **at,
            "clusterUid": imported.id,
            "cloudConfigUid": cloud,
            "vpcCidr": "10.100.0.0/16",
            "nodeCidrs": node_cidrs or ["10.200.0.0/16"],
            "podCidrs": pod_cidrs or ["192.168.0.0/16"],
            "identity": {"provider": "ssm", "activationId": "id", "activationCode": "code"},
        }
    )
    return imported.id, cloud


def hybrid_hub(
    provider: ProviderFactory, live: LiveServer, profile: dict[str, Any], cluster: str = "edge-prod"
) -> dict[str, str]:
    """An imported, healthy, hybrid-enabled cluster and a published profile: their uids."""
    uid, cloud = hybrid_cluster(provider, live, cluster)
    created = provider(p.ProfileProvider).create({**where(live), "profile": profile})
    assert created.outs is not None
    return {"cluster": uid, "cloud": cloud, "profile": created.outs["profileUid"]}


def slow(state: EmulatorState, **seconds: float) -> None:
    """Give some of Palette's background work other durations (`timing.Timing` names), from now on."""
    state.timing = dataclasses.replace(state.timing, **seconds)


def register_hosts(
    state: EmulatorState, *uids: str, arch: str = "amd64", host_state: str = "ready", **kwargs: Any
) -> None:
    for uid in uids:
        state.register_edge_host(uid, project=PROJECT, arch=arch, state=host_state, **kwargs)
