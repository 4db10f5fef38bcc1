"""Keep the Palette API key out of every text eks-hybrid produces: errors, their causes, and log records.

Palette echoes API keys in some auth errors (the Go SDK redacts them since spectrocloud/palette-sdk-go#209,
`api/apiutil/transport/runtime.go` `redactError`); httpx exceptions carry the request, whose headers hold
the key. So: every key a client is built with is registered here; error texts pass through `redact`; an
httpx exception is replaced, as the cause of ours, by a copy whose message is redacted and whose request
has no headers; and a logging filter on our, httpx's and httpcore's loggers rewrites any record that
would show a registered key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

import httpx

__all__ = ["REDACTED", "forget", "redact", "register", "scrubbed_cause"]

REDACTED = "[REDACTED]"
_secrets: set[str] = set()
_lock = threading.Lock()
# Loggers whose records could carry request or response details; a filter is installed on each (filters
# of a parent logger do not see records of its children, so httpcore's children are listed).
LOGGERS = (
    "eks_hybrid.components.palette",
    "eks_hybrid.components.palette._client",
    "eks_hybrid.components.palette._waits",
    "eks_hybrid.components.palette.providers",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


def register(secret: str) -> None:
    """Redact `secret` from now on (idempotent)."""
    if secret:
        with _lock:
            _secrets.add(secret)
        _install_filters()


def forget(secret: str) -> None:
    with _lock:
        _secrets.discard(secret)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with every registered secret (and `extra`) replaced by `[REDACTED]`, longest first."""
    with _lock:
        known = {*_secrets, *(s for s in extra if s)}
    for secret in sorted(known, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def scrubbed_cause(exc: BaseException) -> BaseException:
    """A stand-in for an httpx exception to chain from: the same class where it can be rebuilt (so callers
    can still tell a timeout from a refused connection), its message redacted, its request stripped of
    headers, and no further chain (httpcore's exceptions below it say nothing the message does not)."""
    message = redact(str(exc))
    if isinstance(exc, httpx.RequestError):
        try:
            request = exc.request
        except RuntimeError:
            request = None
        bare = httpx.Request(request.method, request.url) if request is not None else None
        try:
            copy: BaseException = type(exc)(message, request=bare)
        except TypeError:
            copy = RuntimeError(f"{type(exc).__name__}: {message}")
    else:
        copy = RuntimeError(f"{type(exc).__name__}: {message}")
    copy.__cause__ = None
    copy.__suppress_context__ = True
    return copy


class RedactingFilter(logging.Filter):
    """Rewrites a record whose message would show a registered secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _lock:
            if not _secrets:
                return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = RedactingFilter()


PREFIXES = ("eks_hybrid.components.palette", "httpx", "httpcore")


def _install_filters() -> None:
    """On every logger named in LOGGERS and every existing logger under PREFIXES."""
    existing = [n for n in logging.Logger.manager.loggerDict if n.startswith(PREFIXES)]
    for name in {*LOGGERS, *existing}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def redact_value(value: Any) -> Any:
    """`redact` through JSON-like data (error `details`)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value
