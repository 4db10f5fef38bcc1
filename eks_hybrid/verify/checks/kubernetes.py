"""Hybrid nodes as Kubernetes sees them: Ready, carrying their site's label, running a Cilium agent, and
drawing pod CIDRs only from their own site's pod CIDR (the failure that silently misroutes pod traffic:
the VPC and the TGW send that CIDR to another site).

Inputs are API documents: core/v1 Node and Pod (Kubernetes OpenAPI) and cilium.io/v2 CiliumNode. Where a
CiliumNode holds its allocations depends on the IPAM mode the hub deployed (its `ciliumIpamMode` output;
Cilium CRD `ciliumnodes.yaml`): multi-pool in `spec.ipam.pools.allocated[]` (`pool`, `cidrs`), each of
which must be the node's own site's pool (`eks-hybrid-<site>`, `components.cni.pools`); cluster-pool in
`spec.ipam.podCIDRs`, any block of the one pool over every site's pod CIDR, which the config allows with
several sites only when every site is on BGP (each node's block advertised from its own site).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from eks_hybrid.components.config.hub import SiteInventoryEntry

from .. import findings
from ..findings import Finding
from ..intent import HYBRID_NODE_LABEL, HYBRID_NODE_VALUE, SITE_LABEL, KubernetesIntent

__all__ = ["ClusterState", "check_kubernetes", "node_allocations"]


@dataclass(frozen=True)
class ClusterState:
    nodes: Sequence[Mapping[str, Any]]
    cilium_pods: Sequence[Mapping[str, Any]]
    cilium_nodes: Sequence[Mapping[str, Any]]


def _labels(obj: Mapping[str, Any]) -> Mapping[str, str]:
    return (obj.get("metadata") or {}).get("labels") or {}


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _internal_ips(node: Mapping[str, Any]) -> list[IPv4Address]:
    ips = []
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            try:
                ips.append(IPv4Address(str(address.get("address"))))
            except ValueError:
                continue
    return ips


def _site_by_ip(node: Mapping[str, Any], sites: Mapping[str, SiteInventoryEntry]) -> str | None:
    for ip in _internal_ips(node):
        for site, entry in sorted(sites.items()):
            if ip in IPv4Network(entry.node_cidr):
                return site
    return None


def _site_by_pod_cidr(cidr: IPv4Network, sites: Mapping[str, SiteInventoryEntry]) -> str | None:
    return next((s for s, e in sorted(sites.items()) if cidr.subnet_of(IPv4Network(e.pod_cidr))), None)


IPAM_FIELDS = {"multiPool": "spec.ipam.pools.allocated", "clusterPool": "spec.ipam.podCIDRs"}


def node_allocations(cilium_node: Mapping[str, Any], ipam: str) -> list[tuple[str | None, str]]:
    """(pool, CIDR) of every block Cilium allocated the node in `ipam` mode; cluster-pool names no pool."""
    spec = (cilium_node.get("spec") or {}).get("ipam") or {}
    if ipam == "clusterPool":
        return [(None, str(cidr)) for cidr in spec.get("podCIDRs") or []]
    return [
        (str(allocation.get("pool") or ""), str(cidr))
        for allocation in (spec.get("pools") or {}).get("allocated") or []
        for cidr in allocation.get("cidrs") or []
    ]


def _ready(node: Mapping[str, Any]) -> tuple[bool, str]:
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            ok = condition.get("status") == "True"
            return ok, str(condition.get("message") or condition.get("reason") or condition.get("status"))
    return False, "no Ready condition"


def _agent_running(pod: Mapping[str, Any]) -> tuple[bool, str]:
    status = pod.get("status") or {}
    phase = status.get("phase")
    not_ready = [str(c.get("name")) for c in status.get("containerStatuses") or [] if not c.get("ready")]
    if phase == "Running" and not not_ready and status.get("containerStatuses"):
        return True, f"{_name(pod)} Running"
    detail = f"{_name(pod)} is {phase}"
    return False, f"{detail}, containers not ready: {', '.join(not_ready)}" if not_ready else detail


def check_kubernetes(intent: KubernetesIntent, state: ClusterState) -> list[Finding]:
    hybrid = [n for n in state.nodes if _labels(n).get(HYBRID_NODE_LABEL) == HYBRID_NODE_VALUE]
    agents: dict[str, list[Mapping[str, Any]]] = {}
    for pod in state.cilium_pods:
        agents.setdefault(str((pod.get("spec") or {}).get("nodeName") or ""), []).append(pod)
    cilium_nodes = {_name(c): c for c in state.cilium_nodes}

    out: list[Finding] = []
    ready_here = 0
    for node in sorted(hybrid, key=_name):
        label = _labels(node).get(SITE_LABEL)
        by_ip = _site_by_ip(node, intent.sites)
        site = label if label in intent.sites else by_ip
        if intent.only_site is not None and intent.only_site not in (label, by_ip):
            continue
        name = _name(node)
        ready, why = _ready(node)
        ready_here += ready
        if ready:
            out.append(findings.ok("kubernetes", f"node {name} Ready", "Ready"))
        else:
            out.append(
                findings.fail(
                    "kubernetes",
                    f"node {name} Ready",
                    f"not Ready: {why}",
                    "on the host: `journalctl -u kubelet` and `nodeadm debug`; check the node can reach"
                    " the API server (routes, security group, the tunnels) and that its Cilium agent runs",
                )
            )
        out.append(_site_label(name, label, by_ip, intent))
        out.append(_agent(name, agents.get(name, [])))
        out.append(_pod_cidrs(name, site, cilium_nodes.get(name), intent))

    if intent.expected_nodes is not None and intent.only_site is not None:
        check = f"site {intent.only_site} nodes"
        detail = f"{ready_here} Ready hybrid node(s) for {intent.expected_nodes} edge host(s) in its pools"
        if ready_here < intent.expected_nodes:
            out.append(
                findings.fail(
                    "kubernetes",
                    check,
                    detail,
                    "see the site's pools in Palette (hosts still provisioning or failed), then each host's"
                    " nodeadm and kubelet logs",
                )
            )
        else:
            out.append(findings.ok("kubernetes", check, detail))
    elif not hybrid:
        out.append(
            findings.warn(
                "kubernetes",
                f"cluster {intent.cluster_name} hybrid nodes",
                "no hybrid node has joined the cluster",
                "create the sites' Palette node pools (`pulumi up` each site) and wait for them to provision",
            )
        )
    return out


def _site_label(name: str, label: str | None, by_ip: str | None, intent: KubernetesIntent) -> Finding:
    check = f"node {name} site label"
    if label is None:
        where = f" (its address is in {by_ip}'s node CIDR)" if by_ip else ""
        return findings.fail(
            "kubernetes",
            check,
            f"no {SITE_LABEL} label{where}",
            f"every node of a site's Palette pools must carry {SITE_LABEL}=<site>: `pulumi up` the site"
            " so its pools label their nodes (Cilium's per-site pod pool selects nodes by it)",
        )
    if label not in intent.sites:
        return findings.fail(
            "kubernetes",
            check,
            f"{SITE_LABEL}={label} names no site of the hub's inventory",
            "fix the label on the pool that owns this node (its site stack) and `pulumi up` that site",
        )
    if by_ip is not None and by_ip != label:
        return findings.fail(
            "kubernetes",
            check,
            f"{SITE_LABEL}={label}, but the node's address is in {by_ip}'s node CIDR",
            "the host is in the wrong site's pool: move it to the pool of the site whose network it is on",
        )
    return findings.ok("kubernetes", check, f"{SITE_LABEL}={label}")


def _agent(name: str, pods: Sequence[Mapping[str, Any]]) -> Finding:
    check = f"node {name} Cilium agent"
    if not pods:
        return findings.fail(
            "kubernetes",
            check,
            "no Cilium agent pod runs on the node",
            "check the cilium DaemonSet (`kubectl -n kube-system get ds cilium`): its affinity must admit"
            " eks.amazonaws.com/compute-type=hybrid, and its image must be pullable from the site",
        )
    results = [_agent_running(pod) for pod in pods]
    running = [detail for ok, detail in results if ok]
    if running:
        return findings.ok("kubernetes", check, running[0])
    return findings.fail(
        "kubernetes",
        check,
        "; ".join(detail for _, detail in results),
        f"`kubectl -n kube-system logs {_name(pods[0])}`: an agent that cannot reach the API server points at"
        " the routes or the security group (TCP 443 from the node CIDR)",
    )


def _pod_cidrs(
    name: str, site: str | None, cilium_node: Mapping[str, Any] | None, intent: KubernetesIntent
) -> Finding:
    check = f"node {name} pod CIDRs"
    if cilium_node is None:
        return findings.fail(
            "kubernetes",
            check,
            "no CiliumNode for this node: Cilium has not allocated it pod addresses",
            "check the node's Cilium agent and the cilium-operator logs",
        )
    allocations = node_allocations(cilium_node, intent.ipam)
    if not allocations:
        other = "clusterPool" if intent.ipam == "multiPool" else "multiPool"
        stray = [cidr for _, cidr in node_allocations(cilium_node, other)]
        if stray:
            return findings.fail(
                "kubernetes",
                check,
                f"allocated {', '.join(stray)} in {IPAM_FIELDS[other]} ({other} IPAM), but the hub runs"
                f" Cilium with {intent.ipam} IPAM: the node was allocated before the mode changed",
                "`pulumi up` the hub so Cilium's values match eks-hybrid:cilium.ipam, then drain the node and"
                " delete its CiliumNode so it is allocated again",
            )
        return findings.fail(
            "kubernetes",
            check,
            f"the CiliumNode has no pod CIDR allocated ({IPAM_FIELDS[intent.ipam]} is empty)",
            "check the cilium-operator logs: its pool may be exhausted or no pool selects this node",
        )
    cidrs = ", ".join(cidr for _, cidr in allocations)
    if site is None:
        return findings.fail(
            "kubernetes",
            check,
            f"the node belongs to no site (no {SITE_LABEL} label, address in no site's node CIDR):"
            f" cannot tell whether {cidrs} is right",
            "label the node with its site (`pulumi up` its site stack)",
        )
    own = IPv4Network(intent.sites[site].pod_cidr)
    if intent.ipam == "multiPool":
        return _multi_pool(check, site, own, allocations, intent)
    return _cluster_pool(check, site, own, [cidr for _, cidr in allocations], intent)


def _outside(cidr: str, own: IPv4Network, sites: Mapping[str, SiteInventoryEntry]) -> str | None:
    """None when `cidr` lies in `own`; else how to name where it lies."""
    try:
        network = IPv4Network(cidr)
    except ValueError:
        return f"{cidr} (not an IPv4 CIDR)"
    if network.subnet_of(own):
        return None
    owner = _site_by_pod_cidr(network, sites)
    return f"{cidr} ({owner}'s pod CIDR)" if owner else f"{cidr} (in no site's pod CIDR)"


_MISROUTED = (
    "the VPC and the transit gateway route those addresses to another site, so pod traffic to this node is"
    " lost"
)
_REALLOCATE = "then drain the node and delete its CiliumNode so it is allocated again"


def _multi_pool(
    check: str,
    site: str,
    own: IPv4Network,
    allocations: Sequence[tuple[str | None, str]],
    intent: KubernetesIntent,
) -> Finding:
    pool = intent.pools.get(site, "")
    foreign = sorted({str(p) for p, _ in allocations if p != pool})
    outside = [where for _, cidr in allocations if (where := _outside(cidr, own, intent.sites))]
    if foreign or outside:
        parts = []
        if foreign:
            parts.append(f"drew from pool {', '.join(foreign)}, not {site}'s pool {pool}")
        if outside:
            parts.append(f"allocated {', '.join(outside)}, outside {site}'s pod CIDR {own}: {_MISROUTED}")
        return findings.fail(
            "kubernetes",
            check,
            "; ".join(parts),
            f"{site}'s CiliumNodeConfig makes {pool} the default pool of the nodes labelled"
            f" {SITE_LABEL}={site}: check the node's label and that the pool and its node config exist"
            f" (`pulumi up` the hub); {_REALLOCATE}",
        )
    cidrs = ", ".join(cidr for _, cidr in allocations)
    return findings.ok("kubernetes", check, f"{cidrs} from pool {pool}, inside {site}'s pod CIDR {own}")


def _cluster_pool(
    check: str, site: str, own: IPv4Network, cidrs: Sequence[str], intent: KubernetesIntent
) -> Finding:
    outside = [where for cidr in cidrs if (where := _outside(cidr, own, intent.sites))]
    if not outside:
        return findings.ok("kubernetes", check, f"{', '.join(cidrs)} inside {site}'s pod CIDR {own}")
    if len(intent.sites) > 1 and all("'s pod CIDR)" in where for where in outside):
        # Cluster-pool over several sites is planned only with every site on BGP: the node's site
        # advertises its block, which wins over the other site's pod CIDR by longest prefix.
        return findings.ok(
            "kubernetes",
            check,
            f"{', '.join(outside)}: cluster-pool IPAM over BGP, the block is advertised from {site}",
        )
    return findings.fail(
        "kubernetes",
        check,
        f"allocated {', '.join(outside)}, outside {site}'s pod CIDR {own}: {_MISROUTED}",
        "with statically routed sites, give each site its own Cilium pod pool (multi-pool IPAM,"
        f" eks-hybrid:cilium.ipam: multiPool, one CiliumPodIPPool per site selected by {SITE_LABEL});"
        f" {_REALLOCATE}",
    )
