"""Route sets for the hub and for each site: pure functions, no Pulumi, no config models.

Every destination is routed by exactly one owner. The hub routes the node and pod CIDRs of the sites it is
given (the `routeVia: transitGateway` sites of a hub stack) from every VPC route table to the transit
gateway; a site that does not reach the VPC through the transit gateway routes its own CIDRs to its
virtual private gateway, Direct Connect path or software-VPN appliance.

With remote-network aggregates, the hub routes each aggregate instead of each site's CIDR of that kind, so
the VPC route tables stay small however many sites there are; the transit gateway's route table still has
one route per site CIDR to that site's attachment (each site adds them), and a site's own, more specific
routes win over the aggregate by longest prefix.

Routes are planned by key, never by value: a route is named by its route table's key, the key of the site
or aggregate it leads to, and the role of the CIDR (`node` or `pod`), all names the caller chose. The CIDRs
and ids themselves may be Outputs; they never reach a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..codes import Code
from ..domain.reachability import SiteKind as SiteKind  # its home; imported from here too
from ..errors import Problem

VpcRouteTarget = Literal["transitGateway", "vpnGateway", "networkInterface"]
Role = Literal["node", "pod"]
ROLES: tuple[Role, Role] = ("node", "pod")
"""The two networks of a site that AWS must route back on-prem: its node CIDR and its pod CIDR."""


@dataclass(frozen=True)
class VpcRoute:
    """One route in one VPC route table: the table's key, the key of the site or aggregate the destination
    belongs to (None for a site's own route), and the destination's role. `key` names the resource."""

    table: str
    source: str | None
    role: Role

    @property
    def key(self) -> str:
        return "-".join(part for part in (self.table, self.source, self.role) if part)


def hub_vpc_routes(
    tables: Sequence[str],
    sites: Sequence[str],
    node_aggregates: Sequence[str] | None = None,
    pod_aggregates: Sequence[str] | None = None,
) -> list[VpcRoute]:
    """Routes the hub owns, in every table: per role, each aggregate when there are aggregates of that
    role, else that CIDR of every site. Ordered by table, role, then key, whatever order they came in."""
    aggregates = {"node": node_aggregates, "pod": pod_aggregates}
    return [
        VpcRoute(table, source, role)
        for table in tables
        for role in ROLES
        for source in sorted(aggregates[role] or sites)
    ]


@dataclass(frozen=True)
class SiteRoutes:
    """Everything a site's connectivity routes, decided before any resource is declared."""

    kind: SiteKind
    static_routes_only: bool
    transit_gateway_routes: tuple[Role, ...]
    """The site's CIDRs (by role) the hub's TGW route table sends to the VPN attachment."""
    transit_gateway_propagation: bool
    vpn_connection_routes: tuple[Role, ...]
    vpc_routes: tuple[VpcRoute, ...]
    vpc_route_target: VpcRouteTarget | None

    @property
    def uses_vpn(self) -> bool:
        return self.kind in ("transitGatewayVpn", "vpnGatewayVpn")


def site_routes(
    kind: SiteKind, *, static: bool = True, propagate: bool = False, tables: Sequence[str] = ()
) -> SiteRoutes:
    """A site's routes. `tables` are the VPC route tables the site routes its own CIDRs in (none for a VPN
    on the transit gateway, whose VPC routes the hub owns, nor for a VGW that propagates its routes)."""
    own = tuple(VpcRoute(table, None, role) for table in tables for role in ROLES)
    if kind == "transitGatewayVpn":
        # The TGW needs routes back to the VPN attachment: static ones, or BGP's propagated ones.
        return SiteRoutes(kind, static, ROLES if static else (), not static or propagate, (), (), None)
    if kind == "vpnGatewayVpn":
        return SiteRoutes(
            kind, static, (), False, ROLES if static else (), own, "vpnGateway" if own else None
        )
    if kind == "directConnect":
        return SiteRoutes(kind, False, (), False, (), own, "vpnGateway" if own else None)
    return SiteRoutes(kind, False, (), False, (), own, "networkInterface" if own else None)


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
                    file,
                    key,
                    f"{subnet.subnet_id} is in {subnet.vpc_id}, not the cluster's VPC {vpc_id}",
                    Code.ATTACHMENT_SUBNET_VPC,
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
                    Code.ATTACHMENT_SUBNETS_SAME_ZONE,
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
                        Code.ATTACHMENT_ZONE_MISSING,
                    )
                )
    return problems
