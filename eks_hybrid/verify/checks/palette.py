"""Palette: the imported cluster Running and Healthy with hybrid mode on and the inventory's CIDRs, the
hybrid profile's packs resolved in their registries, and each site pool present with its healthy hosts.

Shapes are the API spec's (`palette-apis-spec.json`): v1SpectroCluster, v1SpectroClusterUidSummary,
v1AwsCloudConfig, v1ClusterProfile (spec.published: v1ClusterProfileTemplate of v1PackRef), v1PackTagEntity,
v1HybridEdgeNativeMachinePoolConfig, v1SpectroClusterHybridPoolsMetadata, v1EdgeHostDevice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import findings
from ..findings import Finding
from ..intent import PaletteHubIntent, PalettePoolsIntent

__all__ = ["HubState", "PoolsState", "check_palette_hub", "check_palette_pools", "pack_key"]


def pack_key(pack: Mapping[str, Any]) -> tuple[str, str]:
    return (str(pack.get("name") or ""), str(pack.get("registryUid") or ""))


@dataclass(frozen=True)
class HubState:
    cluster: Mapping[str, Any] | None
    overview: Mapping[str, Any] | None
    cloud_config: Mapping[str, Any] | None
    profile: Mapping[str, Any] | None
    packs: Mapping[tuple[str, str], Mapping[str, Any] | None] = field(default_factory=dict)
    """(pack name, registry uid) -> GET /v1/packs/{name}/registries/{registryUid} (None: not there)."""


def _get(document: Mapping[str, Any] | None, *path: str) -> Any:
    node: Any = document or {}
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def check_palette_hub(intent: PaletteHubIntent, state: HubState) -> list[Finding]:
    uid = intent.cluster_uid
    if state.cluster is None:
        return [
            findings.fail(
                "palette",
                f"cluster {uid}",
                f"Palette has no cluster {uid} in project {intent.project_uid} (deleted, or another project)",
                "the hub stack imports it: `pulumi refresh` and `pulumi up` the hub",
            )
        ]
    out = []
    name = _get(state.cluster, "metadata", "name") or uid
    cluster_state = _get(state.cluster, "status", "state")
    health = _get(state.overview, "status", "health", "state") or "Unknown"
    check = f"cluster {name} state"
    if cluster_state == "Running" and health == "Healthy":
        out.append(findings.ok("palette", check, "Running, Healthy"))
    else:
        out.append(
            findings.fail(
                "palette",
                check,
                f"{cluster_state}/{health}, not Running/Healthy",
                "check the Palette agent on the cloud node group (`kubectl get pods -A | grep cluster-`) and"
                " that it reaches Palette; re-apply the import manifest (`pulumi up` the hub) if it is gone",
            )
        )
    enabled = _get(state.cluster, "spec", "clusterConfig", "hybridClusterConfig", "enable")
    if enabled:
        out.append(findings.ok("palette", f"cluster {name} hybrid mode", "enabled"))
    else:
        out.append(
            findings.fail(
                "palette",
                f"cluster {name} hybrid mode",
                "hybrid mode is off",
                "the hub stack enables it (`<cluster>-hybrid`): `pulumi refresh` and `pulumi up` the hub",
            )
        )
    out.append(_hybrid_config(intent, name, state.cloud_config))
    out.extend(_profile(intent, state))
    return out


def _hybrid_config(intent: PaletteHubIntent, name: str, cloud_config: Mapping[str, Any] | None) -> Finding:
    check = f"cluster {name} hybrid CIDRs"
    live = _get(cloud_config, "spec", "clusterConfig", "hybridConfig") or {}
    differences = []
    if live.get("awsVpcCidr") != intent.vpc_cidr:
        differences.append(f"VPC CIDR {live.get('awsVpcCidr')} (want {intent.vpc_cidr})")
    for key, want in (("remoteNodeCidrs", intent.node_cidrs), ("remotePodCidrs", intent.pod_cidrs)):
        have = sorted(live.get(key) or [])
        if have != sorted(want):
            differences.append(f"{key} {', '.join(have) or 'none'} (want {', '.join(sorted(want))})")
    if differences:
        return findings.fail(
            "palette",
            check,
            "Palette's hybrid configuration differs from the stack: " + "; ".join(differences),
            "`pulumi up` the hub (it PUTs the hybrid configuration); nodes pick up new CIDRs after a repave",
        )
    return findings.ok(
        "palette", check, f"VPC {intent.vpc_cidr}, {len(intent.node_cidrs)} node and pod CIDRs"
    )


def _profile(intent: PaletteHubIntent, state: HubState) -> list[Finding]:
    if intent.profile_uid is None:
        return []
    check = f"profile {intent.profile_uid}"
    if state.profile is None:
        return [
            findings.fail(
                "palette",
                check,
                "the hybrid pools' cluster profile does not exist",
                "the hub stack publishes it: `pulumi refresh` and `pulumi up` the hub",
            )
        ]
    label = f"profile {_get(state.profile, 'metadata', 'name')} {_get(state.profile, 'spec', 'version')}"
    if not _get(state.profile, "status", "isPublished"):
        return [
            findings.fail(
                "palette", label, "the profile is not published", "`pulumi up` the hub to publish it"
            )
        ]
    out = []
    for pack in _get(state.profile, "spec", "published", "packs") or []:
        out.append(_pack(label, pack, state.packs))
    return out


def _pack(
    label: str, pack: Mapping[str, Any], lookups: Mapping[tuple[str, str], Mapping[str, Any] | None]
) -> Finding:
    name, registry = pack_key(pack)
    tag = str(pack.get("tag") or "")
    check = f"{label} pack {name} {tag} ({pack.get('layer')})"
    fix = (
        "use a pack and version that exist in the registry (Palette: Profiles > Packs) in"
        " eks-hybrid:palette.profile, bump its version and `pulumi up` the hub"
    )
    if pack.get("isInvalid"):
        reason = pack.get("inValidReason") or "its tag was deleted from the registry"
        return findings.fail("palette", check, f"Palette marks the pack invalid: {reason}", fix)
    if not registry:
        return findings.fail(
            "palette",
            check,
            "the pack names no registry (registryUid): Palette cannot resolve it",
            "create the profile with each pack resolved in a registry (GET /v1/registries/metadata, then"
            " /v1/packs/{name}/registries/{uid}) and `pulumi up` the hub",
        )
    entity = lookups.get((name, registry))
    if entity is None:
        return findings.fail("palette", check, f"registry {registry} has no pack {name}", fix)
    tags = entity.get("tags") or []
    match = next((t for t in tags if tag in (t.get("tag"), t.get("version"))), None)
    if match is None:
        known = ", ".join(sorted({str(t.get("tag")) for t in tags})) or "none"
        return findings.fail(
            "palette", check, f"registry {registry} has no version {tag} of {name} (has {known})", fix
        )
    pack_uid = pack.get("packUid") or pack.get("uid")
    if pack_uid and match.get("packUid") and pack_uid != match.get("packUid"):
        return findings.fail(
            "palette",
            check,
            f"the profile pins pack uid {pack_uid}, but {name} {tag} is {match.get('packUid')}"
            f" in registry {registry}",
            fix,
        )
    return findings.ok("palette", check, f"resolved in registry {registry}")


@dataclass(frozen=True)
class PoolsState:
    pools: Mapping[str, Mapping[str, Any] | None]
    """Pool name -> GET .../edge-native/machinePools/{name} (None: not there)."""
    statuses: Sequence[Mapping[str, Any]]
    """GET /v1/spectroclusters/{uid}/hybridPools/metadata's spec.hybridPools."""
    hosts: Mapping[str, Mapping[str, Any] | None]
    """Edge host uid -> GET /v1/edgehosts/{uid} (None: not registered in the project)."""


def check_palette_pools(intent: PalettePoolsIntent, state: PoolsState) -> list[Finding]:
    out: list[Finding] = []
    statuses = {str(s.get("name")): s for s in state.statuses}
    for name, hosts in intent.pools:
        pool = state.pools.get(name)
        check = f"pool {name}"
        if pool is None:
            out.append(
                findings.fail(
                    "palette",
                    check,
                    f"site {intent.site}'s pool {name} does not exist in Palette",
                    f"site {intent.site}'s stack creates it: `pulumi refresh` and `pulumi up` the site",
                )
            )
            continue
        live_hosts = sorted(str(h.get("hostUid")) for h in _get(pool, "cloudConfig", "edgeHosts") or [])
        if live_hosts != sorted(hosts):
            out.append(
                findings.fail(
                    "palette",
                    f"{check} hosts",
                    f"the pool holds {', '.join(live_hosts) or 'no host'},"
                    f" the stack {', '.join(sorted(hosts))}",
                    f"`pulumi up` site {intent.site} (it updates the pool's hosts)",
                )
            )
        else:
            out.append(findings.ok("palette", f"{check} hosts", ", ".join(live_hosts)))
        out.append(_pool_status(check, statuses.get(name)))
        for uid in hosts:
            out.append(_host(name, uid, state.hosts.get(uid)))
    return out


def _pool_status(check: str, status: Mapping[str, Any] | None) -> Finding:
    if status is None:
        return findings.fail(
            "palette",
            f"{check} state",
            "the cluster lists no such hybrid pool",
            "see the pool's events in Palette; recreate it with `pulumi up` on the site",
        )
    state = _get(status, "status", "state") or "Unknown"
    health = _get(status, "status", "health", "state") or "Unknown"
    if state == "Running" and health == "Healthy":
        return findings.ok("palette", f"{check} state", "Running, Healthy")
    if state in ("Provisioning", "Pending"):
        return findings.warn(
            "palette",
            f"{check} state",
            f"{state}/{health}: still provisioning",
            "provisioning takes up to 15 minutes (a repave up to an hour): verify again then",
        )
    return findings.fail(
        "palette",
        f"{check} state",
        f"{state}/{health}, not Running/Healthy",
        "see the pool's cluster events and its hosts' logs in Palette",
    )


def _host(pool: str, uid: str, device: Mapping[str, Any] | None) -> Finding:
    check = f"pool {pool} host {uid}"
    if device is None:
        return findings.fail(
            "palette",
            check,
            "the edge host is not registered in this Palette project",
            "register the host (EdgeForge appliance or agent mode) in the project, or remove it from"
            " the pool",
        )
    health = _get(device, "status", "health", "state")
    state = _get(device, "status", "state")
    if health != "healthy":
        message = _get(device, "status", "health", "message")
        return findings.fail(
            "palette",
            check,
            f"health is {health}" + (f": {message}" if message else ""),
            "check the host's Palette agent (stylus) and its network path to Palette",
        )
    if state != "in-use":
        return findings.fail(
            "palette",
            check,
            f"the host is {state}, not in use by its pool",
            "see the pool's events in Palette; `pulumi up` the site to place it again",
        )
    return findings.ok("palette", check, "healthy, in use")
