"""PaletteClient: retries, Retry-After, deadline, paging, error mapping, and the key never leaking."""

from __future__ import annotations

import logging

import httpx
import pytest

from components.errors import (
    PaletteNotFoundError,
    PaletteRateLimitedError,
    PaletteStatusError,
    PaletteTransportError,
    PaletteValidationError,
)
from components.palette import PaletteApi, PaletteClient, RetryPolicy, resolve_credentials
from components.palette._credentials import PaletteCredentialsError
from palette_emulator import EmulatorState, FaultRule, Faults, LiveServer, SyncASGITransport

from .conftest import API_KEY, PROJECT, make_client, register_hosts


def _faults(app: object) -> Faults:
    return app.state.faults  # type: ignore[attr-defined, no-any-return]


def test_sends_api_key_and_project_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    with make_client("http://x", httpx.MockTransport(handler)) as client:
        assert client.get("/v1/thing") == {"ok": True}
    assert seen[0].headers["ApiKey"] == API_KEY and seen[0].headers["ProjectUid"] == PROJECT


def test_retries_5xx_then_succeeds(app: object, asgi_client: PaletteClient, state: EmulatorState) -> None:
    register_hosts(state, "edge-1")
    _faults(app).add(FaultRule("status", path="/v1/edgehosts/", status=503, times=2))
    assert asgi_client.get("/v1/edgehosts/edge-1")["metadata"]["uid"] == "edge-1"
    assert len(_faults(app).fired) == 2


def test_plain_500_is_not_retried(app: object, asgi_client: PaletteClient) -> None:
    _faults(app).add(FaultRule("status", path="/v1/edgehosts/", status=500, times=1))
    with pytest.raises(PaletteStatusError) as info:
        asgi_client.get("/v1/edgehosts/edge-1")
    assert info.value.status == 500


def test_honours_retry_after(app: object) -> None:

    waits: list[float] = []
    _faults(app).add(FaultRule("status", path="/v1/edgehosts/", status=429, times=2, retry_after="7"))
    transport = SyncASGITransport(app)
    retry = RetryPolicy(initial=0.0, maximum=60, max_attempts=5)
    client = make_client("http://palette.test", transport, retry=retry, sleep=waits.append)
    with client, pytest.raises(PaletteNotFoundError):
        client.get("/v1/edgehosts/missing")
    assert waits == [7.0, 7.0]


def test_rate_limit_bucket_exhausts_retries(app: object, asgi_client: PaletteClient) -> None:
    _faults(app).rate_limit("/v1/edgehosts", burst=1, per_second=0, retry_after="0")
    with pytest.raises(PaletteNotFoundError):
        asgi_client.get("/v1/edgehosts/a")
    with pytest.raises(PaletteRateLimitedError) as info:
        asgi_client.get("/v1/edgehosts/a")
    assert info.value.code == "TooManyRequests" and "injected" in info.value.message


def test_deadline_bounds_the_retries(app: object) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    _faults(app).add(FaultRule("status", path="/v1/", status=503, times=100))
    retry = RetryPolicy(initial=4.0, maximum=4.0, max_attempts=100, jitter=lambda c: c)
    transport = SyncASGITransport(app)
    with (
        make_client(
            "http://palette.test",
            transport,
            retry=retry,
            sleep=sleep,
            clock=lambda: now[0],
            deadline_seconds=10,
        ) as client,
        pytest.raises(PaletteStatusError),
    ):
        client.get("/v1/edgehosts/a")
    assert now[0] <= 10 and len(_faults(app).fired) == 3


def test_error_mapping(asgi_client: PaletteClient) -> None:
    with pytest.raises(PaletteNotFoundError) as info:
        asgi_client.get("/v1/spectroclusters/nope")
    assert info.value.code == "ResourceNotFound" and info.value.ref.startswith("ref-")
    with pytest.raises(PaletteValidationError) as bad:
        asgi_client.post("/v1/spectroclusters/aws/import", {"metadata": {"name": "x"}, "bogus": 1})
    assert "bogus" in bad.value.message and bad.value.status == 400


def test_transport_errors_are_mapped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = make_client("http://x", httpx.MockTransport(handler))
    with client, pytest.raises(PaletteTransportError) as info:
        client.get("/v1/a")
    assert isinstance(info.value.__cause__, httpx.ConnectError) and info.value.path == "/v1/a"


def test_dropped_connection_is_retried(app: object, live: LiveServer, state: EmulatorState) -> None:
    register_hosts(state, "edge-1")
    _faults(app).add(FaultRule("drop", path="/v1/edgehosts/", times=1))
    with make_client(live.url) as client:
        assert client.get("/v1/edgehosts/edge-1")["metadata"]["uid"] == "edge-1"
    assert _faults(app).fired == ["drop GET /v1/edgehosts/edge-1"]


def test_paging_follows_continue(asgi_client: PaletteClient, state: EmulatorState) -> None:
    register_hosts(state, *(f"edge-{i:03d}" for i in range(117)))
    state.register_edge_host("edge-arm", project=PROJECT, arch="arm64")
    api = PaletteApi(asgi_client)
    hosts = api.search_edge_hosts({"architecture": ["amd64"]}, limit=50)
    assert len(hosts) == 117 and len({h["metadata"]["uid"] for h in hosts}) == 117


def test_the_key_never_leaks(app: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _faults(app).add(FaultRule("status", path="/v1/", status=503, times=10))
    transport = SyncASGITransport(app)
    client = make_client("http://palette.test", transport)
    texts = [repr(client), repr(PaletteApi(client)), str(vars(client).get("_http", ""))]
    for call in (lambda: client.get("/v1/spectroclusters/x"), lambda: client.get("/v1/nope")):
        try:
            call()
        except Exception as exc:
            texts += [str(exc), repr(exc), str(exc.__cause__)]
    creds = resolve_credentials({"apiKey": API_KEY, "projectUid": PROJECT})
    texts += [repr(creds), str(creds), caplog.text]
    assert all(API_KEY not in text for text in texts)


def test_credentials_resolution() -> None:
    env = {"PALETTE_API_KEY": "k", "PALETTE_ENDPOINT": "https://palette.example.com/"}
    creds = resolve_credentials({"projectUid": PROJECT}, env=env)
    assert (creds.endpoint, creds.api_key) == ("https://palette.example.com", "k")
    with pytest.raises(PaletteCredentialsError, match="PALETTE_API_KEY"):
        resolve_credentials({"projectUid": PROJECT}, env={})
    with pytest.raises(ValueError):
        PaletteClient("http://x", "", PROJECT)
