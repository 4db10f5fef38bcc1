"""One site's connectivity to the hub VPC: Site-to-Site VPN (on the TGW or the VGW), Direct Connect or a
software VPN.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .._aliases import renamed_from, renamed_route
from .._inputs import (
    Arguments,
    any_cidr,
    customer_asn,
    name_tagged,
    public_ipv4,
    remote_cidr,
    tunnel_inside_cidr,
)
from .._tokens import component_type
from ..codes import Code
from ..domain import cidrs
from ..errors import Reason
from ..ownership import NODE_CIDR_TAG, POD_CIDR_TAG
from .planning import Role, SiteKind, SiteRoutes, site_routes
from .tunnels import TUNNEL_NUMBERS, tunnel_arguments

__all__ = [
    "SITE_CONNECTIVITY",
    "DirectConnect",
    "SiteConnectivity",
    "SiteConnectivityArgs",
    "SiteToSiteVpn",
    "SoftwareVpn",
    "VpnTunnel",
]

SITE_CONNECTIVITY = "eks-hybrid:network:SiteConnectivity"

# The largest ASN the `bgp_asn` input takes; 4-byte ASNs above it go in `bgp_asn_extended`.
_BGP_ASN_INPUT_MAX = 2_147_483_647


class VpnTunnel(TypedDict, total=False):
    """Overrides for one tunnel of a VPN connection; AWS picks what is left out."""

    inside_cidr: pulumi.Input[str]
    """The tunnel's inside CIDR: a /30 in 169.254.0.0/16, unique among the VPN connections of the gateway."""
    preshared_key: pulumi.Input[str]
    """The tunnel's pre-shared key (secret: sent and kept as a Pulumi secret)."""


class SiteToSiteVpn(TypedDict):
    """A Site-to-Site VPN connection from the site's router, on the hub's transit gateway or on its virtual
    private gateway (give exactly one of `transit_gateway_id` and `vpn_gateway_id`)."""

    customer_gateway_ip: pulumi.Input[str]
    """The on-prem router's public IPv4 address."""
    bgp_asn: NotRequired[pulumi.Input[int]]
    """The router's BGP ASN (default 65000), also required by AWS with static routing."""
    routing: NotRequired[str]
    """`static` (default: routes for the node and pod CIDRs) or `bgp` (the router advertises them)."""
    transit_gateway_id: NotRequired[pulumi.Input[str]]
    """The hub's transit gateway (`TransitGatewayHub.transit_gateway_id`): a VPN on the transit gateway."""
    transit_gateway_route_table_id: NotRequired[pulumi.Input[str]]
    """With `transit_gateway_id`: the hub's transit gateway route table (`TransitGatewayHub.route_table_id`),
    which the VPN attachment is associated with and which routes the site's CIDRs to it."""
    vpn_gateway_id: NotRequired[pulumi.Input[str]]
    """The hub's virtual private gateway (`VirtualPrivateGateway.vpn_gateway_id`): a VPN on the gateway."""
    propagate_routes: NotRequired[bool]
    """On the transit gateway with static routing: also propagate the attachment's routes into the route
    table (BGP always does). A virtual private gateway's propagation belongs to `VirtualPrivateGateway`."""
    tunnels: NotRequired[Sequence[VpnTunnel]]
    """At most two tunnel overrides, the first for tunnel 1."""
    local_network_cidr: NotRequired[pulumi.Input[str]]
    """Policy-based tunnels only: the one traffic selector on the customer (on-premises) side, a network
    holding the node and pod CIDRs (AWS's `LocalIpv4NetworkCidr`; default 0.0.0.0/0, route-based). AWS
    allows a policy-based device one SA pair per tunnel (Site-to-Site VPN user guide, "Requirements for
    your customer gateway device"). Give it with `remote_network_cidr`."""
    remote_network_cidr: NotRequired[pulumi.Input[str]]
    """Policy-based tunnels only: the one traffic selector on the AWS side, the network the site reaches
    through the tunnel (AWS's `RemoteIpv4NetworkCidr`; default 0.0.0.0/0)."""


class DirectConnect(TypedDict):
    """A Direct Connect gateway associated with the hub's virtual private gateway."""

    gateway_id: pulumi.Input[str]
    """The Direct Connect gateway's id."""
    vpn_gateway_id: pulumi.Input[str]
    """The hub's virtual private gateway (`VirtualPrivateGateway.vpn_gateway_id`)."""
    allowed_prefixes: pulumi.Input[Sequence[pulumi.Input[str]]]
    """What AWS advertises on-premises: the VPC CIDR, or a prefix containing it (on a virtual private
    gateway association the allowed prefixes only filter what AWS advertises)."""


class SoftwareVpn(TypedDict):
    """A software VPN appliance in the VPC (for example strongSwan on EC2) that the site's traffic goes to."""

    network_interface_id: pulumi.Input[str]
    """The appliance's network interface: the VPC routes' target."""


class SiteConnectivityArgs(TypedDict):
    """The arguments of `SiteConnectivity`: the site's two networks and exactly one path to the VPC."""

    node_cidr: pulumi.Input[str]
    """The site's hybrid node CIDR."""
    pod_cidr: pulumi.Input[str]
    """The site's pod CIDR (it must not overlap the node CIDR)."""
    vpn: NotRequired[SiteToSiteVpn]
    """A Site-to-Site VPN connection."""
    direct_connect: NotRequired[DirectConnect]
    """A Direct Connect gateway association."""
    software_vpn: NotRequired[SoftwareVpn]
    """A software VPN appliance in the VPC."""
    route_tables: NotRequired[Mapping[str, pulumi.Input[str]]]
    """The VPC route tables in which this site routes its own node and pod CIDRs to its path (the virtual
    private gateway, or the appliance), by a name you choose: routes are named by these keys. Leave out for
    a VPN on the transit gateway (the `TransitGatewayHub` routes those) and when the virtual private gateway
    propagates routes."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for every resource that takes them (each also gets a `Name`)."""
    protect: NotRequired[bool]
    """Pulumi `protect` on the VPN connection or the Direct Connect association, the site's link (default
    true)."""


class SiteConnectivity(pulumi.ComponentResource):
    """A site's path to the hub VPC. **VPN on the transit gateway**: customer gateway, VPN connection (static
    routes only with static routing), the attachment's association with the hub's route table, and routes
    for the node and pod CIDRs to the attachment (BGP: propagation instead). **VPN on the virtual private
    gateway**: customer gateway, VPN connection, a connection route per CIDR (static routing), and VPC
    routes. **Direct Connect**: the gateway association, then VPC routes. **Software VPN**: VPC routes to
    the appliance. Every VPN tunnel offers only IKEv2, AES-256 with SHA-2 and DH groups 14, 19-21."""

    kind: pulumi.Output[str]
    """`transitGatewayVpn`, `vpnGatewayVpn`, `directConnect` or `softwareVpn`."""
    vpn_connection_id: pulumi.Output[str | None]
    """The VPN connection's id (VPNs only)."""
    customer_gateway_id: pulumi.Output[str | None]
    """The customer gateway's id (VPNs only)."""
    transit_gateway_attachment_id: pulumi.Output[str | None]
    """The VPN's transit gateway attachment (VPNs on the transit gateway only)."""
    tunnel_outside_addresses: pulumi.Output[list[str] | None]
    """AWS's outside address of tunnel 1 and tunnel 2: what the on-prem router connects to (VPNs only)."""
    tunnel_customer_inside_addresses: pulumi.Output[list[str] | None]
    """The on-prem router's inside address of each tunnel (VPNs only)."""
    tunnel_aws_inside_addresses: pulumi.Output[list[str] | None]
    """AWS's inside address of each tunnel, the router's BGP neighbour (VPNs only)."""
    tunnel_preshared_keys: pulumi.Output[list[str] | None]
    """The pre-shared key of each tunnel, given or generated by AWS (secret; VPNs only)."""

    def __init__(
        self, name: str, args: SiteConnectivityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(SITE_CONNECTIVITY), name, None, opts)
        arguments = Arguments("SiteConnectivity", name)
        node = arguments.check("node_cidr", args["node_cidr"], remote_cidr)
        pod = arguments.check("pod_cidr", args["pod_cidr"], remote_cidr)
        if isinstance(node, str) and isinstance(pod, str) and _overlap(node, pod):
            arguments.problem(
                "pod_cidr", f"{pod} overlaps the node CIDR {node}: they must not overlap", Code.CIDR_OVERLAP
            )
        cidr: dict[Role, pulumi.Input[str]] = {"node": node, "pod": pod}
        paths = [key for key in ("vpn", "direct_connect", "software_vpn") if args.get(key) is not None]
        if len(paths) != 1:
            arguments.problem(
                "vpn",
                "give exactly one of vpn, direct_connect and software_vpn"
                f" (got {', '.join(paths) or 'none'})",
                Code.ONE_OF_REQUIRED,
            )
        tables = arguments.plain_mapping("route_tables", args.get("route_tables"))
        protect = bool(arguments.plain("protect", args.get("protect", True), (True, False)))
        vpn = args.get("vpn")
        kind, plan = self._plan(arguments, vpn, args.get("direct_connect"), sorted(tables))
        checked_vpn = _checked_vpn(arguments, vpn) if vpn is not None else None
        arguments.raise_problems()

        self._name = name
        self._tags = args.get("tags")
        self._cidrs = (args["node_cidr"], args["pod_cidr"])
        self.kind = pulumi.Output.from_input(kind)
        none: pulumi.Output[Any] = pulumi.Output.from_input(None)
        self.vpn_connection_id = self.customer_gateway_id = self.transit_gateway_attachment_id = none
        self.tunnel_outside_addresses = self.tunnel_customer_inside_addresses = none
        self.tunnel_aws_inside_addresses = self.tunnel_preshared_keys = none

        route_target: dict[str, pulumi.Input[str]] = {}
        route_depends: list[pulumi.Resource] = []
        if vpn is not None and checked_vpn is not None and plan.uses_vpn:
            connection = self._vpn_connection(checked_vpn, plan, protect)
            if plan.kind == "transitGatewayVpn":
                self._transit_gateway_side(vpn, connection, plan, cidr)
            else:
                for role in plan.vpn_connection_routes:
                    aws.ec2.VpnConnectionRoute(
                        f"{name}-vpn-route-{role}",
                        vpn_connection_id=connection.id,
                        destination_cidr_block=cidr[role],
                        opts=pulumi.ResourceOptions(
                            parent=self,
                            aliases=renamed_from(
                                f"{name}-vpn-route-{role}", f"{name}-vpn-route-", cidr[role]
                            ),
                        ),
                    )
                route_target = {"gateway_id": vpn.get("vpn_gateway_id", "")}
        elif plan.kind == "directConnect":
            dx = args.get("direct_connect")
            assert dx is not None
            association = aws.directconnect.GatewayAssociation(
                f"{name}-dx-association",
                dx_gateway_id=dx["gateway_id"],
                associated_gateway_id=dx["vpn_gateway_id"],
                allowed_prefixes=arguments.check(
                    "direct_connect.allowed_prefixes", dx["allowed_prefixes"], _cidrs
                ),
                opts=pulumi.ResourceOptions(parent=self, protect=protect),
            )
            route_target, route_depends = {"gateway_id": dx["vpn_gateway_id"]}, [association]
        else:
            appliance = args.get("software_vpn")
            assert appliance is not None
            route_target = {"network_interface_id": appliance["network_interface_id"]}

        for route in plan.vpc_routes:
            aws.ec2.Route(
                f"{name}-route-{route.key}",
                route_table_id=tables[route.table],
                destination_cidr_block=cidr[route.role],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=route_depends,
                    aliases=renamed_route(
                        f"{name}-route-{route.key}", name, tables[route.table], cidr[route.role]
                    ),
                ),
                **route_target,
            )
        self.register_outputs(
            {
                "kind": kind,
                "vpnConnectionId": self.vpn_connection_id,
                "customerGatewayId": self.customer_gateway_id,
                "transitGatewayAttachmentId": self.transit_gateway_attachment_id,
            }
        )

    @staticmethod
    def _plan(
        arguments: Arguments,
        vpn: SiteToSiteVpn | None,
        dx: DirectConnect | None,
        tables: Sequence[str],
    ) -> tuple[SiteKind, SiteRoutes]:
        """The path's kind and routes, with every problem of the path's arguments noted."""
        if vpn is None:
            kind: SiteKind = "directConnect" if dx is not None else "softwareVpn"
            return kind, site_routes(kind, tables=tables)
        routing = arguments.plain("vpn.routing", vpn.get("routing", "static"), ("static", "bgp"))
        propagate = arguments.plain("vpn.propagate_routes", vpn.get("propagate_routes", False), (True, False))
        on_tgw, on_vgw = vpn.get("transit_gateway_id") is not None, vpn.get("vpn_gateway_id") is not None
        if on_tgw == on_vgw:
            arguments.problem(
                "vpn", "give exactly one of transit_gateway_id and vpn_gateway_id", Code.ONE_OF_REQUIRED
            )
        if on_tgw and vpn.get("transit_gateway_route_table_id") is None:
            arguments.problem(
                "vpn.transit_gateway_route_table_id",
                "is required with transit_gateway_id (the hub's route table)",
                Code.VALUE_REQUIRED,
            )
        if on_tgw and tables:
            arguments.problem(
                "route_tables",
                "a VPN on the transit gateway is routed in the VPC by the TransitGatewayHub (its `sites`):"
                " leave route_tables out",
                Code.ROUTE_TABLES_UNUSED,
            )
        if on_vgw and propagate:
            arguments.problem(
                "vpn.propagate_routes",
                "route propagation of a virtual private gateway is per route table and belongs to"
                " VirtualPrivateGateway(propagate_routes=True): leave it out here",
                Code.ROUTE_PROPAGATION_IN_HUB,
            )
        tunnels = arguments.plain_list("vpn.tunnels", vpn.get("tunnels"))
        if len(tunnels) > len(TUNNEL_NUMBERS):
            arguments.problem(
                "vpn.tunnels", f"{len(tunnels)} tunnels: a VPN connection has two", Code.TOO_MANY_TUNNELS
            )
        kind = "transitGatewayVpn" if on_tgw else "vpnGatewayVpn"
        return kind, site_routes(kind, static=routing != "bgp", propagate=bool(propagate), tables=tables)

    def _vpn_connection(self, vpn: "_CheckedVpn", plan: SiteRoutes, protect: bool) -> aws.ec2.VpnConnection:
        name = self._name
        child = pulumi.ResourceOptions(parent=self)
        asn, address, tunnels, inside = vpn.asn, vpn.address, vpn.tunnels, vpn.inside
        gateway = aws.ec2.CustomerGateway(
            f"{name}-customer-gateway",
            ip_address=address,
            type="ipsec.1",
            tags=name_tagged(self._tags, f"{name}-customer-gateway"),
            opts=child,
            **_bgp_asn_input(asn),
        )
        attach: dict[str, pulumi.Input[str]] = (
            {"transit_gateway_id": vpn.given.get("transit_gateway_id", "")}
            if plan.kind == "transitGatewayVpn"
            else {"vpn_gateway_id": vpn.given.get("vpn_gateway_id", "")}
        )
        keys = {
            f"tunnel{number}_preshared_key": pulumi.Output.secret(tunnel["preshared_key"])
            for number, tunnel in zip(TUNNEL_NUMBERS, tunnels, strict=False)
            if tunnel.get("preshared_key") is not None
        }
        options: dict[str, Any] = {**attach, **tunnel_arguments(inside), **keys, **vpn.selectors}
        connection = aws.ec2.VpnConnection(
            f"{name}-vpn",
            customer_gateway_id=gateway.id,
            type="ipsec.1",
            static_routes_only=plan.static_routes_only,
            # The networks this connection carries, for people and for the policy pack's route rules.
            tags=pulumi.Output.all(name_tagged(self._tags, f"{name}-vpn"), *self._cidrs).apply(
                lambda values: {**values[0], NODE_CIDR_TAG: values[1], POD_CIDR_TAG: values[2]}
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=protect,
                additional_secret_outputs=[
                    "customerGatewayConfiguration",
                    "tunnel1PresharedKey",
                    "tunnel2PresharedKey",
                ],
            ),
            **options,
        )
        self.customer_gateway_id = gateway.id
        self.vpn_connection_id = connection.id
        self.tunnel_outside_addresses = pulumi.Output.all(
            connection.tunnel1_address, connection.tunnel2_address
        )
        self.tunnel_customer_inside_addresses = pulumi.Output.all(
            connection.tunnel1_cgw_inside_address, connection.tunnel2_cgw_inside_address
        )
        self.tunnel_aws_inside_addresses = pulumi.Output.all(
            connection.tunnel1_vgw_inside_address, connection.tunnel2_vgw_inside_address
        )
        self.tunnel_preshared_keys = pulumi.Output.secret(
            pulumi.Output.all(connection.tunnel1_preshared_key, connection.tunnel2_preshared_key)
        )
        return connection

    def _transit_gateway_side(
        self,
        vpn: SiteToSiteVpn,
        connection: aws.ec2.VpnConnection,
        plan: SiteRoutes,
        cidr: Mapping[Role, pulumi.Input[str]],
    ) -> None:
        """Associate the VPN attachment with the hub's route table and route the site's CIDRs to it."""
        name = self._name
        child = pulumi.ResourceOptions(parent=self)
        route_table = vpn.get("transit_gateway_route_table_id", "")
        attachment_id = connection.transit_gateway_attachment_id
        self.transit_gateway_attachment_id = attachment_id
        aws.ec2transitgateway.RouteTableAssociation(
            f"{name}-vpn-association",
            transit_gateway_attachment_id=attachment_id,
            transit_gateway_route_table_id=route_table,
            opts=child,
        )
        if plan.transit_gateway_propagation:
            aws.ec2transitgateway.RouteTablePropagation(
                f"{name}-vpn-propagation",
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=route_table,
                opts=child,
            )
        for role in plan.transit_gateway_routes:
            aws.ec2transitgateway.Route(
                f"{name}-tgw-route-{role}",
                destination_cidr_block=cidr[role],
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=route_table,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    aliases=renamed_from(f"{name}-tgw-route-{role}", f"{name}-tgw-route-", cidr[role]),
                ),
            )


@dataclass(frozen=True)
class _CheckedVpn:
    """A VPN's arguments after their checks (checked Outputs check themselves when they resolve)."""

    given: SiteToSiteVpn
    asn: pulumi.Input[int]
    address: pulumi.Input[str]
    tunnels: list[VpnTunnel]
    inside: list[pulumi.Input[str] | None]
    selectors: dict[str, pulumi.Input[str]]
    """`local_ipv4_network_cidr` and `remote_ipv4_network_cidr` for policy-based tunnels, else empty."""


def _checked_vpn(arguments: Arguments, vpn: SiteToSiteVpn) -> _CheckedVpn:
    tunnels = list(vpn.get("tunnels") or [])
    inside = [
        arguments.check(f"vpn.tunnels[{i}].inside_cidr", t["inside_cidr"], tunnel_inside_cidr)
        if t.get("inside_cidr") is not None
        else None
        for i, t in enumerate(tunnels)
    ]
    known_inside = [c for c in inside if isinstance(c, str)]
    if len(set(known_inside)) < len(known_inside):
        arguments.problem(
            "vpn.tunnels", "the two tunnels need different inside CIDRs", Code.TUNNEL_CIDR_DUPLICATE
        )
    local, remote = vpn.get("local_network_cidr"), vpn.get("remote_network_cidr")
    selectors: dict[str, pulumi.Input[str]] = {}
    if (local is None) != (remote is None):
        arguments.problem(
            "vpn.local_network_cidr" if local is None else "vpn.remote_network_cidr",
            "policy-based tunnels need both local_network_cidr and remote_network_cidr (one selector pair)",
            Code.POLICY_BASED_SELECTORS,
        )
    elif local is not None and remote is not None:
        if vpn.get("routing", "static") == "bgp":
            arguments.problem(
                "vpn.local_network_cidr",
                "BGP runs over route-based tunnels: leave out local_network_cidr and remote_network_cidr",
                Code.POLICY_BASED_WITH_BGP,
            )
        selectors = {
            "local_ipv4_network_cidr": arguments.check("vpn.local_network_cidr", local, any_cidr),
            "remote_ipv4_network_cidr": arguments.check("vpn.remote_network_cidr", remote, any_cidr),
        }
    return _CheckedVpn(
        given=vpn,
        asn=arguments.check("vpn.bgp_asn", vpn.get("bgp_asn", 65000), customer_asn),
        address=arguments.check("vpn.customer_gateway_ip", vpn["customer_gateway_ip"], public_ipv4),
        tunnels=tunnels,
        inside=inside,
        selectors=selectors,
    )


def _bgp_asn_input(asn: pulumi.Input[int]) -> dict[str, pulumi.Input[str]]:
    """`bgp_asn` up to 2147483647, `bgp_asn_extended` above (4-byte ASNs); an Output is placed when known."""
    if isinstance(asn, int):
        return {"bgp_asn": str(asn)} if asn <= _BGP_ASN_INPUT_MAX else {"bgp_asn_extended": str(asn)}
    value: pulumi.Output[Any] = pulumi.Output.from_input(asn)
    below: pulumi.Output[Any] = value.apply(lambda a: str(a) if a <= _BGP_ASN_INPUT_MAX else None)
    above: pulumi.Output[Any] = value.apply(lambda a: str(a) if a > _BGP_ASN_INPUT_MAX else None)
    return {"bgp_asn": below, "bgp_asn_extended": above}


def _overlap(first: str, second: str) -> bool:
    try:
        return cidrs.parse_ipv4_network(first).overlaps(cidrs.parse_ipv4_network(second))
    except cidrs.CidrRuleError:
        return False


def _cidrs(values: Sequence[str]) -> Reason | None:
    return next((problem for value in values if (problem := any_cidr(value))), None)
