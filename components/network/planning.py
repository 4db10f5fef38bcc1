"""Route sets for the hub and for each site: pure functions, no Pulumi.

Every destination is routed by exactly one owner. The hub routes the node and pod CIDRs of sites with
`routeVia: transitGateway` from every VPC route table to the transit gateway; a site with `routeVia: site`
routes its own CIDRs to its virtual private gateway, Direct Connect path or software-VPN appliance.

With remote-network aggregates (`eks-hybrid:remoteNetworks`), the hub routes each aggregate instead of each
site's CIDR, so the VPC route tables stay small however many sites there are; the transit gateway's route
table still has one route per site CIDR to that site's attachment (the site stacks add them), and a
`routeVia: site` site's own, more specific routes win over the aggregate by longest prefix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..config.hub import RemoteNetworksConfig, SiteInventoryEntry
from ..config.hub_outputs import HubInventory
from ..config.site import SiteSpec
from ..errors import Problem

SiteKind = Literal["transitGatewayVpn", "vpnGatewayVpn", "directConnect", "softwareVpn"]
VpcRouteTarget = Literal["transitGateway", "vpnGateway", "networkInterface"]


def cidr_slug(cidr: str) -> str:
    """`10.200.0.0/16` -> `10.200.0.0-16`: a CIDR as it appears in a resource name."""
    return cidr.replace("/", "-")


@dataclass(frozen=True)
class VpcRoute:
    """One route in one VPC route table. `key` names the resource by table and destination, never index.

    `site` is the site the destination belongs to, or None for a remote-network aggregate."""

    route_table_id: str
    destination: str
    role: Literal["node", "pod"]
    site: str | None

    @property
    def key(self) -> str:
        return f"{self.route_table_id}-{cidr_slug(self.destination)}"


def site_destinations(entry: SiteInventoryEntry) -> tuple[tuple[Literal["node", "pod"], str], ...]:
    """The two networks of a site that AWS must route back on-prem: node CIDR and pod CIDR."""
    return (("node", entry.node_cidr), ("pod", entry.pod_cidr))


def vpc_routes_for(site: str, entry: SiteInventoryEntry, route_table_ids: Sequence[str]) -> list[VpcRoute]:
    return [
        VpcRoute(route_table_id=table, destination=cidr, role=role, site=site)
        for table in route_table_ids
        for role, cidr in site_destinations(entry)
    ]


def hub_vpc_routes(
    route_table_ids: Sequence[str],
    sites: Mapping[str, SiteInventoryEntry],
    aggregates: RemoteNetworksConfig | None = None,
) -> list[VpcRoute]:
    """Routes the hub owns, in every table: per kind, each aggregate when configured, else that CIDR of
    every `routeVia: transitGateway` site."""
    node_aggregates = aggregates.node_cidrs if aggregates else None
    pod_aggregates = aggregates.pod_cidrs if aggregates else None
    routes: list[VpcRoute] = []
    for table in route_table_ids:
        routes.extend(VpcRoute(table, cidr, "node", None) for cidr in node_aggregates or ())
        routes.extend(VpcRoute(table, cidr, "pod", None) for cidr in pod_aggregates or ())
    for site in sorted(sites):
        entry = sites[site]
        if entry.route_via != "transitGateway":
            continue
        routes.extend(
            route
            for route in vpc_routes_for(site, entry, route_table_ids)
            if not (node_aggregates if route.role == "node" else pod_aggregates)
        )
    return routes


def site_kind(site: SiteSpec) -> SiteKind:
    connectivity = site.connectivity
    if connectivity.type == "siteToSiteVpn":
        vpn = connectivity.site_to_site_vpn
        if vpn is not None and vpn.attach_to == "virtualPrivateGateway":
            return "vpnGatewayVpn"
        return "transitGatewayVpn"
    return connectivity.type


@dataclass(frozen=True)
class SiteNetworkPlan:
    """Everything a site's connectivity declares, decided before any resource is."""

    site: str
    kind: SiteKind
    node_cidr: str
    pod_cidr: str
    static_routes_only: bool
    transit_gateway_routes: tuple[str, ...]
    transit_gateway_propagation: bool
    vpn_connection_routes: tuple[str, ...]
    vpc_routes: tuple[VpcRoute, ...]
    vpc_route_target: VpcRouteTarget | None
    direct_connect_allowed_prefixes: tuple[str, ...]

    @property
    def uses_vpn(self) -> bool:
        return self.kind in ("transitGatewayVpn", "vpnGatewayVpn")


def plan_site(site: SiteSpec, inventory: HubInventory) -> SiteNetworkPlan:
    """The site's routes. Call after `check_site_against_hub` has passed: the site is in the inventory."""
    entry = inventory.sites[site.name]
    kind = site_kind(site)
    destinations = tuple(cidr for _, cidr in site_destinations(entry))
    vpn = site.connectivity.site_to_site_vpn
    static = vpn is not None and vpn.routing == "static"
    propagate = vpn is not None and vpn.propagate_routes
    own_routes = vpc_routes_for(site.name, entry, inventory.route_table_ids)

    tgw_routes: tuple[str, ...] = ()
    tgw_propagation = False
    vpn_routes: tuple[str, ...] = ()
    vpc_routes: tuple[VpcRoute, ...] = ()
    target: VpcRouteTarget | None = None
    dx_prefixes: tuple[str, ...] = ()

    if kind == "transitGatewayVpn":
        # The hub owns the VPC routes of TGW sites; the TGW needs routes back to the VPN attachment.
        tgw_routes = destinations if static else ()
        tgw_propagation = not static or propagate
    elif kind == "vpnGatewayVpn":
        vpn_routes = destinations if static else ()
        if not propagate:
            vpc_routes, target = tuple(own_routes), "vpnGateway"
    elif kind == "directConnect":
        dx = site.connectivity.direct_connect
        assert dx is not None
        dx_prefixes = (dx.private_subnet_cidr or inventory.vpc_cidr,)
        vpc_routes, target = tuple(own_routes), "vpnGateway"
    else:
        vpc_routes, target = tuple(own_routes), "networkInterface"

    return SiteNetworkPlan(
        site=site.name,
        kind=kind,
        node_cidr=entry.node_cidr,
        pod_cidr=entry.pod_cidr,
        static_routes_only=static,
        transit_gateway_routes=tgw_routes,
        transit_gateway_propagation=tgw_propagation,
        vpn_connection_routes=vpn_routes,
        vpc_routes=vpc_routes,
        vpc_route_target=target,
        direct_connect_allowed_prefixes=dx_prefixes,
    )


@dataclass(frozen=True)
class SubnetFacts:
    """What the hub needs to know of a subnet (from `aws.ec2.get_subnet`)."""

    subnet_id: str
    availability_zone: str
    vpc_id: str


def attachment_subnet_problems(
    attachment: Sequence[SubnetFacts],
    cluster: Sequence[SubnetFacts],
    *,
    vpc_id: str,
    explicit: bool,
    file: str,
) -> list[Problem]:
    """A transit gateway VPC attachment takes one subnet per Availability Zone, in the VPC; resources in an
    Availability Zone without an attachment subnet cannot reach the transit gateway (Transit Gateway guide,
    "Amazon VPC attachments"). A fact left empty (unknown, as offline) is not judged."""
    key = "eks-hybrid:transitGateway.subnetIds" if explicit else "eks-hybrid:cluster.subnetIds"
    problems: list[Problem] = []
    for subnet in attachment:
        if subnet.vpc_id and subnet.vpc_id != vpc_id:
            problems.append(
                Problem(
                    file, key, f"{subnet.subnet_id} is in {subnet.vpc_id}, not the cluster's VPC {vpc_id}"
                )
            )
    by_zone: dict[str, list[str]] = {}
    for subnet in attachment:
        if subnet.availability_zone:
            by_zone.setdefault(subnet.availability_zone, []).append(subnet.subnet_id)
    for zone, ids in sorted(by_zone.items()):
        if len(ids) > 1:
            fix = (
                "keep one per zone"
                if explicit
                else "set eks-hybrid:transitGateway.subnetIds to one subnet in each zone (small dedicated"
                " subnets are AWS's recommendation)"
            )
            problems.append(
                Problem(
                    file,
                    key,
                    f"{' and '.join(ids)} are all in {zone}: a transit gateway VPC attachment takes one"
                    f" subnet per Availability Zone; {fix}",
                )
            )
    if explicit:
        for subnet in cluster:
            if subnet.availability_zone and subnet.availability_zone not in by_zone:
                problems.append(
                    Problem(
                        file,
                        key,
                        f"no attachment subnet in {subnet.availability_zone}, where cluster subnet"
                        f" {subnet.subnet_id} is: traffic from an Availability Zone without one cannot reach"
                        " the transit gateway",
                    )
                )
    return problems
