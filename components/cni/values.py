"""Cilium for hybrid nodes, and Palette's hybrid-config: pure functions, no Pulumi.

`cilium_values` is the one place Cilium's Helm values come from. They follow AWS's hybrid nodes docs
(`hybrid-nodes-cni.adoc`) and AWS's own CI values (aws/eks-hybrid `test/e2e/cni/testdata/cilium/
cilium-values.yaml`): agent (and, with cluster-pool, the operator) only on hybrid nodes, no
Envoy, operator tolerations limited so a node can be drained.

Two IPAM modes:

- `clusterPool` (AWS's supported "cluster scope" IPAM): one pool over the remote pod networks. The operator
  hands a node a block of *any* CIDR in the list, so with several sites a dallas node can get a block of
  chicago's pod CIDR while the VPC routes that CIDR to chicago. Correct for a single site, or when every
  site is on BGP end to end (node blocks advertised to the site router and on to the transit gateway).
- `multiPool` (Cilium's answer for multi-datacenter clusters, "Per-Node Default Pool" in Cilium's
  multi-pool IPAM docs): one `CiliumPodIPPool` per site over its pod CIDR and one `CiliumNodeConfig` per
  site that makes it the default pool of the nodes labelled `eks-hybrid/site=<site>` (see `pools.py`).
  Multi-pool is beta in the 1.17 and 1.18 lines and outside AWS's Cilium support scope; the datapath values
  it needs are pinned per routing mode in `MULTI_POOL_DATAPATH`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..codes import Code
from ..domain.cilium_operator import OperatorPlacement as OperatorPlacement
from ..domain.cilium_operator import bgp_objects_in_sites as bgp_objects_in_sites
from ..domain.cilium_operator import operator_placement as operator_placement
from ..domain.cilium_operator import operator_placement_problem as operator_placement_problem
from ..domain.cilium_upgrade import new_hub_routing_mode, routing_mode_reason
from ..domain.defaults import CiliumRoutingMode
from ..domain.labels import CLOUD_CAPACITY_LABEL, CLOUD_CAPACITY_VALUE
from ..errors import RuleError

CHART = "cilium"
NAMESPACE = "kube-system"
COMPUTE_TYPE_LABEL = "eks.amazonaws.com/compute-type"
HYBRID_CONFIG_NAME = "hybrid-config"

Ipam = Literal["multiPool", "clusterPool"]
RoutingMode = CiliumRoutingMode

# Datapath values multi-pool IPAM needs, per routing mode (Cilium docs, "Multi-Pool (Beta)", Limitations).
# Which mode a hub runs is `domain.cilium_upgrade`'s decision: the line's (1.17 routes natively only,
# "Multi-Pool IPAM may only be used in direct routing mode"; a new 1.18 hub tunnels, cilium/cilium#38483
# and #39513), pinned at install so that a chart bump never switches a running cluster.
# - native: routes between the nodes of a site's L2 segment (autoDirectNodeRoutes), and nodes on other
#   segments (other sites) skipped rather than failed (directRoutingSkipUnreachable).
# - tunnel: the VXLAN encapsulation AWS supports for hybrid nodes.
MULTI_POOL_DATAPATH: Mapping[RoutingMode, Mapping[str, Any]] = {
    "native": {"routingMode": "native", "autoDirectNodeRoutes": True, "directRoutingSkipUnreachable": True},
    "tunnel": {"routingMode": "tunnel", "tunnelProtocol": "vxlan"},
}
# Both lines: multi-pool "does not support local node routes ... and requires per-endpoint routes" (the
# chart refuses multi-pool without them since cilium/cilium#38176). Masquerading stays off: iptables
# masquerading masquerades only a node's first pool block in multi-pool mode (cilium/cilium#42878) unless
# egressMasqueradeInterfaces names each host's NICs, and eBPF masquerading needs kube-proxy replacement.
# Pods keep their addresses end to end, which is what routing each site's pod CIDR to it is for; AWS: "If
# you disable masquerading ... you must configure your Amazon EKS cluster with your remote pod networks
# and you must advertise your pod addresses with your on-premises network".
MULTI_POOL_COMMON: Mapping[str, Any] = {"endpointRoutes": {"enabled": True}, "enableIPv4Masquerade": False}


def pod_traffic_source(ipam: Ipam) -> Literal["node", "pod"]:
    """The address hybrid pods' traffic reaches the VPC from: the node's (cluster-pool keeps Cilium's
    default masquerading) or the pod's own (multi-pool turns masquerading off)."""
    return "pod" if ipam == "multiPool" else "node"


def node_affinity(key: str, value: str) -> dict[str, Any]:
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": key, "operator": "In", "values": [value]}]}
                ]
            }
        }
    }


def hybrid_affinity() -> dict[str, Any]:
    """Required node affinity `eks.amazonaws.com/compute-type In [hybrid]` (nodeadm sets that label)."""
    return node_affinity(COMPUTE_TYPE_LABEL, "hybrid")


def cloud_affinity() -> dict[str, Any]:
    """Required node affinity to the cloud node group (`eks-hybrid/capacity In [cloud]`)."""
    return node_affinity(CLOUD_CAPACITY_LABEL, CLOUD_CAPACITY_VALUE)


# The operator tolerates every taint by default, so a drained node gets it straight back; AWS's CI keeps
# only the two it needs while a node initialises (cilium/cilium#28856).
OPERATOR_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists"},
    {"key": "node.cilium.io/agent-not-ready", "operator": "Exists"},
)

# A values change reaches the pods only through the `cilium-config` ConfigMap, which the running operator and
# agents do not re-read; the chart defaults both roll-out flags to false (cilium/cilium
# `install/kubernetes/cilium/values.yaml`). With them on, the chart puts a checksum of the ConfigMap in the
# pod templates, so a change such as turning on `bgpControlPlane` rolls the operator and the agents. AWS,
# "Configure Cilium BGP for hybrid nodes" (awsdocs amazon-eks-user-guide
# `latest/ug/nodes/hybrid-nodes-cilium-bgp.adoc`, Procedure step 1): "If you are enabling BGP for an
# existing Cilium deployment, you must restart the Cilium operator ... You can set `operator.rollOutPods` to
# `true`"; until it restarts, the operator registers no BGP CRDs and the agents run without BGP.
ROLL_OUT_ON_CONFIG_CHANGE = True


# AWS, "Configure CNI for hybrid nodes" (hybrid-nodes-cni.html, "Cilium considerations"): "Cilium is not
# supported by AWS when running on nodes in AWS Cloud"; supported IPAM: "Cilium IPAM cluster scope".
# Cilium documents multi-pool IPAM as Beta (Documentation/network/concepts/ipam/multi-pool.rst).
_ON_CLOUD = (
    "Cilium's operator runs on the cloud node group (eks-hybrid/capacity=cloud){why}, and AWS: \"Cilium is"
    ' not supported by AWS when running on nodes in AWS Cloud" (EKS user guide, Configure CNI for hybrid'
    " nodes)"
)


def aws_support_notes(ipam: Ipam, placement: OperatorPlacement) -> list[str]:
    """What of this Cilium configuration AWS does not support for hybrid nodes, one note each (empty: all
    of it is AWS's supported configuration). Notes, not refusals: the configuration works, AWS support
    cases about it are declined."""
    notes: list[str] = []
    if ipam == "multiPool":
        notes.append(
            "Cilium multi-pool IPAM is outside AWS's support for hybrid nodes (AWS supports cluster-scope"
            " IPAM, `ipam: clusterPool`) and is Beta in Cilium"
        )
    if placement == "cloud":
        why = (
            " so that the pools' CRDs exist before any hybrid node joins"
            if ipam == "multiPool"
            else " as eks-hybrid:cilium.operatorPlacement says (eks-hybrid 0.2's layout: the hub declares the"
            " BGP objects; the Cilium page, Operator placement, says how to move it to hybrid nodes)"
        )
        notes.append(_ON_CLOUD.format(why=why))
    return [f"{note} [{Code.CILIUM_OUTSIDE_AWS_SUPPORT}]" for note in notes]


def bgp_in_sites_note(sites: Sequence[str]) -> str:
    """What a hub whose BGP sites declare their own BGP objects (`bgp_objects_in_sites`) tells its user."""
    return (
        "Cilium's operator runs on hybrid nodes, so the hub declares no BGP object: the site stack of each"
        f" of {', '.join(sites)} declares its own once its first node runs the operator; a site without a"
        " site stack gets none (give it one, or set eks-hybrid:cilium.operatorPlacement: cloud)"
        f" [{Code.CILIUM_BGP_IN_SITES}]"
    )


def cilium_values(
    pod_cidrs: Sequence[str],
    mask_size: int,
    *,
    bgp_control_plane: bool = False,
    ipam: Ipam = "clusterPool",
    cilium_line: str = "1.18",
    placement: OperatorPlacement | None = None,
    routing_mode: RoutingMode | None = None,
    upgrade_compatibility: str | None = None,
) -> dict[str, Any]:
    """Helm values for Cilium on hybrid nodes.

    cluster-pool: `pod_cidrs` become `clusterPoolIPv4PodCIDRList` in the order given. Cilium allows only
    appending to that list, never changing or reordering its elements, so callers pass the sites' pod CIDRs
    in their stable (configuration) order, and neither the list's elements nor `mask_size` may change
    after install. A /`mask_size` block per node: 25 gives 128 pod addresses per node.

    multi-pool: the pools are separate objects (`pools.site_pod_pools`); the values switch the IPAM mode,
    pin the routing mode's datapath values (`routing_mode`, default a new hub's on `cilium_line`:
    `domain.cilium_upgrade`), and run the operator on the cloud node group. The operator registers
    Cilium's CRDs when it starts; on cloud capacity it runs before any hybrid node joins, so the hub can
    declare the pools in the same update (on hybrid nodes only, the CRDs would not exist yet). With
    cluster-pool the operator runs on hybrid nodes unless `placement` is `cloud` (`operator_placement`).
    The operator runs with host networking, so it needs no Cilium on the node it runs on.

    `upgrade_compatibility`: the Cilium line first installed on the cluster (`1.17`), Cilium's
    `upgradeCompatibility` (Cilium Upgrade Guide, Step 2; AWS, "Upgrade Cilium on hybrid nodes"); unset, the
    chart's defaults are the installed line's.
    """
    if not pod_cidrs:
        raise ValueError("Cilium needs at least one pod CIDR (the cluster's remote pod networks)")
    operator: dict[str, Any] = {
        "affinity": hybrid_affinity(),
        "replicas": 1,
        "rollOutPods": ROLL_OUT_ON_CONFIG_CHANGE,
        "tolerations": [dict(t) for t in OPERATOR_TOLERATIONS],
        "unmanagedPodWatcher": {"restart": False},
    }
    values: dict[str, Any] = {
        "affinity": hybrid_affinity(),
        "ipam": {
            "mode": "cluster-pool",
            "operator": {
                "clusterPoolIPv4PodCIDRList": list(pod_cidrs),
                "clusterPoolIPv4MaskSize": mask_size,
            },
        },
        "loadBalancer": {"serviceTopology": True},
        "operator": operator,
        "envoy": {"enabled": False},
        "bgpControlPlane": {"enabled": bgp_control_plane},
        "rollOutCiliumPods": ROLL_OUT_ON_CONFIG_CHANGE,
    }
    if upgrade_compatibility is not None:
        values["upgradeCompatibility"] = upgrade_compatibility
    if operator_placement(ipam, placement) == "cloud":
        operator["affinity"] = cloud_affinity()
    mode = routing_mode or new_hub_routing_mode(ipam, cilium_line)
    if (reason := routing_mode_reason(ipam, cilium_line, mode)) is not None:
        raise ValueError(f"Cilium {cilium_line} with {ipam} IPAM: {reason.text}")
    if ipam == "multiPool":
        values["ipam"] = {"mode": "multi-pool"}
        values |= {key: _copy(value) for key, value in MULTI_POOL_COMMON.items()}
        values |= {key: _copy(value) for key, value in MULTI_POOL_DATAPATH[mode].items()}
    return values


def _copy(value: Any) -> Any:
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, Mapping) else value


@dataclass(frozen=True)
class ChartSource:
    """How Pulumi's helm Release names the chart: `chart` plus `repo`, or a full OCI reference alone."""

    chart: str
    repo: str | None


def chart_source(repository: str, chart: str = CHART) -> ChartSource:
    """An HTTP(S) repository goes to `repository_opts.repo` with chart `cilium`. An OCI location is the
    chart reference itself, as `helm install` takes it (`oci://public.ecr.aws/eks/cilium/cilium`); one that
    does not end in `/cilium` is taken as the registry path and gets the chart name appended."""
    location = repository.strip()
    if location.startswith("oci://"):
        location = location.rstrip("/")
        if location.rsplit("/", 1)[-1] != chart:
            location = f"{location}/{chart}"
        return ChartSource(chart=location, repo=None)
    if location.startswith(("https://", "http://")):
        return ChartSource(chart=chart, repo=location)
    raise RuleError(
        f"{repository!r} is not a Helm repository URL (https://...) or OCI location (oci://...)",
        Code.HELM_LOCATION,
    )


def hybrid_config_data(service_cidr: str, vpc_cidr: str) -> dict[str, str]:
    """`kube-system/hybrid-config` as Palette reads it: the service CIDR (feeds NO_PROXY on edge hosts) and
    the VPC CIDR (edge hosts with a VPN server IP route it through the VPN)."""
    return {"serviceCIDR": service_cidr, "vpcCIDR": vpc_cidr}
