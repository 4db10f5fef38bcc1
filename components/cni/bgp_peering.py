"""`CiliumBgpPeering`: each site's hybrid nodes peer with the site's on-prem router over Cilium's BGP control
plane, so the router learns the pod blocks Cilium gave each node. The objects come from `bgp.py`.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .._inputs import Arguments, ipv4_address, is_known
from .._tokens import component_type
from ..codes import Code
from ..domain import defaults
from ..errors import ArgumentsError, Problem, Reason, RuleError
from . import bgp

__all__ = ["CILIUM_BGP_PEERING", "CiliumBgpPeer", "CiliumBgpPeering", "CiliumBgpPeeringArgs"]

CILIUM_BGP_PEERING = "eks-hybrid:cni:CiliumBgpPeering"
DEFAULT_CHART_VERSION = defaults.CILIUM_CHART_VERSION


class CiliumBgpPeer(TypedDict):
    """A site's on-prem router, as the site's nodes see it."""

    address: pulumi.Input[str]
    """The router's IPv4 address in the site's node CIDR, on the nodes' segment (eBGP, TTL 1): the nodes
    dial it (`peerAddress`)."""
    asn: pulumi.Input[int]
    """The router's ASN (`peerASN`); for a router that also peers with AWS, its customer gateway's ASN."""


class CiliumBgpPeeringArgs(TypedDict):
    """The arguments of `CiliumBgpPeering`; the Kubernetes provider comes from the options."""

    cluster_asn: pulumi.Input[int]
    """The ASN of every hybrid node's BGP instance (`localASN`); it must differ from each router's."""
    peers: Mapping[str, CiliumBgpPeer]
    """Each site's router by site name: the nodes labelled `eks-hybrid/site=<site>` peer with it. Each site
    adds one `CiliumBGPClusterConfig`, named `eks-hybrid-<site>` (children `<name>-<site>-cluster-config`)."""
    ipam: NotRequired[str]
    """Cilium's IPAM mode, `clusterPool` (default) or `multiPool`: it decides how the node blocks are
    advertised (`PodCIDR`, or `CiliumPodIPPool` selecting the pools labelled
    `app.kubernetes.io/managed-by: eks-hybrid`, as `CiliumSitePools` makes them)."""
    chart_version: NotRequired[str]
    """The Cilium chart's version (default 1.18.5-0), a plain value: it decides the objects' apiVersion,
    `cilium.io/v2` from 1.18, `v2alpha1` before."""
    per_site: NotRequired[bool]
    """A plain value, default false: one peer config and advertisement shared by every site (the hub
    declares them). True: each site gets its own (`eks-hybrid-<site>-onprem-router`,
    `eks-hybrid-<site>-pod-cidr`; children `<name>-<site>-peer-config`, `<name>-<site>-advertisement`), so
    each site stack can own its site's objects without two stacks owning one Kubernetes object."""


class CiliumBgpPeering(pulumi.ComponentResource):
    """Cilium BGP control plane objects: a `CiliumBGPPeerConfig` (AWS's timers, graceful restart) and a
    `CiliumBGPAdvertisement` (each node's pod blocks), shared (`<name>-peer-config`,
    `<name>-advertisement`) or one of each per site (`per_site`), and one `CiliumBGPClusterConfig` per site
    (`<name>-<site>-cluster-config`). Give it `depends_on` a wait for the CRDs of these objects to be
    Established (`CiliumCrdsEstablished`; the hub stack, or with the operator on hybrid nodes each site
    stack, declares one): Cilium's operator registers them only once it runs."""

    cluster_config_names: pulumi.Output[dict[str, str]]
    """Each site's `CiliumBGPClusterConfig` name, by site."""

    def __init__(
        self, name: str, args: CiliumBgpPeeringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(CILIUM_BGP_PEERING), name, None, opts)
        arguments = Arguments("CiliumBgpPeering", name)
        cluster_asn = arguments.check("cluster_asn", args.get("cluster_asn"), bgp.asn_problem)
        if args.get("cluster_asn") is None:
            arguments.problem("cluster_asn", "is required", Code.VALUE_REQUIRED)
        ipam = arguments.plain("ipam", args.get("ipam", "clusterPool"), defaults.CILIUM_IPAM_MODES)
        per_site = arguments.plain("per_site", args.get("per_site", False), (True, False))
        version = arguments.plain("chart_version", args.get("chart_version", DEFAULT_CHART_VERSION))
        reason = _chart_version(version) if version is not None else None
        if reason:
            arguments.problem("chart_version", reason.text, reason.code)
        peers = arguments.plain_mapping("peers", args.get("peers"))
        if not peers and not arguments.problems:
            arguments.problem("peers", "names no site: give at least one site's router", Code.TOO_SHORT)
        checked: dict[str, tuple[pulumi.Input[str], pulumi.Input[int]]] = {}
        for site, peer in peers.items():
            if not isinstance(peer, Mapping) or peer.get("address") is None or peer.get("asn") is None:
                arguments.problem(f"peers.{site}", "must be a mapping with address and asn", Code.NOT_MAPPING)
                continue
            address = arguments.check(f"peers.{site}.address", peer["address"], ipv4_address)
            asn = arguments.check(f"peers.{site}.asn", peer["asn"], bgp.asn_problem)
            if is_known(peer["asn"]) and peer["asn"] == args.get("cluster_asn"):
                arguments.problem(
                    f"peers.{site}.asn",
                    f"{peer['asn']} is also cluster_asn: the nodes and the router peer over eBGP",
                    Code.ASN_CLASH,
                )
            checked[site] = (address, asn)
        arguments.raise_problems()

        api_version = bgp.bgp_api_version(version)
        child = pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on if opts else None)
        # Shared: `<name>-peer-config`, `<name>-advertisement`; per site: `<name>-<site>-peer-config`, ...
        owners: list[tuple[str, str | None]] = (
            [(f"{name}-{site}", site) for site in checked] if per_site else [(name, None)]
        )
        own_objects: dict[str | None, list[pulumi.Resource]] = {}
        for prefix, own in owners:
            for role, document in (
                ("peer-config", bgp.peer_config(api_version, own)),
                ("advertisement", bgp.pod_advertisement(api_version, ipam, own)),
            ):
                created = _custom_resource(
                    f"{prefix}-{role}",
                    api_version,
                    document["kind"],
                    document["metadata"],
                    document["spec"],
                    child,
                )
                own_objects.setdefault(own, []).append(created)
        for site, (address, asn) in checked.items():
            # A site's own cluster config follows its own peer config and advertisement ("apply in this
            # order", bgp.site_bgp_objects), so it never names a peer config that does not exist yet.
            after = (
                pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=own_objects[site]))
                if per_site
                else child
            )
            _custom_resource(
                f"{name}-{site}-cluster-config",
                api_version,
                bgp.CLUSTER_CONFIG_KIND,
                bgp.cluster_config_metadata(site),
                _cluster_spec(f"CiliumBgpPeering {name!r}", site, cluster_asn, address, asn, bool(per_site)),
                after,
            )
        names = {site: bgp.cluster_config_name(site) for site in checked}
        self.cluster_config_names = pulumi.Output.from_input(names)
        self.register_outputs({"clusterConfigNames": names})


def _custom_resource(
    name: str,
    api_version: str,
    kind: str,
    metadata: Mapping[str, Any],
    spec: pulumi.Input[Any],
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        name,
        api_version=api_version,
        kind=kind,
        metadata=k8s.meta.v1.ObjectMetaArgs(**metadata),
        spec=spec,
        opts=opts,
    )


def _cluster_spec(
    where: str,
    site: str,
    cluster_asn: pulumi.Input[int],
    address: pulumi.Input[str],
    asn: pulumi.Input[int],
    per_site: bool,
) -> pulumi.Output[dict[str, Any]]:
    """The site's cluster config spec once its values are known (Outputs are judged when they resolve)."""

    def spec(resolved: list[Any]) -> dict[str, Any]:
        try:
            return bgp.cluster_config_spec(
                site,
                cluster_asn=resolved[0],
                router_address=resolved[1],
                router_asn=resolved[2],
                per_site=per_site,
            )
        except RuleError as exc:
            raise ArgumentsError([Problem.of(where, f"peers.{site}.asn", exc.reason)]) from exc

    return pulumi.Output.all(cluster_asn, address, asn).apply(spec)


def _chart_version(version: object) -> Reason | None:
    if not isinstance(version, str):
        return Reason(
            Code.INVALID_CHART_VERSION, f"{version!r} is not a chart version (major.minor.patch, as 1.18.5-0)"
        )
    try:
        bgp.bgp_api_version(version)
    except RuleError as exc:
        return exc.reason
    return None
