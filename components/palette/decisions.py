"""Pure decisions the providers make: edge-host eligibility, diffs, repave warnings, live-state mapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..domain.labels import SITE_LABEL
from .packs import SYSTEM_URI, ResolvedPack, system_uri_dotted

__all__ = [
    "AGENT_MODE",
    "REGISTERED_HOST_TYPES",
    "TERMINAL_BAD_STATES",
    "Changes",
    "adoption_problem",
    "attached_profile_uid",
    "condition_message",
    "host_problems",
    "leaving_hosts",
    "machines_for_hosts",
    "os_image",
    "pool_changes",
    "pool_from_live",
    "pool_members",
    "pool_owner_problem",
    "profile_changes",
    "profile_repave_warnings",
    "profile_users",
    "provider_image",
    "published_layers_problem",
    "repave_warnings",
]

# SPEC v1DeviceSpec.hostType: "Type of the edge host device", enum appliance | agent-mode, default appliance.
# A host installed from an EdgeForge provider image registers as `appliance`; one running the Palette agent
# on a user-provided OS (DOCS deployment-modes/agent-mode) as `agent-mode` [I: the enum's names; no public
# source shows the agent writing the value].
AGENT_MODE = "agent-mode"
REGISTERED_HOST_TYPES = frozenset({"appliance", AGENT_MODE})
# States a cluster or pool does not come back from on its own: a wait stops at once on them (the Terraform
# provider's StateChangeConf fails on any state outside its pending list, e.g. `waitForClusterCreation`).
TERMINAL_BAD_STATES = frozenset({"Error", "Failed", "Deleted"})


def host_problems(
    host_uid: str,
    device: Mapping[str, Any] | None,
    *,
    pool_name: str,
    architecture: str,
    own_cluster_uids: Iterable[str] = (),
    joining: bool = True,
) -> list[str]:
    """Why edge host `host_uid` (GET /v1/edgehosts/{uid}) cannot be in pool `pool_name`; empty when it can.

    Readiness, health, architecture and registration mode are checked only for a host `joining` the pool:
    a member that turned unhealthy must not block the change that removes or repaves it (the Terraform
    provider's edge-native pool update gates on no host's health: `resource_cluster_edge_native.go`, list
    the machines, delete the removed hosts', `UpdateMachinePoolEdgeNative`). Every host must exist and be
    in use by no other cluster."""
    where = f"edge host {host_uid!r} (pool {pool_name!r})"
    if device is None:
        return [f"{where} does not exist in this Palette project: register it first"]
    spec = device.get("spec") or {}
    status = device.get("status") or {}
    problems = []
    own = set(own_cluster_uids)
    others = sorted(
        str(ref.get("name") or ref.get("uid"))
        for ref in status.get("inUseClustersRef") or []
        if ref.get("name") != pool_name and ref.get("uid") not in own
    )
    if others:
        problems.append(f"{where} is already in use by {', '.join(others)}")
    if not joining:
        return problems
    # `hostType` is optional in the spec (v1DeviceSpec, default "appliance"): only a value outside the
    # spec's enum is a problem, and Agent Mode, which the hybrid profile's OS layer does not serve.
    host_type = (spec.get("device") or {}).get("hostType")
    if host_type == AGENT_MODE:
        problems.append(
            f"{where} is registered in Agent Mode (hostType {AGENT_MODE!r}), and eks-hybrid's hybrid profile"
            " supports Appliance Mode only (its BYOS layer installs the EdgeForge provider image"
            " palette.profile.os.providerImage, where Agent Mode needs the pack's Agent Mode preset): install"
            " the host from an EdgeForge installer built with K8S_DISTRIBUTION=nodeadm so it registers in"
            " Appliance Mode, then place it"
        )
    elif host_type is not None and host_type not in REGISTERED_HOST_TYPES:
        problems.append(f"{where} is not registered in appliance or agent mode (hostType={host_type!r})")
    state = status.get("state")
    if not others and state not in ("ready", "in-use"):
        problems.append(f"{where} is not ready (state {state!r})")
    health = status.get("health") or {}
    if health.get("state") != "healthy":
        detail = f": {health['message']}" if health.get("message") else ""
        problems.append(f"{where} is not healthy (health {health.get('state')!r}{detail})")
    arch = (spec.get("device") or {}).get("archType")
    if arch != architecture:
        problems.append(f"{where} is {arch!r} but the pool's architecture is {architecture!r}")
    return problems


def pool_members(live: Mapping[str, Any] | None) -> list[str]:
    """The edge host uids a live pool holds (a pool GET's `cloudConfig.edgeHosts[].hostUid`)."""
    return [str(h.get("hostUid")) for h in ((live or {}).get("cloudConfig") or {}).get("edgeHosts") or []]


def pool_owner_problem(live: Mapping[str, Any] | None, site: str | None) -> str | None:
    """Why site `site` must not take the live pool (a pool GET): another site's `eks-hybrid/site` label.

    Every site's pools live under the hub's one AWS cloud config and are addressed by name (SPEC
    `/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}`), so two sites naming a
    pool alike would share one Palette pool. eks-hybrid labels each pool with its site; a pool without the
    label was made outside eks-hybrid and is adopted as before."""
    if live is None or not site:
        return None
    pool = live.get("poolConfig") or {}
    owner = (pool.get("additionalLabels") or {}).get(SITE_LABEL)
    if not owner or owner == site:
        return None
    name = pool.get("name")
    return (
        f"hybrid pool {name!r} under this hub belongs to site {owner!r} (label {SITE_LABEL}={owner}), not to"
        f" site {site!r}: pool names are shared by every site of a hub; give this site's pool another name"
        f" (e.g. '{site}-{name}')"
    )


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


def os_image(profile: Mapping[str, Any]) -> str | None:
    """The provider image (`options["system.uri"]`) a profile's OS layer boots: its values' `system.uri`
    (dotted or nested) when given, which `packs.layer_specs` merges over `providerImage`, else
    `providerImage`."""
    os_layer = profile.get("os") or {}
    values = os_layer.get("values")
    options = system_uri_dotted(values).get("options") if isinstance(values, Mapping) else None
    if isinstance(options, Mapping) and options.get(SYSTEM_URI):
        return str(options[SYSTEM_URI])
    image = os_layer.get("providerImage", os_layer.get("provider_image"))
    return str(image) if image else None


def profile_repave_warnings(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What a new profile version does to the pools moved to it.

    Spectro's docs (eks-hybrid-nodes/create-hybrid-node-pools.md, "When to Manually Repave Hybrid Node
    Pools"): a change to the Kubernetes layer of a pool's profile does not take effect until the pool is
    repaved, and the documented way to repave Appliance Mode hosts is a profile version with a new
    `options.system.uri` ("Trigger Repave": the repave "can take up to one hour"). So a new OS image
    repaves; Kubernetes-layer values without a new image need a manual repave."""
    if old.get("kubernetes") == new.get("kubernetes") and os_image(old) == os_image(new):
        return []
    name = new.get("name")
    if os_image(old) != os_image(new):
        return [
            f"hybrid profile {name!r}: a new OS image (system.uri {os_image(new)!r}): Palette repaves every"
            " node of each pool moved to this version, which can take up to an hour per pool"
        ]
    return [
        f"hybrid profile {name!r}: the Kubernetes layer changed but the OS image (system.uri) did not: on"
        " Appliance Mode hosts this needs a manual repave of each pool moved to this version (Spectro's"
        ' docs, "When to Manually Repave Hybrid Node Pools"): publish it with a new provider image, or'
        " trigger the repave in Palette"
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
            f"pool {new_pool.get('name')!r}: moves to a new hybrid profile version: a new OS image repaves"
            " every node of the pool (up to an hour); a Kubernetes-layer change alone needs a manual repave"
            " (the hub's preview says which)"
        )
    return Changes(changed=changed, replaces=replaces, warnings=warnings)


def profile_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
    """Profile versions are immutable objects grouped by name: a new `version` is an update of this
    resource that clones a new version (the old one stays while pools use it); a new name is a new
    profile (replace). Old versions still waiting to be deleted make a change too, so each `up` retries."""
    replaces = _changed_keys(olds, news, ("endpoint", "projectUid"))
    old, new = olds.get("profile") or {}, news.get("profile") or {}
    if old.get("name") != new.get("name"):
        replaces.append("profile.name")
    warnings = profile_repave_warnings(old, new) if old and new else []
    changed = ["profile"] if old != new else []
    changed += _changed_keys(olds, news, ("keepVersions",))
    listed = set(news.get("keepVersions") or [])
    retained = {v: u for v, u in (olds.get("retainedVersions") or {}).items() if v not in listed}
    if retained:
        changed.append("retainedVersions")
        warnings.append(
            f"hybrid profile {new.get('name')!r}: old versions {', '.join(sorted(retained))} are kept while"
            " site pools use them; this update deletes those no pool uses any more"
        )
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


def provider_image(values: str) -> str | None:
    """The provider image an OS layer's values (YAML text) point at: the dotted key `options["system.uri"]`
    Palette's BYOS pack reads (`packs.SYSTEM_URI`); failing that (empty or absent), the nested
    `options.system.uri` that eks-hybrid wrote before it spelled the key as Palette does, so a version
    published then still reads as its image. None when neither is set or the values are not a mapping."""
    try:
        parsed = yaml.safe_load(values) if values.strip() else None
    except yaml.YAMLError:
        return None
    options = parsed.get("options") if isinstance(parsed, Mapping) else None
    if not isinstance(options, Mapping):
        return None
    if options.get(SYSTEM_URI):
        return str(options[SYSTEM_URI])
    nested = options.get("system")
    if isinstance(nested, Mapping) and nested.get("uri"):
        return str(nested["uri"])
    return None


def _layers(packs: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str, str, str | None]]:
    return {
        str(p.get("layer")): (
            str(p.get("name") or ""),
            str(p.get("tag") or ""),
            str(p.get("uid") or p.get("packUid") or ""),
            provider_image(str(p.get("values") or "")) if p.get("layer") == "os" else None,
        )
        for p in packs
    }


def adoption_problem(cluster: Mapping[str, Any], name: str) -> str | None:
    """Why the live cluster found by `name` (a `GET /v1/spectroclusters/{uid}`) is not an EKS cluster
    imported into Palette, which is all the hub may adopt; None when it is one.

    Its `spec.cloudType` must be `aws` (SPEC `v1SpectroClusterSpec.cloudType`; the hub's import is
    `POST /v1/spectroclusters/aws/import`) and it must be an import: `status.clusterImport.isBrownfield`,
    what the Terraform provider tests for an imported cluster (`resource_cluster_aws.go`,
    `resource_cluster_eks.go`), or, as SPEC marks that field deprecated for `spec.clusterType`, a cluster
    type other than `PureManage` (inferred: no public source maps the `Alloy*` values to imports)."""
    spec, status = cluster.get("spec") or {}, cluster.get("status") or {}
    uid = (cluster.get("metadata") or {}).get("uid", "")
    cloud = spec.get("cloudType") or "unknown"
    imported = bool((status.get("clusterImport") or {}).get("isBrownfield")) or spec.get("clusterType") in (
        "AlloyMonitor",
        "AlloyAssist",
        "AlloyExtend",
    )
    if cloud == "aws" and imported:
        return None
    found = f"a {cloud!r} cluster" + ("" if imported else " Palette did not import")
    return (
        f"Palette cluster {name!r} ({uid}) is {found}, not an imported EKS cluster: the hub adopts only its"
        " own import. Rename or delete that cluster in Palette, or give the hub's cluster another name"
    )


def attached_profile_uid(cluster: Mapping[str, Any] | None, current: str) -> str:
    """The hybrid profile version a pool's cluster runs (its `spec.clusterProfileTemplates`, SPEC
    `v1ClusterProfileTemplate`): `current` while it is attached, else the attached profile that is not an
    add-on (a profile switched in Palette's UI); `current` when the cluster shows none."""
    templates = ((cluster or {}).get("spec") or {}).get("clusterProfileTemplates") or []
    uids = [str(t.get("uid")) for t in templates if t.get("uid")]
    if not uids or current in uids:
        return current
    base = [str(t.get("uid")) for t in templates if t.get("uid") and t.get("type") != "add-on"]
    return base[0] if base else current


def published_layers_problem(
    live: Mapping[str, Any], packs: Sequence[ResolvedPack], name: str, version: str
) -> str | None:
    """Why the published profile version `live` (`GET /v1/clusterprofiles/{uid}`) is not the one eks-hybrid
    would publish from `packs`: per layer, its pack name, tag and pack uid (`spec.published.packs[]`,
    v1PackRef `name`/`tag`/`packUid`) and, for the OS layer, the provider image (`provider_image`). Profile
    versions are not re-published with other content: the Terraform provider treats them as immutable
    (`resource_cluster_profile.go`: a new version is a clone). None when they match."""
    published = ((live.get("spec") or {}).get("published") or {}).get("packs") or []
    want = _layers(
        {"layer": p.layer, "name": p.name, "tag": p.tag, "uid": p.uid, "values": p.values} for p in packs
    )
    have = {  # an image Palette does not show (no values in its answer) is not a difference
        layer: (n, t, u, want[layer][3] if i is None and layer in want else i)
        for layer, (n, t, u, i) in _layers(published).items()
    }
    if have == want:
        return None
    differ = sorted(layer for layer in set(have) | set(want) if have.get(layer) != want.get(layer))
    details = "; ".join(
        f"{layer}: Palette has {_layer_text(have.get(layer))},"
        f" the config gives {_layer_text(want.get(layer))}"
        for layer in differ
    )
    return (
        f"hybrid profile {name!r} version {version} exists with other layers: bump the version"
        f" (eks-hybrid:palette.profile.version) to publish these ({details})"
    )


def _layer_text(layer: tuple[str, str, str, str | None] | None) -> str:
    if layer is None:
        return "no pack"
    name, tag, uid, image = layer
    return f"{name}:{tag} ({uid})" + (f" image {image}" if image else "")


def profile_users(live: Mapping[str, Any]) -> list[str]:
    """The clusters a profile version is attached to, by name where Palette gives one: SPEC
    `v1ClusterProfileStatus.inUseClusters` (`v1ObjectResReference`) and the deprecated `inUseClusterUids`.
    A hybrid pool is its own cluster here: Spectro's docs (create-hybrid-node-pools.md, "Trigger Repave",
    step 4) show the pool names in the profile's **In Use Clusters** list."""
    status = live.get("status") or {}
    refs = [r for r in status.get("inUseClusters") or [] if isinstance(r, Mapping)]
    named = {str(r.get("uid")) for r in refs if r.get("uid")}
    users = [str(r.get("name") or r.get("uid")) for r in refs if r.get("name") or r.get("uid")]
    users += [str(u) for u in status.get("inUseClusterUids") or [] if u and str(u) not in named]
    return sorted(dict.fromkeys(users))


def _nic(host: Mapping[str, Any]) -> str | None:
    nic = host.get("nic") or {}
    return nic.get("nicName") or None


def pool_from_live(live: Mapping[str, Any], edge_config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The `pool` input's shape from what Palette answers: the pool GET
    (`v1HybridEdgeNativeMachinePoolConfig`: `poolConfig` and `cloudConfig`, and no `clusterConfig`) and the
    pool's own edge-native cloud config (`v1EdgeNativeCloudConfig` from
    `GET /v1/cloudconfigs/edge-native/{cloudConfig.hybridCluster.cloudConfigUid}`), whose
    `spec.clusterConfig` holds the NTP servers the pool was given [I: the create body's
    `cloudConfig.clusterConfig` is that cluster's config]."""
    pool = live.get("poolConfig") or {}
    cloud = live.get("cloudConfig") or {}
    cluster = ((edge_config or {}).get("spec") or {}).get("clusterConfig") or {}
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


def leaving_hosts(old_pool: Mapping[str, Any], new_pool: Mapping[str, Any]) -> list[str]:
    """Edge host uids in the old pool input and not in the new one, in the old order."""
    staying = {str(h.get("uid")) for h in new_pool.get("edgeHosts") or []}
    return [str(h.get("uid")) for h in old_pool.get("edgeHosts") or [] if str(h.get("uid")) not in staying]


def machines_for_hosts(
    machines: Sequence[Mapping[str, Any]], hosts: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Machine uids (`v1EdgeNativeMachine`) of the edge hosts `hosts` (pool-input entries): matched by
    `spec.edgeHostUid`, or by name as the Terraform provider matches (`metadata.name` == the host's name)
    for a machine that does not report its host."""
    by_uid = {str(h.get("uid")) for h in hosts}
    by_name = {str(h.get("name") or h.get("uid")) for h in hosts}
    found = []
    for machine in machines:
        meta, spec = machine.get("metadata") or {}, machine.get("spec") or {}
        host = spec.get("edgeHostUid")
        if (host and host in by_uid) or (not host and meta.get("name") in by_name):
            found.append(str(meta.get("uid")))
    return found


def condition_message(status: Mapping[str, Any]) -> str:
    """Palette's own words for a cluster's trouble: the messages of its conditions that are not `True`."""
    messages = [
        str(c.get("message"))
        for c in status.get("conditions") or []
        if c.get("message") and str(c.get("status")) != "True"
    ]
    return "; ".join(dict.fromkeys(messages))


def missing(items: Sequence[str], present: Iterable[str]) -> list[str]:
    have = set(present)
    return [i for i in items if i not in have]
