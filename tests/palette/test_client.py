"""PaletteClient: retries, Retry-After, deadline, paging, error mapping, the key never leaking, and auth or
scope failures told apart from absence."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator

import httpx
import pytest

from eks_hybrid.components.errors import (
    PaletteAuthError,
    PaletteForbiddenError,
    PaletteNotFoundError,
    PaletteRateLimitedError,
    PaletteScopeError,
    PaletteStatusError,
    PaletteTransportError,
    PaletteValidationError,
)
from eks_hybrid.components.palette import PaletteApi, PaletteClient, RetryPolicy, resolve_credentials
from eks_hybrid.components.palette._client import CHECKED_KEYS
from eks_hybrid.components.palette._credentials import PaletteCredentialsError
from eks_hybrid.components.palette._errors import is_retryable_create, transport_error
from palette_emulator import EmulatorState, FaultRule, Faults, LiveServer, SyncASGITransport

from .conftest import API_KEY, OTHER_PROJECT, PROJECT, make_client, register_hosts

PROJECTS = {"items": [{"metadata": {"name": "Default", "uid": PROJECT}}]}


def _faults(app: object) -> Faults:
    return app.state.faults  # type: ignore[attr-defined, no-any-return]


def palette(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    """A mock Palette that answers the key check itself and hands every other request to `handler`."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/dashboard/projects/metadata":
            return httpx.Response(200, json=PROJECTS)
        return handler(request)

    return httpx.MockTransport(answer)


def test_sends_api_key_and_project_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=PROJECTS if "projects" in request.url.path else {"ok": True})

    with make_client("http://x.test", httpx.MockTransport(handler)) as client:
        assert client.get("/v1/thing") == {"ok": True}
        assert client.get("/v1/thing") == {"ok": True}
    check, first, second = seen
    # The key check is tenant scoped (no ProjectUid), as the SDK's `Validate`; it runs once per client.
    assert check.url.path == "/v1/dashboard/projects/metadata" and "ProjectUid" not in check.headers
    assert first.headers["ApiKey"] == API_KEY and first.headers["ProjectUid"] == PROJECT
    assert second.url.path == "/v1/thing"


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
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
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
    assert info.value.palette_code == "TooManyRequests" and "injected" in info.value.message
    assert info.value.code == "palette-rate-limited"


def test_a_retry_that_gives_up_says_how_many_attempts_over_how_long(app: object) -> None:
    now = [0.0]
    _faults(app).add(FaultRule("status", path="/v1/edgehosts", status=503, times=100))
    retry = RetryPolicy(initial=2.0, maximum=2.0, max_attempts=4, jitter=lambda c: c)
    client = make_client(
        "http://palette.test",
        SyncASGITransport(app),  # type: ignore[arg-type]
        retry=retry,
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
    )
    with client, pytest.raises(PaletteStatusError) as info:
        client.get("/v1/edgehosts/a")
    assert "gave up after 4 attempts over 6.0s" in str(info.value)


def test_deadline_bounds_the_retries(app: object) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    _faults(app).add(FaultRule("status", path="/v1/edgehosts", status=503, times=100))
    retry = RetryPolicy(initial=4.0, maximum=4.0, max_attempts=100, jitter=lambda c: c)
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    with (
        make_client(
            "http://palette.test",
            transport,
            retry=retry,
            sleep=sleep,
            clock=lambda: now[0],
            deadline_seconds=10,
        ) as client,
        pytest.raises(PaletteStatusError) as info,
    ):
        client.get("/v1/edgehosts/a")
    assert now[0] <= 10 and len(_faults(app).fired) == 3
    assert "gave up after 3 attempts" in str(info.value)


def test_error_mapping(asgi_client: PaletteClient) -> None:
    with pytest.raises(PaletteNotFoundError) as info:
        asgi_client.get("/v1/spectroclusters/nope")
    assert info.value.palette_code == "ResourceNotFound" and info.value.ref.startswith("ref-")
    assert info.value.code == "palette-not-found"
    with pytest.raises(PaletteValidationError) as bad:
        asgi_client.post("/v1/spectroclusters/aws/import", {"metadata": {"name": "x"}, "bogus": 1})
    assert "bogus" in bad.value.message and bad.value.status == 400


def test_transport_errors_are_mapped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = make_client("http://x.test", palette(handler))
    with client, pytest.raises(PaletteTransportError) as info:
        client.get("/v1/a")
    assert isinstance(info.value.__cause__, httpx.ConnectError) and info.value.path == "/v1/a"
    assert "ApiKey" not in info.value.__cause__.request.headers


def test_dropped_connection_is_retried(app: object, live: LiveServer, state: EmulatorState) -> None:
    register_hosts(state, "edge-1")
    _faults(app).add(FaultRule("drop", path="/v1/edgehosts/", times=1))
    with make_client(live.url) as client:
        assert client.get("/v1/edgehosts/edge-1")["metadata"]["uid"] == "edge-1"
    assert _faults(app).fired == ["drop GET /v1/edgehosts/edge-1"]


def test_a_cluster_import_is_never_sent_twice_after_a_lost_answer(
    app: object, live: LiveServer, state: EmulatorState
) -> None:
    # No source says Palette refuses a second import of one name: a repeated POST could import it twice.
    _faults(app).add(FaultRule("drop", path="/v1/spectroclusters/aws/import", after_handling=True))
    with make_client(live.url) as client, pytest.raises(PaletteTransportError):
        PaletteApi(client).import_aws_cluster({"metadata": {"name": "edge-prod"}, "spec": {}})
    assert [c.name for c in state.clusters.values()] == ["edge-prod"]
    # A connection never made reached nothing: that one is sent again.
    assert is_retryable_create(transport_error(httpx.ConnectError("refused"), "POST", "/v1/x"))
    assert not is_retryable_create(transport_error(httpx.ReadTimeout("late"), "POST", "/v1/x"))


def test_paging_follows_continue(asgi_client: PaletteClient, state: EmulatorState) -> None:
    register_hosts(state, *(f"edge-{i:03d}" for i in range(117)))
    state.register_edge_host("edge-arm", project=PROJECT, arch="arm64")
    api = PaletteApi(asgi_client)
    hosts = api.search_edge_hosts({"architecture": ["amd64"]}, limit=50)
    assert len(hosts) == 117 and len({h["metadata"]["uid"] for h in hosts}) == 117


# --- the key never leaks ------------------------------------------------------------------------------------


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    """`exc` and everything reachable from it through __cause__ and __context__."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]


def texts_of(exc: BaseException) -> list[str]:
    """Every text a user, a log or a debugger would see of `exc`: str, repr, the formatted traceback, and
    any httpx request (with its headers) reachable from it."""
    out = ["".join(traceback.format_exception(exc))]
    for item in chain(exc):
        out += [str(item), repr(item), repr(getattr(item, "args", ""))]
        request = getattr(item, "_request", None)
        if request is not None:
            out += [repr(request.headers), str(dict(request.headers))]
    return out


def test_the_key_never_leaks(app: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _faults(app).add(FaultRule("status", path="/v1/spectroclusters", status=503, times=10))
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    client = make_client("http://palette.test", transport)
    texts = [repr(client), repr(PaletteApi(client)), str(vars(client).get("_http", ""))]
    for call in (lambda: client.get("/v1/spectroclusters/x"), lambda: client.get("/v1/nope")):
        try:
            call()
        except Exception as exc:
            texts += texts_of(exc)
    creds = resolve_credentials({"apiKey": API_KEY, "projectUid": PROJECT})
    texts += [repr(creds), str(creds), caplog.text]
    assert all(API_KEY not in text for text in texts)


def test_a_key_palette_echoes_in_an_error_is_redacted() -> None:
    # Palette answers an unknown key with a message quoting it (palette-sdk-go#209).
    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "code": "ResourceNotFound",
            "message": f"ApiKey {API_KEY} is not found",
            "ref": f"ref-{API_KEY}",
        }
        return httpx.Response(401, json=body)

    client = make_client("http://x.test", palette(handler))
    with client, pytest.raises(PaletteAuthError) as info:
        client.get("/v1/spectroclusters/x")
    assert all(API_KEY not in text for text in texts_of(info.value))
    assert "[REDACTED]" in info.value.message and "rejected the API key" in info.value.message


def test_httpx_exceptions_that_quote_the_key_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError(f"Illegal header value b'{API_KEY}'", request=request)

    client = make_client("http://x.test", palette(handler))
    with client, pytest.raises(PaletteTransportError) as info:
        client.get("/v1/spectroclusters/x")
    cause = info.value.__cause__
    assert isinstance(cause, httpx.RemoteProtocolError) and "[REDACTED]" in str(cause)
    assert all(API_KEY not in text for text in texts_of(info.value))
    assert API_KEY not in caplog.text  # the retry log lines quote the error


def test_log_records_are_redacted_on_our_and_httpx_loggers(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    make_client("http://x.test", palette(lambda r: httpx.Response(200, json={}))).close()  # registers the key
    for name in ("httpx", "httpcore.http11", "eks_hybrid.components.palette._client"):
        logging.getLogger(name).debug("headers %s", {"ApiKey": API_KEY})
    assert API_KEY not in caplog.text and caplog.text.count("[REDACTED]") == 3


def test_httpcore_debug_logs_over_real_http_never_show_the_key(
    live: LiveServer, state: EmulatorState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    register_hosts(state, "edge-1")
    with make_client(live.url) as client:
        client.get("/v1/edgehosts/edge-1")
        with pytest.raises(PaletteNotFoundError):
            client.get("/v1/edgehosts/missing")
    assert "httpcore" in caplog.text and API_KEY not in caplog.text


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (API_KEY + "\n", "ends with a newline"),
        (API_KEY + "\r\n", "ends with a newline"),
        (API_KEY + "\r", "ends with a newline"),
        (" " + API_KEY, "starts with whitespace"),
        (API_KEY + " ", "ends with whitespace"),
        (API_KEY[:5] + "\0" + API_KEY[5:], "NUL"),
        (API_KEY + "é", "non-ASCII"),
        (API_KEY[:5] + " " + API_KEY[5:], "whitespace or control characters"),
        (API_KEY[:5] + "\t" + API_KEY[5:], "whitespace or control characters"),
    ],
)
def test_a_malformed_key_is_refused_where_it_enters_without_quoting_it(key: str, says: str) -> None:
    for source, kwargs in (
        ("eks-hybrid:palette.apiKey", {"config": {"apiKey": key, "projectUid": PROJECT}, "env": {}}),
        ("PALETTE_API_KEY", {"config": {"projectUid": PROJECT}, "env": {"PALETTE_API_KEY": key}}),
    ):
        with pytest.raises(PaletteCredentialsError) as info:
            resolve_credentials(**kwargs)  # type: ignore[arg-type]
        assert says in str(info.value) and source in str(info.value)
        assert API_KEY[:8] not in str(info.value)
    with pytest.raises(PaletteCredentialsError) as direct:
        PaletteClient("http://x.test", key, PROJECT)
    assert says in str(direct.value) and API_KEY[:8] not in str(direct.value)


def test_credentials_resolution() -> None:
    env = {"PALETTE_API_KEY": "k", "PALETTE_ENDPOINT": "https://palette.example.com/"}
    creds = resolve_credentials({"projectUid": PROJECT}, env=env)
    assert (creds.endpoint, creds.api_key) == ("https://palette.example.com", "k")
    with pytest.raises(PaletteCredentialsError, match="PALETTE_API_KEY"):
        resolve_credentials({"projectUid": PROJECT}, env={})
    with pytest.raises(ValueError):
        PaletteClient("http://x.test", "", PROJECT)


# --- auth and scope failures are not absence ----------------------------------------------------------------


def test_a_wrong_key_is_an_auth_error_not_a_missing_object(app: object, state: EmulatorState) -> None:
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    client = PaletteClient("http://palette.test", "not-the-key", PROJECT, transport=transport)
    with client, pytest.raises(PaletteAuthError) as info:
        PaletteApi(client).get_cluster("0123")  # would be None (gone) if a 401 were read as a 404
    assert info.value.status == 401 and "rejected the API key" in str(info.value)


def test_a_key_check_answered_404_is_an_auth_error() -> None:
    # Palette may answer an unknown key with 404 ResourceNotFound (palette-sdk-go#209).
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"code": "ResourceNotFound", "message": "user not found"})

    client = make_client("http://x.test", httpx.MockTransport(answer))
    with client, pytest.raises(PaletteAuthError) as info:
        PaletteApi(client).get_profile("p")
    assert "rejected the API key" in str(info.value) and "404" in str(info.value)


def test_an_unknown_project_is_a_scope_error_naming_it(app: object) -> None:
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    client = PaletteClient("http://palette.test", API_KEY, OTHER_PROJECT, transport=transport)
    with client, pytest.raises(PaletteScopeError) as info:
        PaletteApi(client).get_cluster("0123")
    assert OTHER_PROJECT in str(info.value) and f"Default ({PROJECT})" in str(info.value)


def test_a_403_is_a_permission_error() -> None:
    client = make_client(
        "http://x.test", palette(lambda r: httpx.Response(403, json={"code": "Forbidden", "message": "no"}))
    )
    with client, pytest.raises(PaletteForbiddenError) as info:
        PaletteApi(client).get_edge_host("edge-1")
    assert "lacks permission" in str(info.value)


def test_the_project_is_checked_once_per_client(asgi_client: PaletteClient, state: EmulatorState) -> None:
    register_hosts(state, "edge-1", "edge-2")
    asgi_client.get("/v1/edgehosts/edge-1")
    asgi_client.get("/v1/edgehosts/edge-2")
    checks = [r for r in state.requests if r[1] == "/v1/dashboard/projects/metadata"]
    assert len(checks) == 1 and state.requests[0][1] == "/v1/dashboard/projects/metadata"


def test_the_key_is_checked_once_per_process(app: object, state: EmulatorState) -> None:
    # A dynamic provider builds a client per call: the pass is kept for the process, so the second and later
    # clients for the same endpoint, key and project spend no `/v1/dashboard` request.
    register_hosts(state, "edge-1")
    for _ in range(3):
        with make_client("http://palette.test", SyncASGITransport(app)) as client:  # type: ignore[arg-type]
            client.get("/v1/edgehosts/edge-1")
    checks = [r for r in state.requests if r[1] == "/v1/dashboard/projects/metadata"]
    assert len(checks) == 1
    assert API_KEY not in repr(CHECKED_KEYS) and API_KEY not in str(CHECKED_KEYS._passed)


def test_another_project_or_endpoint_is_checked_again(app: object, state: EmulatorState) -> None:
    register_hosts(state, "edge-1")
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    with make_client("http://palette.test", transport) as client:
        client.get("/v1/edgehosts/edge-1")
    with make_client("http://other.palette.test", transport) as client:
        client.get("/v1/edgehosts/edge-1")
    with (
        PaletteClient("http://palette.test", API_KEY, OTHER_PROJECT, transport=transport) as client,
        pytest.raises(PaletteScopeError),
    ):
        client.get("/v1/edgehosts/edge-1")
    checks = [r for r in state.requests if r[1] == "/v1/dashboard/projects/metadata"]
    assert len(checks) == 3


def test_a_failed_key_check_is_never_remembered(app: object, state: EmulatorState) -> None:
    register_hosts(state, "edge-1")
    _faults(app).add(FaultRule("status", path="/v1/dashboard/projects/metadata", status=500))
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    with make_client("http://palette.test", transport) as client, pytest.raises(PaletteStatusError):
        client.get("/v1/edgehosts/edge-1")
    with make_client("http://palette.test", transport) as client:
        assert client.get("/v1/edgehosts/edge-1")["metadata"]["uid"] == "edge-1"
    checks = [r for r in state.requests if r[1] == "/v1/dashboard/projects/metadata"]
    assert len(checks) == 1  # the 500 never reached the emulator's handler; the second client checked


def test_threads_starting_together_make_one_key_check(app: object, state: EmulatorState) -> None:
    register_hosts(state, "edge-1")
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def call() -> None:
        try:
            barrier.wait()
            with make_client("http://palette.test", transport) as client:
                client.get("/v1/edgehosts/edge-1")
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    checks = [r for r in state.requests if r[1] == "/v1/dashboard/projects/metadata"]
    assert len(checks) == 1


# --- Retry-After: 0 keeps the backoff ------------------------------------------------------------------


def test_retry_after_zero_does_not_turn_the_backoff_off() -> None:
    policy = RetryPolicy(initial=1.0, maximum=30.0, jitter=lambda ceiling: ceiling)
    assert [policy.backoff(attempt, 0.0) for attempt in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert policy.backoff(1, 7.0) == 7.0  # a longer Retry-After still wins
    assert policy.backoff(1, 300.0) == 30.0  # up to the policy's maximum


def test_a_rate_limit_answering_retry_after_zero_is_waited_out(app: object, live: LiveServer) -> None:
    # Over real HTTP: the bucket refills 5 tokens a second and answers `Retry-After: 0` when empty. With the
    # backoff off, all 8 attempts landed within milliseconds on the empty bucket and the request failed.
    _faults(app).rate_limit("/v1/edgehosts", burst=1, per_second=5, retry_after="0")
    retry = RetryPolicy(initial=0.1, maximum=0.4, max_attempts=8)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with make_client(live.url, retry=retry, sleep=sleep) as client:
        for _ in range(3):
            with pytest.raises(PaletteNotFoundError):
                client.get("/v1/edgehosts/missing")
    assert waits and min(waits) >= 0.05


def test_a_404_after_a_remembered_key_check_checks_the_key_again(app: object, state: EmulatorState) -> None:
    # A key revoked while the process runs may be answered 404 (palette-sdk-go#209): a client whose key
    # check came from the process's memory checks the key again before a 404 is taken for absence.
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    register_hosts(state, "edge-1")
    with make_client("http://palette.test", transport) as client:
        client.get("/v1/edgehosts/edge-1")
    state.bad_key_status = 404
    state.api_keys = frozenset()  # the key is revoked
    with make_client("http://palette.test", transport) as client, pytest.raises(PaletteAuthError):
        PaletteApi(client).get_cluster("0123")  # would be None (gone) without the second check
    checks = [r for r in state.requests if r[1] == "/v1/dashboard/projects/metadata"]
    assert len(checks) == 2


def test_a_real_404_after_a_remembered_key_check_costs_one_check_per_client(
    app: object, state: EmulatorState
) -> None:
    transport = SyncASGITransport(app)  # type: ignore[arg-type]
    register_hosts(state, "edge-1")
    with make_client("http://palette.test", transport) as client:
        client.get("/v1/edgehosts/edge-1")
    with make_client("http://palette.test", transport) as client:
        assert PaletteApi(client).get_cluster("0123") is None
        assert PaletteApi(client).get_cluster("0456") is None
    checks = [r for r in state.requests if r[1] == "/v1/dashboard/projects/metadata"]
    assert len(checks) == 2  # the first client's, and one again on the second client's first 404
