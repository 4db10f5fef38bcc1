"""Palette's documented API rate limits: per source IP address, per endpoint prefix, 429 past the burst.

Source: Spectro Cloud's API docs, "Introduction" > "Rate Limits" and "Endpoint Prefix Rate"
(spectrocloud/librarium `docs/api-content/api-docs/1-introduction.md`, https://docs.spectrocloud.com/api/introduction/):

- "Most Palette APIs have a limit of ten API requests per second for each source IP address. [...] The
  default burst queue size is set to five. You could make 50 (10 * 5) requests in seconds before the API
  returns a `429 - TooManyRequests` error."
- "API request limits are categorized by the parent resources [...] if you make five requests to
  `/v1/clusterprofiles` and five requests to `/v1/clusterprofiles/macros`, the requests are counted together".
- The table gives each prefix's requests per second, burst size and "max with burst" (their product).

What the docs leave open, and how this module reads it (all inferred, `[I]`):

- [I] A token bucket per (source address, class): it holds "max with burst" tokens and refills at the
  prefix's requests per second, so a quiet client may send 50 at once, then 10 a second.
- [I] A request's class is the longest table prefix it falls under (`:uid` and `{name}` match one path
  segment). A sub-prefix with the same figures as its parent resource counts with the parent (the docs'
  "counted together"); one with figures of its own (`/v1/spectroclusters/:uid/assets`, 10 under 50) has a
  bucket of its own. A resource the table does not list gets the default of "most Palette APIs" (10, 5).
- [I] The answer is Palette's error body with code `TooManyRequests`. The docs name no `Retry-After`
  header ("We recommend retrying the API call after a few moments"), so none is sent unless asked for.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "DEFAULT_LIMIT",
    "PALETTE_RATE_LIMITS",
    "PaletteRateLimits",
    "PrefixLimit",
    "RateLimitMiddleware",
    "limit_class",
]


@dataclass(frozen=True)
class PrefixLimit:
    per_second: float
    burst: int

    @property
    def capacity(self) -> float:
        """The docs' "Max with Burst": requests per second times the burst queue size."""
        return self.per_second * self.burst


_STANDARD = PrefixLimit(10, 5)
_HIGH = PrefixLimit(50, 5)
DEFAULT_LIMIT = _STANDARD  # "Most Palette APIs have a limit of ten API requests per second"

# The docs' "Endpoint Prefix Rate" table, row by row.
PALETTE_RATE_LIMITS: dict[str, PrefixLimit] = {
    "/v1/apiKeys": _STANDARD,
    "/v1/async": _STANDARD,
    "/v1/audits": _STANDARD,
    "/v1/auth": _STANDARD,
    "/v1/auth/authenticate": _STANDARD,
    "/v1/auth/services/edge/login": _STANDARD,
    "/v1/auth/services/login": _STANDARD,
    "/v1/auth/user/password/reset": PrefixLimit(2, 5),
    "/v1/cache": _STANDARD,
    "/v1/cloudaccounts": _STANDARD,
    "/v1/cloudconfigs": _HIGH,
    "/v1/cloudconfigs/{cloudType}/:uid/machinePools/{machinePoolName}/machines": _HIGH,
    "/v1/cloudconfigs/{cloudType}/:uid/machinePools/{machinePoolName}/machines/:machineUid": _HIGH,
    "/v1/cloudconfigs/{cloudType}/{uid}/machinePools": _HIGH,
    "/v1/clouds": _STANDARD,
    "/v1/cluster": _STANDARD,
    "/v1/clusterprofiles": _HIGH,
    "/v1/clusterprofiles/:uid/packs": _HIGH,
    "/v1/clusterprofiles/:uid/packs/{packName}/manifests": _HIGH,
    "/v1/clusterprofiles/:uid/packs/manifests": _HIGH,
    "/v1/clusterprofiles/:uid/validate/packs": _HIGH,
    "/v1/clusterprofiles/validate/packs": _HIGH,
    "/v1/crypto": _STANDARD,
    "/v1/dashboard": _STANDARD,
    "/v1/datasinks": _STANDARD,
    "/v1/edgehosts": _STANDARD,
    "/v1/edgehosts/:uid/health": _STANDARD,
    "/v1/edgehosts/:uid/spc/download": _STANDARD,
    "/v1/edgehosts/registers": _STANDARD,
    "/v1/errlogs": _STANDARD,
    "/v1/events": _STANDARD,
    "/v1/events/components": _HIGH,
    "/v1/files": _STANDARD,
    "/v1/git/webhook": _STANDARD,
    "/v1/health": _STANDARD,
    "/v1/installers": _STANDARD,
    "/v1/jobs": _STANDARD,
    "/v1/metrics": _STANDARD,
    "/v1/mgmt": _STANDARD,
    "/v1/notifications": _STANDARD,
    "/v1/oidc": _STANDARD,
    "/v1/overlords": _STANDARD,
    "/v1/packs": _STANDARD,
    "/v1/payments": _STANDARD,
    "/v1/permissions": _STANDARD,
    "/v1/plans": _STANDARD,
    "/v1/projects": _STANDARD,
    "/v1/registries": _STANDARD,
    "/v1/roles": _STANDARD,
    "/v1/services": _STANDARD,
    "/v1/spectroclusters": _HIGH,
    "/v1/spectroclusters/:uid/assets": _STANDARD,
    "/v1/spectroclusters/:uid/download": _STANDARD,
    "/v1/spectroclusters/:uid/profiles": _HIGH,
    "/v1/spectroclusters/acquire": _STANDARD,
    "/v1/spectroclusters/cost": _STANDARD,
    "/v1/spectroclusters/features/logFetcher": _STANDARD,
    "/v1/spectroclusters/usage": _STANDARD,
    "/v1/system": _STANDARD,
    "/v1/teams": _STANDARD,
    "/v1/tenants": _STANDARD,
    "/v1/userprofiles": _STANDARD,
    "/v1/users": _STANDARD,
    "/v1/workspaces": _STANDARD,
}


def _segments(prefix: str) -> list[str | None]:
    """A table prefix as path segments, None for a placeholder (`:uid`, `{name}`)."""
    return [None if s.startswith((":", "{")) else s for s in prefix.strip("/").split("/")]


_PATTERNS = sorted(
    ((_segments(prefix), prefix, limit) for prefix, limit in PALETTE_RATE_LIMITS.items()),
    key=lambda row: -len(row[0]),
)


def limit_class(path: str) -> tuple[str, PrefixLimit]:
    """The bucket a request path counts against, and its figures."""
    parts = path.strip("/").split("/")
    parent = "/" + "/".join(parts[:2])
    parent_limit = PALETTE_RATE_LIMITS.get(parent, DEFAULT_LIMIT)
    for pattern, prefix, limit in _PATTERNS:
        if len(pattern) <= len(parts) and all(
            p is None or p == s for p, s in zip(pattern, parts, strict=False)
        ):
            return (parent, parent_limit) if limit == parent_limit else (prefix, limit)
    return parent, parent_limit


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class PaletteRateLimits:
    """The limiter: `take(address, path)` is False when Palette would answer 429.

    `speed` scales every rate and leaves the capacities alone (tests: `speed=100` refills a bucket of 50 in
    5 ms at the "10 a second" rows); `retry_after` adds a `Retry-After` header to the 429 (not documented).
    """

    def __init__(
        self,
        *,
        speed: float = 1.0,
        retry_after: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.retry_after = retry_after
        self.enabled = True
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.refused = 0

    def take(self, address: str, path: str) -> bool:
        if not self.enabled or not path.startswith("/v1/"):
            return True
        prefix, limit = limit_class(path)
        now = self._clock()
        with self._lock:
            bucket = self._buckets.setdefault((address, prefix), _Bucket(limit.capacity, now))
            rate = limit.per_second * self.speed
            bucket.tokens = min(limit.capacity, bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return True
            self.refused += 1
            return False

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self.refused = 0


class RateLimitMiddleware:
    """Outermost: Palette refuses an over-limit request before looking at its key or body [I]."""

    def __init__(self, app: ASGIApp, limits: PaletteRateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("", 0)
        if self.limits.take(str(client[0]), scope["path"]):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "code": "TooManyRequests",
                "message": "too many requests: the API rate limit for this source address was exceeded",
                "ref": "ref-rate-limit",
            }
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if self.limits.retry_after is not None:
            headers.append((b"retry-after", self.limits.retry_after.encode()))
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
