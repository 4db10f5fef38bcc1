"""The config layer's one job towards the components: build each component's Args from validated config.

Components never see a config model. Stack files name things by value, and those values become the keys
that name children: route tables by their ids (`rtb-...`), remote-network aggregates by their CIDR written
as a name (`10.200.0.0-13`), sites and pools by their names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

import pulumi
from pydantic import BaseModel, SecretStr

from ..cluster import ApiAccess, CloudNodeGroup, HybridClusterArgs
from ..cni import (
    CiliumArgs,
    CiliumBgpPeer,
    CiliumBgpPeeringArgs,
    CiliumSitePoolsArgs,
    HybridConfigArgs,
)
from ..cni.values import pod_traffic_source
from ..domain.cilium_upgrade import CiliumUpgrade, cilium_upgrade
from ..domain.hub_outputs import HubInventory, HubPalette
from ..domain.naming import cidr_slug
from ..domain.palette import ProfileChoice
from ..domain.tunnel_selectors import policy_based_selectors
from ..identity import IamRolesAnywhere, NodeIdentity, NodeIdentityArgs, SsmActivation
from ..network import (
    DirectConnect,
    SiteConnectivityArgs,
    SiteToSiteVpn,
    SoftwareVpn,
    TransitGatewayHubArgs,
    VirtualPrivateGatewayArgs,
    VpnTunnel,
)
from ..ownership import SITE_TAG
from ..palette import (
    EdgeHost,
    NodePool,
    NodeTaint,
    PaletteHubArgs,
    PaletteNodePoolsArgs,
    PaletteProfile,
    iam_roles_anywhere_of,
    ssm_activation_of,
)
from ..postdeploy import STACKS_DIR, PostDeployVerifyArgs
from ..sites import RemoteNetworkAggregates, SiteCidrs
from ._site_checks import site_kind
from .hub import HubConfig, PaletteProfileConfig, RemoteNetworksConfig, SiteInventoryEntry
from .site import NodePoolConfig, SiteConfig, SiteToSiteVpnConfig

__all__ = [
    "cilium_args",
    "cilium_bgp_peering_args",
    "cilium_site_pools_args",
    "config_digest",
    "hybrid_cluster_args",
    "hybrid_config_args",
    "node_identity_args",
    "node_pool",
    "palette_hub_args",
    "palette_node_pools_args",
    "palette_profile",
    "post_deploy_verify_args",
    "remote_network_aggregates",
    "route_tables",
    "site_cidrs",
    "site_connectivity_args",
    "transit_gateway_hub_args",
    "virtual_private_gateway_args",
]


def route_tables(ids: Sequence[str]) -> dict[str, str]:
    """A stack file lists route table ids; each id is also the name of its table's children."""
    return {table: table for table in ids}


def site_cidrs(sites: Mapping[str, SiteInventoryEntry]) -> dict[str, SiteCidrs]:
    return {
        name: SiteCidrs(node_cidr=entry.node_cidr, pod_cidr=entry.pod_cidr) for name, entry in sites.items()
    }


def remote_network_aggregates(remote: RemoteNetworksConfig | None) -> RemoteNetworkAggregates | None:
    """Aggregates keyed by their CIDR written as a name, as 0.1 named their routes and rules."""
    if remote is None:
        return None
    found = RemoteNetworkAggregates()
    if remote.node_cidrs:
        found["node_cidrs"] = {cidr_slug(cidr): cidr for cidr in remote.node_cidrs}
    if remote.pod_cidrs:
        found["pod_cidrs"] = {cidr_slug(cidr): cidr for cidr in remote.pod_cidrs}
    return found


def _with_aggregates(args: Any, remote: RemoteNetworksConfig | None) -> None:
    found = remote_network_aggregates(remote)
    if found:
        args["remote_network_aggregates"] = found


def transit_gateway_hub_args(hub: HubConfig) -> TransitGatewayHubArgs:
    """The hub routes the CIDRs of its `routeVia: transitGateway` sites; the others route their own."""
    cluster = hub.cluster
    args = TransitGatewayHubArgs(
        vpc_id=cluster.vpc_id,
        vpc_cidr=cluster.vpc_cidr,
        subnet_ids=list(hub.transit_gateway.subnet_ids or cluster.subnet_ids),
        route_tables=route_tables(cluster.route_table_ids),
        sites=site_cidrs({k: v for k, v in hub.sites.items() if v.route_via == "transitGateway"}),
        amazon_side_asn=hub.transit_gateway.amazon_side_asn,
        tags=dict(hub.tags),
        protect=hub.protect,
    )
    _with_aggregates(args, hub.remote_networks)
    return args


def virtual_private_gateway_args(hub: HubConfig) -> VirtualPrivateGatewayArgs:
    vgw = hub.virtual_private_gateway
    assert vgw is not None
    return VirtualPrivateGatewayArgs(
        vpc_id=hub.cluster.vpc_id,
        route_tables=route_tables(hub.cluster.route_table_ids),
        amazon_side_asn=vgw.amazon_side_asn,
        propagate_routes=vgw.propagate_routes,
        tags=dict(hub.tags),
        protect=hub.protect,
    )


def site_connectivity_args(site: SiteConfig, inventory: HubInventory) -> SiteConnectivityArgs:
    """The site's path as its stack file and its hub's inventory decide it. Call after
    `check_site_against_hub` has passed: the site is in the inventory and its hub has what it needs."""
    spec = site.site
    entry = inventory.sites[spec.name]
    kind = site_kind(spec)
    args = SiteConnectivityArgs(
        node_cidr=entry.node_cidr,
        pod_cidr=entry.pod_cidr,
        tags={**site.tags, SITE_TAG: spec.name},
        protect=site.protect,
    )
    tables = route_tables(inventory.route_table_ids)
    vpn = spec.connectivity.site_to_site_vpn
    if kind == "transitGatewayVpn" and vpn is not None:
        # The hub routes a transit gateway site's CIDRs in the VPC; the site routes them on the TGW.
        args["vpn"] = on_tgw = _vpn(vpn, entry.node_cidr, entry.pod_cidr, inventory.vpc_cidr)
        on_tgw["transit_gateway_id"] = inventory.transit_gateway_id
        on_tgw["transit_gateway_route_table_id"] = inventory.transit_gateway_route_table_id
        on_tgw["propagate_routes"] = vpn.propagate_routes
    elif kind == "vpnGatewayVpn" and vpn is not None:
        args["vpn"] = on_vgw = _vpn(vpn, entry.node_cidr, entry.pod_cidr, inventory.vpc_cidr)
        on_vgw["vpn_gateway_id"] = inventory.vpn_gateway_id or ""
        if not vpn.propagate_routes:  # else the hub's VGW propagates the site's routes into every table
            args["route_tables"] = tables
    elif kind == "directConnect":
        dx = spec.connectivity.direct_connect
        assert dx is not None
        args["direct_connect"] = DirectConnect(
            gateway_id=dx.gateway_id,
            vpn_gateway_id=inventory.vpn_gateway_id or "",
            allowed_prefixes=[dx.private_subnet_cidr or inventory.vpc_cidr],
        )
        args["route_tables"] = tables
    else:
        appliance = spec.connectivity.software_vpn
        assert appliance is not None
        args["software_vpn"] = SoftwareVpn(network_interface_id=appliance.network_interface_id)
        args["route_tables"] = tables
    return args


def _vpn(vpn: SiteToSiteVpnConfig, node_cidr: str, pod_cidr: str, vpc_cidr: str) -> SiteToSiteVpn:
    tunnels: list[VpnTunnel] = []
    for tunnel in vpn.tunnels:
        override = VpnTunnel()
        if tunnel.inside_cidr is not None:
            override["inside_cidr"] = tunnel.inside_cidr
        if tunnel.preshared_key is not None:
            override["preshared_key"] = tunnel.preshared_key.get_secret_value()
        tunnels.append(override)
    args = SiteToSiteVpn(
        customer_gateway_ip=vpn.customer_gateway.ip_address,
        bgp_asn=vpn.customer_gateway.bgp_asn,
        routing=vpn.routing,
        tunnels=tunnels,
    )
    if vpn.policy_based:  # the site checks have passed: one selector pair carries the site's traffic
        local, remote = policy_based_selectors(node_cidr, pod_cidr, (vpc_cidr,))
        args["local_network_cidr"], args["remote_network_cidr"] = local, remote
    return args


def hybrid_cluster_args(hub: HubConfig) -> HybridClusterArgs:
    cluster = hub.cluster
    group = cluster.node_group
    args = HybridClusterArgs(
        cluster_name=cluster.name,
        kubernetes_version=cluster.kubernetes_version,
        region=hub.region,
        subnet_ids=list(cluster.subnet_ids),
        sites=site_cidrs(hub.sites),
        adopt_existing=cluster.mode == "existing",
        vpc_id=cluster.vpc_id,
        endpoint_access=cluster.endpoint_access,
        service_cidr=cluster.service_cidr,
        authentication_mode=cluster.authentication_mode,
        core_dns=cluster.core_dns,
        pod_traffic_source=pod_traffic_source(hub.cilium_ipam),
        node_group=CloudNodeGroup(
            instance_type=group.instance_type,
            disk_size_gib=group.disk_size_gib,
            desired_size=group.desired_size,
            min_size=group.min_size,
            max_size=group.max_size,
        ),
        tags=dict(hub.tags),
        protect=hub.protect,
    )
    if group.kubernetes_version is not None:
        args["node_group"]["kubernetes_version"] = group.kubernetes_version
    if cluster.public_access_cidrs is not None:
        args["public_access_cidrs"] = list(cluster.public_access_cidrs)
    if cluster.api_access is not None:
        args["api_access"] = ApiAccess(
            cidrs=list(cluster.api_access.cidrs),
            security_group_ids=list(cluster.api_access.security_group_ids),
        )
    _with_aggregates(args, hub.remote_networks)
    return args


def node_identity_args(
    hub: HubConfig, cluster_name: pulumi.Input[str], cluster_arn: pulumi.Input[str]
) -> NodeIdentityArgs:
    credentials = hub.credentials
    args = NodeIdentityArgs(
        cluster_name=cluster_name,
        cluster_arn=cluster_arn,
        region=hub.region,
        enable_credentials_file=credentials.enable_credentials_file,
        tags=dict(hub.tags),
    )
    ira, ssm = credentials.iam_roles_anywhere, credentials.ssm
    if credentials.provider == "iamRolesAnywhere" and ira is not None:
        chosen = IamRolesAnywhere(session_duration_seconds=ira.session_duration_seconds)
        if ira.generate_certificate_authority:
            chosen["generate_certificate_authority"] = True
            chosen["certificate_authority_validity_days"] = ira.certificate_authority_validity_days
        if ira.certificate_authority_pem is not None:
            chosen["certificate_authority_pem"] = ira.certificate_authority_pem.get_secret_value()
        if ira.certificate_authority_private_key is not None:
            chosen["certificate_authority_private_key"] = (
                ira.certificate_authority_private_key.get_secret_value()
            )
        if ira.acm_pca_arn is not None:
            chosen["acm_pca_arn"] = ira.acm_pca_arn
        args["iam_roles_anywhere"] = chosen
    elif ssm is not None:
        args["ssm"] = SsmActivation(
            registration_limit=ssm.registration_limit, expiration_days=ssm.expiration_days
        )
    return args


def cilium_args(hub: HubConfig, upgrade: CiliumUpgrade | None = None) -> CiliumArgs:
    """`upgrade`: what the hub's Cilium runs after this update (`_eks_hub.hub_cilium_upgrade`, judged against
    its previous update); none: a first deploy."""
    cilium = hub.cilium
    if upgrade is None:
        upgrade = cilium_upgrade(
            chart_version=cilium.chart_version,
            ipam=hub.cilium_ipam,
            routing_mode=cilium.routing_mode,
            deployed=None,
        )
    return CiliumArgs(
        # cluster-pool: the sites' pod CIDRs in the inventory's order, so a site added at the end only
        # appends to clusterPoolIPv4PodCIDRList (Cilium forbids changing existing elements).
        pod_cidrs=list(dict.fromkeys(entry.pod_cidr for entry in hub.sites.values())),
        ipam=hub.cilium_ipam,
        chart_version=cilium.chart_version,
        repository=cilium.repository,
        pod_cidr_mask_size=cilium.pod_cidr_mask_size,
        bgp_control_plane=cilium.bgp_control_plane,
        operator_placement=hub.cilium_operator_placement,
        routing_mode=upgrade.routing_mode,
        upgrade_compatibility=upgrade.upgrade_compatibility,
    )


def cilium_site_pools_args(hub: HubConfig) -> CiliumSitePoolsArgs:
    return CiliumSitePoolsArgs(sites=site_cidrs(hub.sites), pod_cidr_mask_size=hub.cilium.pod_cidr_mask_size)


def cilium_bgp_peering_args(hub: HubConfig) -> CiliumBgpPeeringArgs:
    """The sites whose nodes peer with their router and whose BGP objects the hub declares
    (`hub.bgp_peers_in_hub`; empty without the BGP control plane or with the operator on hybrid nodes)."""
    return CiliumBgpPeeringArgs(
        cluster_asn=hub.cilium.cluster_asn,
        peers={
            name: CiliumBgpPeer(address=peer.address, asn=peer.asn)
            for name, peer in hub.bgp_peers_in_hub.items()
        },
        ipam=hub.cilium_ipam,
        chart_version=hub.cilium.chart_version,
    )


def hybrid_config_args(hub: HubConfig) -> HybridConfigArgs:
    return HybridConfigArgs(service_cidr=hub.cluster.service_cidr, vpc_cidr=hub.cluster.vpc_cidr)


def palette_profile(profile: PaletteProfileConfig) -> PaletteProfile:
    """The stack file's profile with every field (unset ones as None), as 0.1 sent it to Palette."""
    return cast(PaletteProfile, profile.model_dump(mode="json"))


def palette_hub_args(
    hub: HubConfig,
    cluster_name: pulumi.Input[str],
    node_cidrs: pulumi.Input[Sequence[str]],
    pod_cidrs: pulumi.Input[Sequence[str]],
    identity: NodeIdentity,
) -> PaletteHubArgs:
    palette = hub.palette
    assert palette is not None
    args = PaletteHubArgs(
        cluster_name=cluster_name,
        vpc_cidr=hub.cluster.vpc_cidr,
        # The cluster's remote networks, aggregates included, as EKS has them.
        node_cidrs=node_cidrs,
        pod_cidrs=pod_cidrs,
        profile=palette_profile(palette.profile),
        keep_profile_versions=list(palette.keep_profile_versions),
        project_uid=palette.project_uid,
        endpoint=palette.endpoint,
    )
    if hub.credentials.provider == "ssm":
        args["ssm"] = ssm_activation_of(identity)
    else:
        args["iam_roles_anywhere"] = iam_roles_anywhere_of(identity)
    return args


def node_pool(pool: NodePoolConfig) -> NodePool:
    """A stack file's pool as `PaletteNodePools` takes it (its name is the key it goes under)."""
    hosts: list[EdgeHost] = []
    for host in pool.edge_hosts:
        hosts.append(edge_host := EdgeHost(uid=host.uid))
        if host.name is not None:
            edge_host["name"] = host.name
        if host.vpn_server_ip is not None:
            edge_host["vpn_server_ip"] = host.vpn_server_ip
        if host.nic_name is not None:
            edge_host["nic_name"] = host.nic_name
    taints = [NodeTaint(key=t.key, value=t.value, effect=t.effect) for t in pool.taints]
    return NodePool(
        edge_hosts=hosts,
        architecture=pool.architecture,
        labels=dict(pool.labels),
        taints=taints,
        ntp_servers=list(pool.ntp_servers),
    )


def palette_node_pools_args(
    site: SiteConfig, pools: Sequence[NodePoolConfig], palette: HubPalette, profile: ProfileChoice
) -> PaletteNodePoolsArgs:
    return PaletteNodePoolsArgs(
        site=site.site.name,
        pools={pool.name: node_pool(pool) for pool in pools},
        endpoint=palette.endpoint,
        project_uid=palette.project_uid,
        cloud_config_uid=palette.cloud_config_uid,
        profile_uid=profile.profile_uid,
        keep_running_profile=profile.keep_running_version,
        cluster_uid=palette.cluster_uid,
    )


def _without_secrets(value: Any) -> Any:
    """`value` without its secrets and unset (None) keys: a secret key set or not reads the same."""
    if isinstance(value, Mapping):
        return {
            k: _without_secrets(v) for k, v in value.items() if v is not None and not isinstance(v, SecretStr)
        }
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value if not isinstance(v, SecretStr)]
    return value


def config_digest(config: BaseModel) -> str:
    """A digest of a validated stack config, the trigger that re-runs the post-deploy step when the config
    changes. Secrets are left out entirely: whether a key came from the stack or from the environment (and
    its value) must change neither the plan nor the step."""
    document = _without_secrets(config.model_dump(by_alias=True))
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def post_deploy_verify_args(
    stack: str,
    config: HubConfig | SiteConfig,
    outputs: Mapping[str, pulumi.Input[Any]],
    hub_outputs: Mapping[str, Any] | None = None,
) -> PostDeployVerifyArgs:
    """The post-deploy step of the stack `stack` (`eks-hybrid:verify`): verify reads the stack's file where
    `pulumi up` does (`stacks/Pulumi.<stack>.yaml`, Pulumi.yaml's `stackConfigDir`), not where an offline
    plan read it (`plan --stacks-dir`), so the step's inputs depend on the config alone."""
    args = PostDeployVerifyArgs(
        stack=stack,
        outputs=outputs,
        skip=list(config.verify.skip),
        config_digest=config_digest(config),
        stacks_dir=STACKS_DIR,
    )
    if hub_outputs is not None:
        args["hub_outputs"] = hub_outputs
    return args
