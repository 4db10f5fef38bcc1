"""Fault injection: 429 bursts (token bucket per path prefix), 5xx, slow responses, dropped connections,
late answers (the request takes effect at once, its answer arrives after the client gave up) and dripped
answers (the body sent one byte every `seconds`: each read a client times on its own succeeds) and echoing
errors (an error whose message quotes the request: its headers, query, raw body and each field's value)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DroppedConnection",
    "FaultMiddleware",
    "FaultRule",
    "Faults",
    "TokenBucket",
    "parse_fault",
    "parse_rate_limit",
]


class DroppedConnection(ConnectionResetError):
    """Raised after a response has started, so the server closes the connection mid-response."""


@dataclass
class TokenBucket:
    """`burst` requests at once, refilled at `per_second`; empty means 429 with `Retry-After`."""

    burst: float
    per_second: float
    retry_after: str = "1"
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if self.tokens < 0:
            self.tokens = self.burst
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class FaultRule:
    """Match `method` (or any) and a path prefix; fire `times` times."""

    kind: str  # one of KINDS
    path: str = "/v1/"
    method: str | None = None
    times: int = 1
    status: int = 503
    retry_after: str | None = None
    # drop: let the request take effect, then lose the response. delay: let it take effect at once and
    # hold the answer `seconds` (a late answer: a client that timed out retries what already happened).
    # drip: let it take effect at once and send the answer's body one byte every `seconds`.
    after_handling: bool = False
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and path.startswith(self.path) and self.method in (None, method)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FaultRule:
        return cls(
            kind=str(raw.get("kind", "status")),
            path=str(raw.get("path", "/v1/")),
            method=str(raw["method"]).upper() if raw.get("method") else None,
            times=int(raw.get("times", 1)),
            status=int(raw.get("status", 503)),
            retry_after=raw.get("retryAfter"),
            after_handling=bool(raw.get("afterHandling", False)),
            seconds=float(raw.get("seconds", 0.0)),
        )


@dataclass
class Faults:
    rules: list[FaultRule] = field(default_factory=list)
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    fired: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, rule: FaultRule) -> None:
        with self.lock:
            self.rules.append(rule)

    def rate_limit(self, prefix: str, burst: float, per_second: float, retry_after: str = "1") -> None:
        with self.lock:
            self.buckets[prefix] = TokenBucket(burst, per_second, retry_after)

    def load(self, raw: dict[str, Any]) -> None:
        """`{"rules": [FaultRule JSON...], "rateLimits": {prefix: {burst, perSecond, retryAfter}}}`."""
        for rule in raw.get("rules") or []:
            self.add(FaultRule.from_json(rule))
        for prefix, limit in (raw.get("rateLimits") or {}).items():
            self.rate_limit(
                prefix,
                float(limit["burst"]),
                float(limit.get("perSecond", 0)),
                str(limit.get("retryAfter", "1")),
            )

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()
            self.buckets.clear()

    def take(self, method: str, path: str) -> FaultRule | None:
        with self.lock:
            for prefix, bucket in sorted(self.buckets.items(), key=lambda kv: -len(kv[0])):
                if path.startswith(prefix):
                    if not bucket.take():
                        self.fired.append(f"429 {method} {path}")
                        return FaultRule("status", status=429, retry_after=bucket.retry_after)
                    break
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.times -= 1
                    self.fired.append(f"{rule.kind} {method} {path}")
                    return rule
        return None

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                "rules": [dict(vars(r)) for r in self.rules if r.times > 0],
                "buckets": {
                    p: {"burst": b.burst, "perSecond": b.per_second} for p, b in self.buckets.items()
                },
                "fired": list(self.fired),
            }


def parse_fault(text: str) -> FaultRule:
    """A `--fault` option: `kind=status,path=/v1/edgehosts,status=503,times=2` (keys of `FaultRule`'s JSON:
    kind, path, method, times, status, retryAfter, afterHandling, seconds)."""
    raw: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key not in _FAULT_KEYS:
            raise ValueError(f"--fault {text!r}: {part!r} is not one of {', '.join(_FAULT_KEYS)}=VALUE")
        raw[key] = value.lower() in ("1", "true", "yes") if key == "afterHandling" else value
    rule = FaultRule.from_json(raw)
    if rule.kind not in KINDS:
        raise ValueError(f"--fault {text!r}: kind is {', '.join(KINDS[:-1])} or {KINDS[-1]}")
    return rule


def parse_rate_limit(text: str) -> tuple[str, float, float]:
    """A `--rate-limit` option: `PREFIX=BURST:PER_SECOND`, e.g. `/v1/edgehosts=5:10`."""
    prefix, sep, numbers = text.partition("=")
    burst, colon, per_second = numbers.partition(":")
    try:
        if not (sep and colon and prefix.startswith("/")):
            raise ValueError
        return prefix, float(burst), float(per_second)
    except ValueError as exc:
        raise ValueError(f"--rate-limit {text!r}: expected PREFIX=BURST:PER_SECOND") from exc


KINDS = ("status", "drop", "delay", "drip", "echo")
_FAULT_KEYS = ("kind", "path", "method", "times", "status", "retryAfter", "afterHandling", "seconds")


def _error_body(status: int) -> bytes:
    """A Palette error body (`v1Error`), as the rest of the emulator answers."""
    code = {429: "TooManyRequests", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout"}
    body = {"code": code.get(status, "InternalError"), "message": "injected fault", "ref": "ref-fault"}
    return json.dumps(body).encode()


def _leaves(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(dotted path, text) of every string in a JSON value."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}[{i}]")]
    return []


async def _echo(status: int, scope: Scope, receive: Receive, send: Send) -> None:
    """An error that quotes the request back, as services' validation errors quote what they refuse (Spectro's
    `v1Error` messages name the offending value [I: inferred from Palette's error messages; no source says
    which fields Palette quotes]): every header, the query string as sent (URL-encoded), the body as sent
    (JSON-escaped: a PEM's newlines as `\\n`) and each string field's value, decoded."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    raw = b"".join(chunks).decode("utf-8", "replace")
    try:
        fields = _leaves(json.loads(raw)) if raw else []
    except ValueError:
        fields = []
    headers = "; ".join(f"{k.decode('latin-1')}={v.decode('latin-1')}" for k, v in scope["headers"])
    query = scope.get("query_string", b"").decode("latin-1")
    quoted = ", ".join(f"{path}={value}" for path, value in fields)
    text = (
        f"invalid request {scope['method']} {scope['path']}?{query} [{headers}] body {raw} fields: {quoted}"
    )
    body = json.dumps({"code": "InvalidRequest", "message": text, "ref": f"ref-echo {raw}"}).encode()
    headers_out = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers_out})
    await send({"type": "http.response.body", "body": body})


async def _drip(app: ASGIApp, seconds: float, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer as `app` does, its body one byte every `seconds` (headers at once: an ASGI server sends them
    whole). Stops when the client goes away (`http.disconnect`), as a server's writes would then fail."""
    held: list[Message] = []

    async def hold(message: Message) -> None:
        held.append(message)

    async def disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":  # what is left of the request, then this
            pass

    await app(scope, receive, hold)
    gone = asyncio.ensure_future(disconnect())
    try:
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        await send(next(m for m in held if m["type"] == "http.response.start"))
        for index in range(len(body)):
            await asyncio.sleep(seconds)
            if gone.done():
                return
            await send({"type": "http.response.body", "body": body[index : index + 1], "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        gone.cancel()


class FaultMiddleware:
    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__emulator"):
            await self.app(scope, receive, send)
            return
        rule = self.faults.take(scope["method"], scope["path"])
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.kind == "delay" and rule.after_handling:
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            await asyncio.sleep(rule.seconds)
            for message in held:  # to a client that may have gone: the server drops them then
                await send(message)
        elif rule.kind == "drip":
            await _drip(self.app, rule.seconds, scope, receive, send)
        elif rule.kind == "delay":
            await asyncio.sleep(rule.seconds)
            await self.app(scope, receive, send)
        elif rule.kind == "echo":
            await _echo(rule.status, scope, receive, send)
        elif rule.kind == "status":
            body = _error_body(rule.status)
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            if rule.retry_after is not None:
                headers.append((b"retry-after", rule.retry_after.encode()))
            await send({"type": "http.response.start", "status": rule.status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        else:
            if rule.after_handling:

                async def swallow(_: Message) -> None:
                    return None

                await self.app(scope, receive, swallow)
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
            )
            raise DroppedConnection("emulator dropped the connection")
