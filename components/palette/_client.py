"""`PaletteClient`: a small typed client over httpx with retries, a deadline and paging."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import tenacity

from ..errors import PaletteStatusError, PaletteTransportError
from ._credentials import PaletteCredentials
from ._errors import error_from_response, is_retryable, transport_errors

__all__ = ["PaletteClient", "RetryPolicy"]

log = logging.getLogger(__name__)
USER_AGENT = "eks-hybrid-palette/0.1"


class RetryPolicy:
    """Exponential backoff with full jitter, `Retry-After` honoured, all inside an overall deadline."""

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
        """Seconds to wait before attempt `attempt + 1` (attempt counts from 1)."""
        if retry_after is not None:
            return min(retry_after, self.maximum)
        return self.jitter(min(self.maximum, self.initial * 2 ** (attempt - 1)))


class PaletteClient:
    """Talks to one Palette project. The API key travels in the `ApiKey` header only.

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
        self.base_url = base_url.rstrip("/")
        self.project_uid = project_uid
        self.deadline_seconds = deadline_seconds
        self.timeout_seconds = timeout_seconds
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        headers = {"ApiKey": api_key, "Accept": "application/json", "User-Agent": USER_AGENT}
        if project_uid:
            headers["ProjectUid"] = project_uid
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, transport=transport, timeout=timeout_seconds
        )

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
    ) -> Any:
        """Send with retries until success, a non-retryable error, the attempt cap or the deadline.

        Returns the decoded JSON body (None for 204), or the text when `raw`.
        """
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
            return self._send(method, path, json, params, raw, min(self.timeout_seconds, remaining))

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_retryable),
            wait=wait,
            stop=stop,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(once)
        except (PaletteStatusError, PaletteTransportError) as exc:
            if is_retryable(exc) and self._clock() >= deadline - self.retry.maximum:
                log.info("palette %s %s: gave up after %d attempts", method, path, attempts)
            raise

    def _send(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        raw: bool,
        timeout: float,
    ) -> Any:
        with transport_errors(method, path):
            response = self._http.request(method, path, json=json, params=params, timeout=timeout)
            response.read()
        if response.status_code >= 400:
            raise error_from_response(response, method, path)
        if raw:
            return response.text
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise PaletteTransportError("response was not JSON", method=method, path=path) from exc

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
