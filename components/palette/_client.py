"""`PaletteClient`: a small typed client over httpx with retries, a deadline and paging."""

from __future__ import annotations

import functools
import hashlib
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import httpx
import tenacity

from ..codes import Code
from ..domain.endpoints import palette_endpoint_problem
from ..errors import (
    PaletteAuthError,
    PaletteError,
    PaletteNotFoundError,
    PaletteScopeError,
    PaletteTransportError,
)
from . import _deadline, _redact
from ._credentials import PaletteCredentials, PaletteCredentialsError, api_key_problem
from ._errors import error_from_response, is_retryable, is_retryable_create, transport_error

__all__ = ["PaletteClient", "RetryPolicy"]

log = logging.getLogger(__name__)
USER_AGENT = "eks-hybrid-palette/0.1"


class RetryPolicy:
    """Exponential backoff with jitter, all inside an overall deadline. `Retry-After` (RFC 9110, section
    10.2.3) is a floor, never the whole wait: a server that says "retry in 0 s" while it still answers 429
    would otherwise have us retry without pause and give up in milliseconds (8 attempts in 6 ms under a
    300 s deadline, before the backoff was kept as a floor)."""

    def __init__(
        self,
        *,
        initial: float = 1.0,
        maximum: float = 30.0,
        max_attempts: int = 8,
        jitter: Callable[[float], float] | None = None,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.max_attempts = max_attempts
        self.jitter = jitter or (lambda ceiling: random.uniform(ceiling / 2, ceiling))

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1` (attempt counts from 1): our backoff, or longer when
        the server's `Retry-After` asks for more (up to `maximum`)."""
        ours = self.jitter(min(self.maximum, self.initial * 2 ** (attempt - 1)))
        if retry_after is None:
            return ours
        return max(ours, min(retry_after, self.maximum))


PROJECTS_PATH = "/v1/dashboard/projects/metadata"


class _CheckedKeys:
    """The (endpoint, key, project) triples whose key check passed in this process.

    Palette limits `/v1/dashboard` to 10 requests a second per source address (Spectro's API docs,
    docs/api-content/api-docs/1-introduction.md, "Rate Limits" and "Endpoint Prefix Rate"), and a Pulumi
    dynamic provider builds a client per resource call: checking once per client spent one dashboard request
    per call. A pass is remembered for the life of the process; a failure never is (the next client checks
    again). Entries hold a SHA-256 digest of the key, never the key. One lock per triple: concurrent first
    calls (threads of one provider process) make one check between them. A key revoked while the process
    runs is answered 401 on its next request; were Palette to answer 404 for it instead (palette-sdk-go#209),
    a read would take that 404 for absence (a refresh dropping the object from state, a delete dropping it
    without deleting it). So a client whose pass came from here checks the key again on its first 404
    (`PaletteClient.request`): one request on a path where absence is decided, never on every call.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._passed: set[tuple[str, str, str]] = set()
        self._locks: dict[tuple[str, str, str], threading.Lock] = {}

    @staticmethod
    def entry(endpoint: str, api_key: str, project_uid: str) -> tuple[str, str, str]:
        return endpoint, hashlib.sha256(api_key.encode()).hexdigest(), project_uid

    def passed(self, entry: tuple[str, str, str]) -> bool:
        with self._guard:
            return entry in self._passed

    def lock(self, entry: tuple[str, str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(entry, threading.Lock())

    def remember(self, entry: tuple[str, str, str]) -> None:
        with self._guard:
            self._passed.add(entry)

    def forget(self, entry: tuple[str, str, str]) -> None:
        with self._guard:
            self._passed.discard(entry)

    def clear(self) -> None:
        """Forget every pass (tests: each starts from a fresh process's view)."""
        with self._guard:
            self._passed.clear()
            self._locks.clear()

    def __repr__(self) -> str:
        return f"_CheckedKeys({len(self._passed)} passed)"


CHECKED_KEYS = _CheckedKeys()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: building one loads the CA bundle (about 100 ms), and a
    provider builds a client per call."""
    return httpx.create_ssl_context()


class PaletteClient:
    """Talks to one Palette project. The API key travels in the `ApiKey` header only, and is redacted from
    every error and log record (`_redact`).

    Before its first project-scoped request the client checks, once per process for its endpoint, key and
    project (`CHECKED_KEYS`), that Palette accepts the key and that the project is one the key can see
    (tenant-scoped `GET /v1/dashboard/projects/metadata`, the Palette SDK's `Validate` call). Only after
    that is a 404 read as "the object is gone"; a rejected key or an unknown project raises
    `PaletteAuthError` or `PaletteScopeError` instead.

    `transport` lets tests hand in `httpx.ASGITransport(app)`; `sleep` and `clock` let them skip waits.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        project_uid: str,
        *,
        transport: httpx.BaseTransport | None = None,
        deadline_seconds: float = 300.0,
        timeout_seconds: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not api_key:
            raise ValueError("PaletteClient needs an API key")
        problem = api_key_problem(api_key)
        if problem:
            raise PaletteCredentialsError(f"the Palette API key {problem}", code=Code.PALETTE_KEY_MALFORMED)
        _redact.register(api_key)
        where = palette_endpoint_problem(base_url)
        if where:  # the key goes only where the endpoint plainly says (`domain/endpoints.py`)
            raise PaletteCredentialsError(
                f"the Palette endpoint {base_url!r} {where}", code=Code.INVALID_PALETTE_ENDPOINT
            )
        self.base_url = base_url.rstrip("/")
        self.project_uid = project_uid
        self.deadline_seconds = deadline_seconds
        self.timeout_seconds = timeout_seconds
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._project_checked = False
        self._key_from_cache = False  # the key check was a pass remembered in CHECKED_KEYS
        self._checked_entry = CHECKED_KEYS.entry(self.base_url, api_key, project_uid)
        headers = {"ApiKey": api_key, "Accept": "application/json", "User-Agent": USER_AGENT}
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            transport=transport,
            timeout=timeout_seconds,
            verify=_tls_context(),
        )
        _deadline.bound_client(self._http)

    @classmethod
    def from_credentials(cls, credentials: PaletteCredentials, **kwargs: Any) -> PaletteClient:
        return cls(credentials.endpoint, credentials.api_key, credentials.project_uid, **kwargs)

    def __repr__(self) -> str:
        return f"PaletteClient(base_url={self.base_url!r}, project_uid={self.project_uid!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PaletteClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the one request path -------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        raw: bool = False,
        tenant: bool = False,
        repeatable: bool = True,
        secrets: Iterable[str] = (),
    ) -> Any:
        """Send with retries until success, a non-retryable error, the attempt cap or the deadline.

        Returns the decoded JSON body (None for 204), or the text when `raw`. `tenant` sends the request
        without the `ProjectUid` header (tenant scope) and skips the project check. `repeatable=False` (a
        create that a repeat could duplicate) is sent again only after failures Palette surely did not act
        on (`is_retryable_create`); the caller looks for what a lost answer may have created. `secrets` are
        the secret values `json` or `params` carry (the caller knows which inputs are secrets): each is
        registered with `_redact` before anything is sent, so no error, cause or log record shows one.
        """
        _redact.register_all(secrets)
        if not tenant:
            self.check_project()
        started = self._clock()
        deadline = started + self.deadline_seconds
        attempts = 0

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.retry.backoff(state.attempt_number, getattr(exc, "retry_after", None))

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= self.retry.max_attempts:
                return True
            return self._clock() + wait(state) >= deadline

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info("palette %s %s: retrying after %s (attempt %d)", method, path, exc, state.attempt_number)

        def once() -> Any:
            nonlocal attempts
            attempts += 1
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise PaletteTransportError(
                    f"deadline of {self.deadline_seconds:g}s passed", method=method, path=path
                )
            return self._send(method, path, json, params, raw, deadline, tenant=tenant)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_retryable if repeatable else is_retryable_create),
            wait=wait,
            stop=stop,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(once)
        except PaletteNotFoundError:
            if not tenant:
                self._recheck_cached_key()
            raise
        except PaletteError as exc:
            if attempts > 1 and (is_retryable(exc) or "deadline" in str(exc)):
                elapsed = self._clock() - started
                exc.add_context(f" (gave up after {attempts} attempts over {elapsed:.1f}s)")
                log.info(
                    "palette %s %s: gave up after %d attempts over %.1fs", method, path, attempts, elapsed
                )
            raise

    def _send(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        raw: bool,
        deadline: float,
        *,
        tenant: bool = False,
    ) -> Any:
        """One exchange, bounded by `deadline` (on `self._clock`) as a whole, not read by read.

        httpx times each phase and each read on its own (HTTPX docs, "Timeouts": "the read timeout
        specifies the maximum duration to wait for a chunk of data to be received"), so a server sending a
        byte at a time held a request for as long as it kept sending. Here every phase gets at most the
        time left before the deadline, each socket operation (the headers' reads too) ends by it
        (`_deadline.py`), and the body is read as a stream with the clock checked between chunks.
        """
        headers = {} if tenant or not self.project_uid else {"ProjectUid": self.project_uid}
        failure: httpx.HTTPError | None = None
        late = False
        response: httpx.Response | None = None
        chunks: list[bytes] = []
        streamed = False
        try:
            remaining = max(deadline - self._clock(), 0.001)
            request = self._http.build_request(
                method,
                path,
                json=json,
                params=params,
                headers=headers,
                timeout=min(self.timeout_seconds, remaining),
            )
            with _deadline.bounded_by(remaining):
                response = self._http.send(request, stream=True)
                streamed = not response.is_stream_consumed  # a transport may hand in a response already read
                try:
                    for chunk in response.iter_raw() if streamed else ():
                        chunks.append(chunk)
                        if self._clock() >= deadline:
                            late = True
                            break
                finally:
                    response.close()
        except httpx.HTTPError as exc:
            failure = exc
            late = self._clock() >= deadline
        if late:  # raised outside the handler: no __context__ holding the request
            raise PaletteTransportError(
                f"deadline of {self.deadline_seconds:g}s passed before the answer was complete"
                f" ({'cut off' if failure is None else type(failure).__name__} after"
                f" {sum(map(len, chunks))} bytes of the body)",
                method=method,
                path=path,
            ) from (None if failure is None else _redact.scrubbed_cause(failure))
        if failure is not None:
            raise transport_error(failure, method, path) from _redact.scrubbed_cause(failure)
        assert response is not None
        if streamed:  # the body as httpx decodes one it reads whole (Content-Encoding)
            response = httpx.Response(
                response.status_code,
                headers=response.headers,
                content=b"".join(chunks),
                request=response.request,
            )
        if response.status_code >= 400:
            raise error_from_response(response, method, path)
        if raw:
            return response.text
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:  # its `doc` is the whole answer, which may echo the request
            failure_cause = _redact.scrubbed_cause(exc)
        raise PaletteTransportError("response was not JSON", method=method, path=path) from failure_cause

    def check_project(self) -> None:
        """Once per process for this endpoint, key and project (`CHECKED_KEYS`): Palette accepts the key,
        and the key can see `project_uid`."""
        if self._project_checked or not self.project_uid:
            return
        if CHECKED_KEYS.passed(self._checked_entry):
            self._project_checked = True
            self._key_from_cache = True
            return
        with CHECKED_KEYS.lock(self._checked_entry):
            if CHECKED_KEYS.passed(self._checked_entry):
                self._project_checked = True
                self._key_from_cache = True
                return
            self._check_project()
            CHECKED_KEYS.remember(self._checked_entry)

    def _recheck_cached_key(self) -> None:
        """A 404 to a client whose key check came from `CHECKED_KEYS`: check the key once more before the
        404 is taken for absence (a key revoked since may be answered 404, palette-sdk-go#209). Raises the
        key check's error if the key is no longer accepted; once per client."""
        if not self._key_from_cache:
            return
        self._key_from_cache = False
        CHECKED_KEYS.forget(self._checked_entry)
        with CHECKED_KEYS.lock(self._checked_entry):
            self._check_project()
            CHECKED_KEYS.remember(self._checked_entry)

    def _check_project(self) -> None:
        try:
            listing = self.request("GET", PROJECTS_PATH, tenant=True) or {}
        except PaletteNotFoundError as exc:
            # A bad key can come back as 404 ResourceNotFound (palette-sdk-go#209): not "no projects".
            raise PaletteAuthError(
                exc.status,
                exc.palette_code,
                "Palette rejected the API key: the key check (GET /v1/dashboard/projects/metadata) answered"
                f" 404 ResourceNotFound, as Palette does for an unknown key ({exc.message})",
                ref=exc.ref,
                method=exc.method,
                path=exc.path,
            ) from None
        visible = {
            str((item.get("metadata") or {}).get("uid")): str((item.get("metadata") or {}).get("name"))
            for item in listing.get("items") or []
        }
        if self.project_uid not in visible:
            seen = ", ".join(f"{name} ({uid})" for uid, name in sorted(visible.items())) or "none"
            raise PaletteScopeError(
                f"Palette project {self.project_uid} does not exist or this API key cannot see it"
                f" (eks-hybrid:palette.projectUid / PALETTE_PROJECT_UID); projects the key sees: {seen}"
            )
        self._project_checked = True

    # --- verbs and paging -----------------------------------------------------------------------

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def get_text(self, path: str) -> str:
        return str(self.request("GET", path, raw=True))

    def post(self, path: str, body: Any = None, *, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("POST", path, json=body, params=params)

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, json=body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.request("PATCH", path, json=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def paginate(
        self, method: str, path: str, *, body: Any = None, limit: int = 50
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list or search, following `listmeta.continue` until it is empty."""
        token = ""
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {"limit": limit}
            if token:
                params["continue"] = token
            page = self.request(method, path, json=body, params=params) or {}
            yield from page.get("items") or []
            token = str((page.get("listmeta") or {}).get("continue") or "")
            if not token or token in seen:
                return
            seen.add(token)
