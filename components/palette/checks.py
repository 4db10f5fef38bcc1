"""Pure decisions the providers make: edge-host eligibility, diffs, repave warnings, live-state mapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "REGISTERED_HOST_TYPES",
    "Changes",
    "host_problems",
    "pool_changes",
    "pool_from_live",
    "profile_changes",
    "repave_warnings",
]

REGISTERED_HOST_TYPES = frozenset({"appliance", "agent-mode"})


def host_problems(
    host_uid: str,
    device: Mapping[str, Any] | None,
    *,
    pool_name: str,
    architecture: str,
    own_cluster_uids: Iterable[str] = (),
) -> list[str]:
    """Why edge host `host_uid` (GET /v1/edgehosts/{uid}) cannot join pool `pool_name`; empty when it can."""
    where = f"edge host {host_uid!r} (pool {pool_name!r})"
    if device is None:
        return [f"{where} does not exist in this Palette project: register it first"]
    spec = device.get("spec") or {}
    status = device.get("status") or {}
    problems = []
    host_type = (spec.get("device") or {}).get("hostType")
    if host_type not in REGISTERED_HOST_TYPES:
        problems.append(f"{where} is not registered in appliance or agent mode (hostType={host_type!r})")
    own = set(own_cluster_uids)
    others = sorted(
        str(ref.get("name") or ref.get("uid"))
        for ref in status.get("inUseClustersRef") or []
        if ref.get("name") != pool_name and ref.get("uid") not in own
    )
    state = status.get("state")
    if others:
        problems.append(f"{where} is already in use by {', '.join(others)}")
    elif state not in ("ready", "in-use"):
        problems.append(f"{where} is not ready (state {state!r})")
    health = status.get("health") or {}
    if health.get("state") != "healthy":
        detail = f": {health['message']}" if health.get("message") else ""
        problems.append(f"{where} is not healthy (health {health.get('state')!r}{detail})")
    arch = (spec.get("device") or {}).get("archType")
    if arch != architecture:
        problems.append(f"{where} is {arch!r} but the pool's architecture is {architecture!r}")
    return problems


@dataclass(frozen=True)
class Changes:
    changed: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.changed or self.replaces)


def _changed_keys(olds: Mapping[str, Any], news: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    return [k for k in keys if olds.get(k) != news.get(k)]


def _hosts_by_uid(pool: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(h.get("uid")): h for h in pool.get("edgeHosts") or []}


def repave_warnings(old_pool: Mapping[str, Any], new_pool: Mapping[str, Any]) -> list[str]:
    """Per DOCS "When to Manually Repave": a changed VPN server IP does not reach a host until a repave."""
    name = new_pool.get("name")
    olds, news = _hosts_by_uid(old_pool), _hosts_by_uid(new_pool)
    return [
        f"pool {name!r}: edge host {uid!r} VPN server IP {olds[uid].get('vpnServerIp')!r} ->"
        f" {host.get('vpnServerIp')!r} takes effect only after Palette repaves the pool"
        for uid, host in sorted(news.items())
        if uid in olds and olds[uid].get("vpnServerIp") != host.get("vpnServerIp")
    ]


POOL_REPLACE_KEYS = ("endpoint", "projectUid", "cloudConfigUid")


def pool_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
    replaces = _changed_keys(olds, news, POOL_REPLACE_KEYS)
    old_pool, new_pool = normalise_pool(olds.get("pool") or {}), normalise_pool(news.get("pool") or {})
    if old_pool.get("name") != new_pool.get("name"):
        replaces.append("pool.name")
    changed = _changed_keys(olds, news, ("profileUid",)) + (["pool"] if old_pool != new_pool else [])
    warnings = repave_warnings(old_pool, new_pool)
    if olds.get("profileUid") != news.get("profileUid"):
        warnings.append(
            f"pool {new_pool.get('name')!r}: a new hybrid profile (Kubernetes layer) repaves every node"
            " of the pool; Palette applies it through a repave that can take up to an hour"
        )
    return Changes(changed=changed, replaces=replaces, warnings=warnings)


def profile_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
    """A profile version is immutable: a name or version change makes a new profile version."""
    replaces = _changed_keys(olds, news, ("endpoint", "projectUid"))
    old, new = olds.get("profile") or {}, news.get("profile") or {}
    for key in ("name", "version"):
        if old.get(key) != new.get(key):
            replaces.append(f"profile.{key}")
    warnings = []
    if old.get("kubernetes") != new.get("kubernetes"):
        warnings.append(
            "hybrid profile Kubernetes layer changed: Palette needs a repave of every pool using it"
            " for the change to take effect"
        )
    changed = ["profile"] if old != new else []
    return Changes(changed=changed, replaces=replaces, warnings=warnings)


def profile_content_problem(olds: Mapping[str, Any], news: Mapping[str, Any]) -> str | None:
    """Layers changed while the version stayed: Palette profile versions are immutable."""
    old, new = olds.get("profile") or {}, news.get("profile") or {}
    if not old or old.get("version") != new.get("version") or old.get("name") != new.get("name"):
        return None
    if old != new:
        return (
            f"profile {new.get('name')!r} version {new.get('version')!r} already exists with other layers:"
            " bump eks-hybrid:palette.profile.version to publish the change"
        )
    return None


def _nic(host: Mapping[str, Any]) -> str | None:
    nic = host.get("nic") or {}
    return nic.get("nicName") or None


def pool_from_live(live: Mapping[str, Any]) -> dict[str, Any]:
    """GET .../machinePools/{name} (v1HybridEdgeNativeMachinePoolConfig) -> the `pool` input's shape."""
    pool = live.get("poolConfig") or {}
    cloud = live.get("cloudConfig") or {}
    cluster = live.get("clusterConfig") or cloud.get("clusterConfig") or {}
    hosts: list[dict[str, Any]] = []
    for host in cloud.get("edgeHosts") or []:
        entry: dict[str, Any] = {"uid": host.get("hostUid")}
        for key, value in (("name", host.get("hostName")), ("vpnServerIp", host.get("vpnServerIp"))):
            if value:
                entry[key] = value
        if _nic(host):
            entry["nicName"] = _nic(host)
        hosts.append(entry)
    return {
        "name": pool.get("name"),
        "architecture": cloud.get("archType") or (pool.get("machinePoolProperties") or {}).get("archType"),
        "edgeHosts": hosts,
        "labels": dict(pool.get("additionalLabels") or {}),
        "taints": [
            {"key": t.get("key"), "value": t.get("value") or "", "effect": t.get("effect")}
            for t in pool.get("taints") or []
        ],
        "ntpServers": list(cluster.get("ntpServers") or []),
    }


def normalise_pool(pool: Mapping[str, Any]) -> dict[str, Any]:
    """Drop empty optional keys so a config dump and a live read compare equal."""
    out = {k: v for k, v in pool.items() if v not in (None, [], {})}
    out["edgeHosts"] = [{k: v for k, v in h.items() if v is not None} for h in pool.get("edgeHosts") or []]
    out.setdefault("architecture", "amd64")
    return out


def missing(items: Sequence[str], present: Iterable[str]) -> list[str]:
    have = set(present)
    return [i for i in items if i not in have]
