"""Keep every secret the Palette client sends out of every text eks-hybrid produces: errors, their causes, and
log records. The one home of redaction for the Palette client.

Palette echoes API keys in some auth errors (the Go SDK redacts them since spectrocloud/palette-sdk-go#209,
`api/apiutil/transport/runtime.go` `redactError`), and its validation errors quote the request's field values
[I: inferred from the Palette API's `v1Error` messages, which name the offending value; no source lists which
fields are quoted]; httpx exceptions carry the request, whose headers hold the key. So: every key a client is
built with, and every secret a request carries in its body (the SSM activation code, the IAM Roles Anywhere
CA's private key), is registered here, with the whole forms an echo may take (`forms`: JSON string escaping, a
PEM's newlines as `\\n`; URL encoding; base64) and its pieces (`fragments`: an echo cut short, or a PEM's
lines between escaped newlines). Error texts pass through `redact`; an httpx exception is replaced, as the
cause of ours, by a copy whose message is redacted and whose request has no headers; and a logging filter on
our, httpx's and httpcore's loggers rewrites any record that would show a registered secret.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

__all__ = [
    "REDACTED",
    "forget",
    "forms",
    "fragments",
    "redact",
    "register",
    "register_all",
    "scrubbed_cause",
]

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


# An echo may hold part of a secret: cut short (no source says Palette quotes whole values), or a PEM's lines
# between escaped newlines. Every piece of this many base64 characters (the alphabet of a PEM's body, an
# activation code, an API key) that is part of a registered secret is redacted, with the whole stretch such
# pieces cover.
MIN_FRAGMENT = 16
_RUN = re.compile(rf"[A-Za-z0-9+/=]{{{MIN_FRAGMENT},}}")
_windows: set[str] = set()


def forms(secret: str) -> set[str]:
    """`secret` and the whole forms an echo of it may take: JSON-escaped (both `ensure_ascii` ways),
    URL-encoded (path and form encodings), base64 (standard and URL-safe, with and without padding)."""
    if not secret:
        return set()
    found = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    found |= {quote(secret, safe=""), quote_plus(secret, safe="")}
    raw = secret.encode()
    for encoded in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        found |= {encoded, encoded.rstrip("=")}
    return {form for form in found if form}


def fragments(secret: str) -> set[str]:
    """Every `MIN_FRAGMENT`-character piece of each run of base64 characters in `secret` (a PEM's lines,
    not its `-----BEGIN ...-----` armour)."""
    return {
        run[i : i + MIN_FRAGMENT] for run in _RUN.findall(secret) for i in range(len(run) - MIN_FRAGMENT + 1)
    }


def register(secret: str) -> None:
    """Redact `secret`, its `forms` and its `fragments`, from now on (idempotent; for the process's life)."""
    if secret:
        with _lock:
            _secrets.update(forms(secret))
            _windows.update(fragments(secret))
        _install_filters()


def register_all(secrets: Iterable[str]) -> None:
    for secret in secrets:
        register(secret)


def forget(secret: str) -> None:
    with _lock:
        _secrets.difference_update(forms(secret))
        _windows.difference_update(fragments(secret))


def _cover(run: str, windows: set[str]) -> str:
    """`run` with each stretch covered by pieces in `windows` replaced by one `[REDACTED]`."""
    covered = [False] * len(run)
    for i in range(len(run) - MIN_FRAGMENT + 1):
        if run[i : i + MIN_FRAGMENT] in windows:
            covered[i : i + MIN_FRAGMENT] = [True] * MIN_FRAGMENT
    if not any(covered):
        return run
    out: list[str] = []
    for i, char in enumerate(run):
        if not covered[i]:
            out.append(char)
        elif i == 0 or not covered[i - 1]:
            out.append(REDACTED)
    return "".join(out)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with every registered secret (and `extra`) replaced by `[REDACTED]`: each of its `forms`,
    longest first, then any run of base64 characters its `fragments` cover."""
    extra = [secret for secret in extra if secret]
    with _lock:
        known = {*_secrets, *(form for secret in extra for form in forms(secret))}
        windows = _windows | {piece for secret in extra for piece in fragments(secret)}
    for secret in sorted(known, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    if windows:
        text = _RUN.sub(lambda match: _cover(match.group(0), windows), text)
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
