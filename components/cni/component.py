"""`Cilium` (the hybrid nodes' CNI, a Helm release) and `HybridConfig` (the ConfigMap Palette reads)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from ..config.hub import CiliumConfig
from . import values as plan

CILIUM = "eks-hybrid:cni:Cilium"
HYBRID_CONFIG = "eks-hybrid:cni:HybridConfig"


@dataclass(frozen=True)
class CiliumArgs:
    config: CiliumConfig
    pod_cidrs: Sequence[str]
    k8s_provider: k8s.Provider


class Cilium(pulumi.ComponentResource):
    """Cilium in `kube-system`, only on hybrid nodes, IPAM over the cluster's remote pod networks.

    The release does not wait for readiness: the hub is deployed before any hybrid node joins, and until one
    does the operator (hybrid nodes only) stays Pending by design.
    """

    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: CiliumArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(CILIUM, name, None, opts)
        source = plan.chart_source(args.config.repository)
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name="cilium",
            chart=source.chart,
            version=args.config.chart_version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=source.repo) if source.repo else None,
            namespace=plan.NAMESPACE,
            values=plan.cilium_values(
                args.pod_cidrs,
                args.config.pod_cidr_mask_size,
                bgp_control_plane=args.config.bgp_control_plane,
            ),
            skip_await=True,
            max_history=10,
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider),
        )
        self.register_outputs({"releaseStatus": self.release.status})


@dataclass(frozen=True)
class HybridConfigArgs:
    service_cidr: str
    vpc_cidr: str
    k8s_provider: k8s.Provider


class HybridConfig(pulumi.ComponentResource):
    """`kube-system/hybrid-config`: `serviceCIDR` and `vpcCIDR`, which Palette needs for hybrid pools."""

    config_map: k8s.core.v1.ConfigMap

    def __init__(self, name: str, args: HybridConfigArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(HYBRID_CONFIG, name, None, opts)
        self.config_map = k8s.core.v1.ConfigMap(
            f"{name}-configmap",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=plan.HYBRID_CONFIG_NAME,
                namespace=plan.NAMESPACE,
                labels={"app.kubernetes.io/managed-by": "eks-hybrid"},
            ),
            data=plan.hybrid_config_data(args.service_cidr, args.vpc_cidr),
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider),
        )
        self.register_outputs({"name": plan.HYBRID_CONFIG_NAME})
