"""AWS quotas a hub plan would hit at apply, counted at plan time: pure functions, no Pulumi.

Each `QuotaUse` says what the plan uses of one quota, the limit it is checked against (AWS's default, or the
account's raised value from `eks-hybrid:quotas`), and where the figure comes from. A use over its limit is a
problem before anything is declared, instead of a failure halfway through `pulumi up`.

Sources:
- EKS user guide `hybrid-nodes-overview.adoc`: at most 15 remote node networks and 15 remote pod networks.
- VPC quotas (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html): 60 inbound and 60
  outbound rules per security group, each group counted apart (IPv4 and IPv6 counted apart; a rule
  referencing a managed prefix list counts as the list's max entries); 5 security groups per network
  interface; 50 routes per route table, not counting propagated routes.
- Transit Gateway quotas (https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html): 10,000
  routes across all route tables of one transit gateway, 5,000 attachments per transit gateway.
- Site-to-Site VPN quotas (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html): 50 VPN
  connections and 50 customer gateways per Region; 100 routes advertised from a customer gateway to one VPN
  connection (counted per site stack: `site_quota_uses`, `domain.bgp_scale`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..cluster import planning as cluster_planning
from ..cni.values import pod_traffic_source
from ..codes import Code
from ..domain.bgp_scale import AWS_CUSTOMER_GATEWAY_ROUTES, routes_to_aws
from ..domain.hub_outputs import HubInventory
from ..errors import Problem
from ..network.planning import hub_vpc_routes
from .hub import MAX_REMOTE_NETWORKS, HubConfig
from .site import SiteConfig

EKS_QUOTAS = "EKS user guide, hybrid-nodes-overview"
VPC_QUOTAS = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
TGW_QUOTAS = "https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html"
VPN_QUOTAS = "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html"

TGW_ROUTES = 10_000
TGW_ATTACHMENTS = 5_000
# Every VPC route table holds the local route of the VPC CIDR.
LOCAL_ROUTES = 1
# The most VPC routes per table a `routeVia: site` site stack adds: its node and its pod CIDR (a VGW VPN
# site relying on the hub VGW's propagation adds none; the hub cannot tell, so it counts the most).
SITE_OWNED_ROUTES = 2


@dataclass(frozen=True)
class QuotaUse:
    quota: str
    used: int
    limit: int
    path: str
    """The key whose value drives the use (where a problem is reported)."""
    advice: str
    source: str

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit

    def describe(self) -> str:
        return f"{self.quota}: {self.used} of {self.limit}"


def hub_quota_uses(hub: HubConfig) -> list[QuotaUse]:
    """What the hub's plan (and the site stacks it implies) uses of every quota it can count."""
    quotas = hub.quotas
    node_networks, pod_networks = hub.remote_networks_by_key()
    networks = cluster_planning.remote_networks(node_networks.values(), pod_networks.values())
    rules = cluster_planning.security_group_rules(
        list(node_networks),
        list(pod_networks),
        pod_traffic_source=pod_traffic_source(hub.cilium_ipam),
        core_dns=hub.cluster.core_dns,
    )
    api = hub.cluster.api_access
    api_rules = cluster_planning.api_access_rules(
        api.cidrs if api else (), api.security_group_ids if api else ()
    )
    inbound, outbound = cluster_planning.security_group_rule_counts(
        cluster_planning.cluster_group_rules(rules, api_rules)
    )
    dns_inbound = len(cluster_planning.dns_rules(rules))
    tgw_sites = [name for name, entry in hub.sites.items() if entry.route_via == "transitGateway"]
    site_routed = len(hub.sites) - len(tgw_sites)
    aggregates = hub.remote_networks
    hub_routes = hub_vpc_routes(
        hub.cluster.route_table_ids[:1],
        tgw_sites,
        aggregates.node_cidrs if aggregates else None,
        aggregates.pod_cidrs if aggregates else None,
    )
    per_table = LOCAL_ROUTES + len(hub_routes) + SITE_OWNED_ROUTES * site_routed
    aggregate = "set eks-hybrid:remoteNetworks aggregates"
    return [
        QuotaUse(
            "remote node networks per cluster",
            len(networks.node_cidrs),
            MAX_REMOTE_NETWORKS,
            "eks-hybrid:sites",
            f"{aggregate} (nodeCidrs)",
            EKS_QUOTAS,
        ),
        QuotaUse(
            "remote pod networks per cluster",
            len(networks.pod_cidrs),
            MAX_REMOTE_NETWORKS,
            "eks-hybrid:sites",
            f"{aggregate} (podCidrs)",
            EKS_QUOTAS,
        ),
        QuotaUse(
            "inbound rules of the cluster security group",
            inbound,
            quotas.security_group_rules,
            "eks-hybrid:sites",
            f"{aggregate}, list fewer eks-hybrid:cluster.apiAccess sources, or raise the quota and set"
            " eks-hybrid:quotas.securityGroupRules",
            f"{VPC_QUOTAS} (EKS's own self-referencing rule counted; the DNS rules too while they fit"
            f" {cluster_planning.DEFAULT_SECURITY_GROUP_RULES})",
        ),
        QuotaUse(
            "inbound rules of the cloud nodes' DNS security group",
            dns_inbound,
            quotas.security_group_rules,
            "eks-hybrid:sites",
            f"{aggregate} (podCidrs, or nodeCidrs with cluster-pool IPAM), run CoreDNS on hybrid nodes"
            " (eks-hybrid:cluster.coreDns: hybrid), or raise the quota and set"
            " eks-hybrid:quotas.securityGroupRules",
            f"{VPC_QUOTAS} (TCP and UDP 53 from each network hybrid pods' DNS queries arrive from)",
        ),
        QuotaUse(
            "security groups on each cloud node's network interfaces",
            cluster_planning.CLOUD_NODE_SECURITY_GROUPS,
            cluster_planning.DEFAULT_SECURITY_GROUPS_PER_INTERFACE,
            "eks-hybrid:cluster.nodeGroup",
            "raise the quota of security groups per network interface",
            f"{VPC_QUOTAS} (the cluster security group and the DNS group, from the node group's launch"
            " template)",
        ),
        QuotaUse(
            "outbound rules of the cluster security group",
            outbound,
            quotas.security_group_rules,
            "eks-hybrid:sites",
            "raise the quota and set eks-hybrid:quotas.securityGroupRules",
            f"{VPC_QUOTAS} (EKS's allow-all rule counted)",
        ),
        QuotaUse(
            "routes in each VPC route table",
            per_table,
            quotas.routes_per_route_table,
            "eks-hybrid:sites",
            f"{aggregate} for the transit gateway's sites, or raise the quota and set"
            " eks-hybrid:quotas.routesPerRouteTable (counting the local route and"
            f" {SITE_OWNED_ROUTES} per routeVia: site site, plus what your tables already hold)",
            VPC_QUOTAS,
        ),
        QuotaUse(
            "routes in the transit gateway's route tables",
            1 + 2 * len(tgw_sites),
            TGW_ROUTES,
            "eks-hybrid:sites",
            "split the sites over several hubs",
            TGW_QUOTAS,
        ),
        QuotaUse(
            "transit gateway attachments",
            1 + len(tgw_sites),
            TGW_ATTACHMENTS,
            "eks-hybrid:sites",
            "split the sites over several hubs",
            TGW_QUOTAS,
        ),
        QuotaUse(
            "Site-to-Site VPN connections in the Region (at least)",
            len(tgw_sites),
            quotas.vpn_connections_per_region,
            "eks-hybrid:sites",
            "raise the quota and set eks-hybrid:quotas.vpnConnectionsPerRegion",
            VPN_QUOTAS,
        ),
        QuotaUse(
            "customer gateways in the Region (at least)",
            len(tgw_sites),
            quotas.customer_gateways_per_region,
            "eks-hybrid:sites",
            "raise the quota and set eks-hybrid:quotas.customerGatewaysPerRegion",
            VPN_QUOTAS,
        ),
    ]


def hub_quota_problems(hub: HubConfig, file: str) -> list[Problem]:
    return [
        Problem(
            file,
            use.path,
            f"{use.used} {use.quota}, over AWS's quota of {use.limit} ({use.source}), so `pulumi up` would"
            f" fail: {use.advice}",
            Code.OVER_QUOTA,
        )
        for use in hub_quota_uses(hub)
        if use.exceeded
    ]


def site_quota_uses(site: SiteConfig, inventory: HubInventory) -> list[QuotaUse]:
    """What a site stack's router uses of the quotas AWS sets per VPN connection (none without BGP to AWS)."""
    spec = site.site
    vpn = spec.connectivity.site_to_site_vpn
    if spec.connectivity.type != "siteToSiteVpn" or vpn is None or vpn.routing != "bgp":
        return []
    entry = inventory.sites.get(spec.name)
    # The router passes node blocks on exactly when `render` writes `AWS-OUT permit 20` (onprem/frr.py).
    passes_blocks = (
        inventory.cilium_ipam_mode == "clusterPool"
        and inventory.site_count > 1
        and entry is not None
        and entry.bgp_peer is not None
    )
    hosts = sum(len(pool.edge_hosts) for pool in spec.node_pools)
    advice = (
        "give the site fewer edge hosts, or set eks-hybrid:cilium.ipam: multiPool in the hub (each site then"
        " advertises only its pod CIDR)"
        if passes_blocks
        else "advertise fewer prefixes"
    )
    return [
        QuotaUse(
            "routes the site's router advertises to its VPN connection",
            routes_to_aws(hosts, passes_blocks),
            AWS_CUSTOMER_GATEWAY_ROUTES,
            "eks-hybrid:site.nodePools",
            advice,
            f"{VPN_QUOTAS}; past it AWS resets the BGP session and the site loses every route",
        )
    ]


def site_quota_problems(site: SiteConfig, inventory: HubInventory, file: str) -> list[Problem]:
    return [
        Problem(
            file,
            use.path,
            f"{use.used} {use.quota} (its node and pod CIDRs plus one pod block per node with cluster-pool"
            f" IPAM over several sites), over AWS's quota of {use.limit} ({use.source}): {use.advice}",
            Code.TOO_MANY_ROUTES_TO_AWS,
        )
        for use in site_quota_uses(site, inventory)
        if use.exceeded
    ]
