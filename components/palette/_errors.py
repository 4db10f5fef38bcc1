"""Where httpx failures and Palette error responses become `eks_hybrid.components.errors` classes."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ..codes import Code
from ..errors import (
    PaletteAuthError,
    PaletteConflictError,
    PaletteForbiddenError,
    PaletteNotFoundError,
    PaletteRateLimitedError,
    PaletteStatusError,
    PaletteTransportError,
    PaletteValidationError,
)
from ._redact import redact

__all__ = [
    "CREATE_RETRYABLE_STATUSES",
    "RETRYABLE_STATUSES",
    "error_from_response",
    "is_retryable",
    "is_retryable_create",
    "parse_retry_after",
    "transport_error",
]

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

_BY_STATUS: dict[int, type[PaletteStatusError]] = {
    400: PaletteValidationError,
    401: PaletteAuthError,
    403: PaletteForbiddenError,
    404: PaletteNotFoundError,
    409: PaletteConflictError,
    429: PaletteRateLimitedError,
}
_CONFLICT_CODES = frozenset({"DuplicateResource", "ResourceAlreadyExists", "Conflict"})


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    import time

    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


_AUTH_HINTS = {
    401: "Palette rejected the API key (check eks-hybrid:palette.apiKey or PALETTE_API_KEY)",
    403: "the API key's user lacks permission for this in the project",
}


def error_from_response(response: httpx.Response, method: str, path: str) -> PaletteStatusError:
    """A Palette error body `{code, message, ref}` (or a bare status) as the most specific class, with
    any registered secret redacted (Palette echoes keys in some auth errors)."""
    body = _body(response)
    status = response.status_code
    code = redact(str(body.get("code") or response.reason_phrase or f"HTTP{status}"))
    message = redact(str(body.get("message") or response.reason_phrase or ""))
    if status in _AUTH_HINTS:
        message = f"{_AUTH_HINTS[status]}: {message}" if message else _AUTH_HINTS[status]
    if status == 429:
        code = code if body.get("code") else "TooManyRequests"
    cls = _BY_STATUS.get(status, PaletteStatusError)
    if status == 400 and code in _CONFLICT_CODES:
        cls = PaletteConflictError
    error = cls(status, code, message, ref=redact(str(body.get("ref") or "")), method=method, path=path)
    error.retry_after = parse_retry_after(response.headers.get("Retry-After"))  # type: ignore[attr-defined]
    return error


class RetryableTransportError(PaletteTransportError):
    """A connection that failed, timed out or was reset: safe to send a read or an update again. A create
    may have taken effect (`UnsentTransportError` says it did not)."""

    code = Code.PALETTE_TRANSPORT


class UnsentTransportError(RetryableTransportError):
    """The connection was never made (httpx `ConnectError`, `ConnectTimeout`): nothing reached Palette, so
    even a create is safe to send again."""

    code = Code.PALETTE_TRANSPORT


# A create is sent again only when Palette surely did not act on it: a 429 (refused before handling, Spectro's
# API docs, "Rate Limits") or a 503 [I: that Palette answers 503 only when it did nothing is inferred].
CREATE_RETRYABLE_STATUSES = frozenset({429, 503})


def transport_error(exc: httpx.HTTPError, method: str, path: str) -> PaletteTransportError:
    """The PaletteTransportError for an httpx failure. Raise it `from scrubbed_cause(exc)`, outside the
    `except` block, so neither its cause nor its context holds httpx's request (and the `ApiKey` header)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return UnsentTransportError(f"timed out ({type(exc).__name__})", method=method, path=path)
    if isinstance(exc, httpx.ConnectError):
        return UnsentTransportError(f"connection failed ({type(exc).__name__})", method=method, path=path)
    if isinstance(exc, httpx.TimeoutException):
        return RetryableTransportError(f"timed out ({type(exc).__name__})", method=method, path=path)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return RetryableTransportError(f"connection failed ({type(exc).__name__})", method=method, path=path)
    return PaletteTransportError(f"HTTP error ({type(exc).__name__})", method=method, path=path)


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, RetryableTransportError):
        return True
    return isinstance(exc, PaletteStatusError) and exc.status in RETRYABLE_STATUSES


def is_retryable_create(exc: BaseException) -> bool:
    """For a create whose repeat could make a second object (no source says Palette refuses a second
    cluster import of one name): only failures Palette surely did not act on."""
    if isinstance(exc, UnsentTransportError):
        return True
    return isinstance(exc, PaletteStatusError) and exc.status in CREATE_RETRYABLE_STATUSES
