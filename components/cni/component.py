"""`Cilium` (the hybrid nodes' CNI, a Helm release), `CiliumSitePools` (one pod pool per site) and
`HybridConfig` (the ConfigMap Palette reads).

Each goes to the cluster through the Kubernetes provider given in its options
(`pulumi.ResourceOptions(providers=[k8s_provider])`, which its children inherit), as any Pulumi component
does. Dependencies given in its options (`depends_on`) are passed on to its children.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .._inputs import Arguments, checked_sites, derive, remote_cidr, service_cidr, vpc_cidr
from .._tokens import component_type
from ..codes import Code
from ..domain import defaults
from ..domain.versions import cilium_line, cilium_problem
from ..errors import Reason, RuleError
from ..sites import SiteCidrs
from . import values as plan
from .pools import site_pod_pools

__all__ = [
    "CILIUM",
    "CILIUM_SITE_POOLS",
    "HYBRID_CONFIG",
    "Cilium",
    "CiliumArgs",
    "CiliumSitePools",
    "CiliumSitePoolsArgs",
    "HybridConfig",
    "HybridConfigArgs",
]

CILIUM = "eks-hybrid:cni:Cilium"
CILIUM_SITE_POOLS = "eks-hybrid:cni:CiliumSitePools"
HYBRID_CONFIG = "eks-hybrid:cni:HybridConfig"

DEFAULT_CHART_VERSION = defaults.CILIUM_CHART_VERSION
DEFAULT_REPOSITORY = defaults.CILIUM_REPOSITORY


def _children(component: pulumi.Resource, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """Options of a component's children: parented to it, after what the component was told to follow."""
    return pulumi.ResourceOptions(parent=component, depends_on=opts.depends_on if opts else None)


class CiliumArgs(TypedDict):
    """The arguments of `Cilium`."""

    pod_cidrs: pulumi.Input[Sequence[pulumi.Input[str]]]
    """The sites' pod CIDRs. With cluster-pool IPAM they are `clusterPoolIPv4PodCIDRList` in the order given:
    Cilium only lets that list grow at its end, so keep the order and add new sites last."""
    ipam: NotRequired[str]
    """`clusterPool` (default: one pool over every pod CIDR; right for one site, or every site on BGP) or
    `multiPool` (one pool per site with `CiliumSitePools`; the operator runs on the cloud node group)."""
    chart_version: NotRequired[pulumi.Input[str]]
    """The Cilium chart's version (default 1.18.5-0, AWS's build; AWS supports the 1.17 and 1.18 lines)."""
    repository: NotRequired[pulumi.Input[str]]
    """The chart's repository: an OCI location (default oci://public.ecr.aws/eks/cilium/cilium) or an HTTPS
    Helm repository (https://helm.cilium.io/)."""
    pod_cidr_mask_size: NotRequired[pulumi.Input[int]]
    """The block each node gets from its pool: /25 (default) is 128 pod addresses."""
    bgp_control_plane: NotRequired[pulumi.Input[bool]]
    """Enable Cilium's BGP control plane (default false). Its CRDs exist once the operator runs: with the
    operator on hybrid nodes, declare `CiliumBgpPeering` after a hybrid node joins (a site stack does)."""
    operator_placement: NotRequired[str]
    """Where the operator runs, a plain value: `hybrid` (default with cluster-pool, AWS's supported
    placement) or `cloud` (the cloud node group, `eks-hybrid/capacity=cloud`; always with multi-pool, whose
    pools must exist before any hybrid node joins; `hybrid` with multi-pool is refused)."""
    routing_mode: NotRequired[str]
    """Multi-pool's routing mode, a plain value: `native` or `tunnel` (default: a new cluster's on the chart's
    line, native on 1.17, tunnel on 1.18). Keep the mode a running cluster was installed with: a switch
    breaks cross-node pod traffic until every node has rolled (`domain.cilium_upgrade`). Cluster-pool
    keeps the chart's VXLAN tunnel (`tunnel` only)."""
    upgrade_compatibility: NotRequired[pulumi.Input[str]]
    """The Cilium line first installed on the cluster (`1.17`), passed as Cilium's `upgradeCompatibility`
    (Cilium Upgrade Guide; AWS, "Upgrade Cilium on hybrid nodes"). Default: not set."""


class Cilium(pulumi.ComponentResource):
    """Cilium in `kube-system`, only on hybrid nodes (node affinity to nodeadm's `hybrid` compute type),
    with cluster-pool or per-site multi-pool IPAM. The release does not wait for readiness: the hub is
    deployed before any hybrid node joins, and until one does the agents stay Pending by design."""

    release_status: pulumi.Output[Any]
    """The Helm release's status."""

    def __init__(self, name: str, args: CiliumArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(component_type(CILIUM), name, None, opts)
        arguments = Arguments("Cilium", name)
        ipam = arguments.plain("ipam", args.get("ipam", "clusterPool"), defaults.CILIUM_IPAM_MODES)
        configured = arguments.plain(
            "operator_placement", args.get("operator_placement"), defaults.CILIUM_OPERATOR_PLACEMENTS
        )
        if ipam is not None and (problem := plan.operator_placement_problem(ipam, configured)):
            arguments.problem("operator_placement", problem.text, problem.code)
        routing_mode = arguments.plain(
            "routing_mode", args.get("routing_mode"), defaults.CILIUM_ROUTING_MODES
        )
        version = arguments.check(
            "chart_version", args.get("chart_version", DEFAULT_CHART_VERSION), _chart_version
        )
        repository = arguments.check("repository", args.get("repository", DEFAULT_REPOSITORY), _repository)
        mask = arguments.check(
            "pod_cidr_mask_size", args.get("pod_cidr_mask_size", defaults.POD_CIDR_MASK_SIZE), _mask_size
        )
        pod_cidrs = arguments.check("pod_cidrs", args["pod_cidrs"], _pod_cidrs)
        arguments.raise_problems()

        placement = plan.operator_placement(ipam, configured)
        source = derive(repository, plan.chart_source)
        #: The Helm release (Python only).
        self.release: k8s.helm.v3.Release = k8s.helm.v3.Release(
            f"{name}-release",
            name="cilium",
            chart=derive(source, lambda s: s.chart),
            version=version,
            repository_opts=derive(
                source, lambda s: k8s.helm.v3.RepositoryOptsArgs(repo=s.repo) if s.repo else None
            ),
            namespace=plan.NAMESPACE,
            values=pulumi.Output.all(
                pod_cidrs,
                mask,
                args.get("bgp_control_plane", False),
                version,
                args.get("upgrade_compatibility"),
            ).apply(
                lambda resolved: plan.cilium_values(
                    list(resolved[0]),
                    int(resolved[1]),
                    bgp_control_plane=bool(resolved[2]),
                    ipam=ipam,
                    cilium_line=cilium_line(str(resolved[3])),
                    placement=placement,
                    routing_mode=routing_mode,
                    upgrade_compatibility=None if resolved[4] is None else str(resolved[4]),
                )
            ),
            skip_await=True,
            max_history=10,
            opts=_children(self, opts),
        )
        for note in plan.aws_support_notes(ipam, placement):
            pulumi.log.warn(note, resource=self)
        #: Where the operator runs, `cloud` or `hybrid` (Python only).
        self.operator_placement: plan.OperatorPlacement = placement
        self.release_status = self.release.status
        self.register_outputs({"releaseStatus": self.release.status})


class CiliumSitePoolsArgs(TypedDict):
    """The arguments of `CiliumSitePools`."""

    sites: Mapping[str, SiteCidrs]
    """Every site by name: each gets a pool over its pod CIDR for the nodes labelled
    `eks-hybrid/site=<name>` (its node CIDR is not used here). Children are named by these keys."""
    pod_cidr_mask_size: NotRequired[pulumi.Input[int]]
    """The block each node gets from its site's pool (default /25)."""


class CiliumSitePools(pulumi.ComponentResource):
    """Cilium multi-pool IPAM, one pool per site: a `CiliumPodIPPool` over the site's pod CIDR and a
    `CiliumNodeConfig` making it the default pool of the site's nodes (`<name>-<site>-pool`,
    `<name>-<site>-node-config`), so adding a site only adds its two objects. Give it
    `depends_on` the release and a wait for the CRDs of these objects to be Established (the hub stack
    declares one): Cilium's operator registers them only once it runs."""

    pool_names: pulumi.Output[dict[str, str]]
    """Each site's `CiliumPodIPPool` name, by site."""

    def __init__(
        self, name: str, args: CiliumSitePoolsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(CILIUM_SITE_POOLS), name, None, opts)
        arguments = Arguments("CiliumSitePools", name)
        sites = checked_sites(arguments, args.get("sites"))
        mask = arguments.check(
            "pod_cidr_mask_size", args.get("pod_cidr_mask_size", defaults.POD_CIDR_MASK_SIZE), _mask_size
        )
        arguments.raise_problems()

        # The CRDs of these objects exist only once Cilium's operator runs and registers them; the caller
        # orders them after the CRDs (`CiliumCrdsEstablished`), as pulumi-kubernetes retries a missing
        # kind only about a minute (`crds.py`).
        child = _children(self, opts)
        pools = site_pod_pools({site: entry["pod_cidr"] for site, entry in sites.items()}, mask)
        for pool in pools:
            for role, document in (("pool", pool.pool_object()), ("node-config", pool.node_config_object())):
                k8s.apiextensions.CustomResource(
                    f"{name}-{pool.site}-{role}",
                    api_version=document["apiVersion"],
                    kind=document["kind"],
                    metadata=k8s.meta.v1.ObjectMetaArgs(**document["metadata"]),
                    spec=document["spec"],
                    opts=child,
                )
        names = {pool.site: pool.pool_name for pool in pools}
        self.pool_names = pulumi.Output.from_input(names)
        self.register_outputs({"pools": names})


class HybridConfigArgs(TypedDict):
    """The arguments of `HybridConfig`."""

    service_cidr: pulumi.Input[str]
    """The cluster's service CIDR (Palette puts it in NO_PROXY on edge hosts)."""
    vpc_cidr: pulumi.Input[str]
    """The VPC CIDR (edge hosts with a VPN server IP route it through the VPN)."""


class HybridConfig(pulumi.ComponentResource):
    """`kube-system/hybrid-config`: `serviceCIDR` and `vpcCIDR`, which Palette needs for hybrid pools."""

    config_map_name: pulumi.Output[str]
    """The ConfigMap's name in kube-system (`hybrid-config`)."""

    def __init__(self, name: str, args: HybridConfigArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(component_type(HYBRID_CONFIG), name, None, opts)
        arguments = Arguments("HybridConfig", name)
        services = arguments.check("service_cidr", args["service_cidr"], service_cidr)
        vpc = arguments.check("vpc_cidr", args["vpc_cidr"], vpc_cidr)
        arguments.raise_problems()
        #: The ConfigMap (Python only).
        self.config_map: k8s.core.v1.ConfigMap = k8s.core.v1.ConfigMap(
            f"{name}-configmap",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=plan.HYBRID_CONFIG_NAME,
                namespace=plan.NAMESPACE,
                labels={"app.kubernetes.io/managed-by": "eks-hybrid"},
            ),
            data=pulumi.Output.all(services, vpc).apply(
                lambda resolved: plan.hybrid_config_data(str(resolved[0]), str(resolved[1]))
            ),
            opts=_children(self, opts),
        )
        self.config_map_name = pulumi.Output.from_input(plan.HYBRID_CONFIG_NAME)
        self.register_outputs({"name": plan.HYBRID_CONFIG_NAME})


def _chart_version(version: str) -> Reason | None:
    if not isinstance(version, str) or not _CHART_VERSION.fullmatch(version):
        return Reason(
            Code.INVALID_CHART_VERSION, f"{version!r} is not a chart version (major.minor.patch, as 1.18.5-0)"
        )
    return cilium_problem(version, None)


_CHART_VERSION = re.compile(r"\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?")


def _repository(location: str) -> Reason | None:
    try:
        plan.chart_source(location)
    except RuleError as exc:
        return exc.reason
    return None


def _mask_size(size: int) -> Reason | None:
    low, high = defaults.POD_CIDR_MASK_SIZE_MIN, defaults.POD_CIDR_MASK_SIZE_MAX
    if isinstance(size, bool) or not isinstance(size, int) or not low <= size <= high:
        return Reason(Code.OUT_OF_RANGE, f"{size!r} is not a mask size from {low} to {high}")
    return None


def _pod_cidrs(cidrs: Sequence[str]) -> Reason | None:
    if not cidrs:
        return Reason(
            Code.TOO_SHORT, "Cilium needs at least one pod CIDR (the cluster's remote pod networks)"
        )
    return next((problem for cidr in cidrs if (problem := remote_cidr(cidr))), None)
