"""Cilium for hybrid nodes, and Palette's hybrid-config: pure functions, no Pulumi.

`cilium_values` is the one place Cilium's Helm values come from. They follow AWS's hybrid nodes docs
(`hybrid-nodes-cni.adoc`) and AWS's own CI values (aws/eks-hybrid `test/e2e/cni/testdata/cilium/
cilium-values.yaml`): agent and operator only on hybrid nodes, cluster-pool IPAM over exactly the cluster's
remote pod networks, no Envoy, operator tolerations limited so a node can be drained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CHART = "cilium"
NAMESPACE = "kube-system"
DEFAULT_REPOSITORY = "https://helm.cilium.io/"
COMPUTE_TYPE_LABEL = "eks.amazonaws.com/compute-type"
HYBRID_CONFIG_NAME = "hybrid-config"


def hybrid_affinity() -> dict[str, Any]:
    """Required node affinity `eks.amazonaws.com/compute-type In [hybrid]` (nodeadm sets that label)."""
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": COMPUTE_TYPE_LABEL, "operator": "In", "values": ["hybrid"]},
                        ]
                    }
                ]
            }
        }
    }


# The operator tolerates every taint by default, so a drained node gets it straight back; AWS's CI keeps
# only the two it needs while a node initialises (cilium/cilium#28856).
OPERATOR_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists"},
    {"key": "node.cilium.io/agent-not-ready", "operator": "Exists"},
)


def cilium_values(
    pod_cidrs: Sequence[str], mask_size: int, *, bgp_control_plane: bool = False
) -> dict[str, Any]:
    """Helm values for Cilium on hybrid nodes.

    `pod_cidrs` must be the cluster's remote pod networks, and neither they nor `mask_size` may change
    after install (Cilium does not move allocated node blocks). A /`mask_size` block per node: 25 gives 128
    pod addresses per node.
    """
    if not pod_cidrs:
        raise ValueError("Cilium needs at least one pod CIDR (the cluster's remote pod networks)")
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
        "operator": {
            "affinity": hybrid_affinity(),
            "replicas": 1,
            "tolerations": [dict(t) for t in OPERATOR_TOLERATIONS],
            "unmanagedPodWatcher": {"restart": False},
        },
        "envoy": {"enabled": False},
        "bgpControlPlane": {"enabled": bgp_control_plane},
    }
    return values


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
    raise ValueError(f"{repository!r} is not a Helm repository URL (https://...) or OCI location (oci://...)")


def hybrid_config_data(service_cidr: str, vpc_cidr: str) -> dict[str, str]:
    """`kube-system/hybrid-config` as Palette reads it: the service CIDR (feeds NO_PROXY on edge hosts) and
    the VPC CIDR (edge hosts with a VPN server IP route it through the VPN)."""
    return {"serviceCIDR": service_cidr, "vpcCIDR": vpc_cidr}
