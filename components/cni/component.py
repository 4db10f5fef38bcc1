"""`Cilium` (the hybrid nodes' CNI, a Helm release), `CiliumSitePools` (one pod pool per site) and
`HybridConfig` (the ConfigMap Palette reads)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from ..config.hub import CiliumConfig
from ..config.versions import cilium_line
from . import values as plan
from .pools import SitePodPool

CILIUM = "eks-hybrid:cni:Cilium"
CILIUM_SITE_POOLS = "eks-hybrid:cni:CiliumSitePools"
HYBRID_CONFIG = "eks-hybrid:cni:HybridConfig"


@dataclass(frozen=True)
class CiliumArgs:
    config: CiliumConfig
    pod_cidrs: Sequence[str]
    """cluster-pool: the pod CIDRs in their stable order (Cilium only lets the list grow at its end)."""
    k8s_provider: k8s.Provider
    ipam: plan.Ipam = "clusterPool"
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What must exist first: with multi-pool, the cloud node group the operator runs on."""


class Cilium(pulumi.ComponentResource):
    """Cilium in `kube-system`, only on hybrid nodes, with cluster-pool or per-site multi-pool IPAM.

    The release does not wait for readiness: the hub is deployed before any hybrid node joins, and until one
    does the agents (hybrid nodes only) stay Pending by design.
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
                ipam=args.ipam,
                cilium_line=cilium_line(args.config.chart_version),
            ),
            skip_await=True,
            max_history=10,
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.k8s_provider, depends_on=list(args.depends_on)
            ),
        )
        self.register_outputs({"releaseStatus": self.release.status})


@dataclass(frozen=True)
class CiliumSitePoolsArgs:
    pools: Sequence[SitePodPool]
    k8s_provider: k8s.Provider
    release: pulumi.Resource
    """The Cilium release: its operator registers the CRDs these objects are instances of."""


class CiliumSitePools(pulumi.ComponentResource):
    """Per site, a `CiliumPodIPPool` over its pod CIDR and a `CiliumNodeConfig` making it the default pool
    of the site's nodes. Children are named by site (`<name>-<site>-pool`, `<name>-<site>-node-config`), so
    adding a site only adds its two objects."""

    def __init__(
        self, name: str, args: CiliumSitePoolsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(CILIUM_SITE_POOLS, name, None, opts)
        # The pulumi-kubernetes provider retries a custom resource whose CRD the operator is still
        # registering; depending on the release orders them after the operator's deployment.
        child = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=[args.release])
        for pool in args.pools:
            for role, document in (
                ("pool", pool.pool_object()),
                ("node-config", pool.node_config_object()),
            ):
                k8s.apiextensions.CustomResource(
                    f"{name}-{pool.site}-{role}",
                    api_version=document["apiVersion"],
                    kind=document["kind"],
                    metadata=k8s.meta.v1.ObjectMetaArgs(**document["metadata"]),
                    spec=document["spec"],
                    opts=child,
                )
        self.register_outputs({"pools": {pool.site: pool.pool_name for pool in args.pools}})


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
