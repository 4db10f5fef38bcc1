"""The hub's network: a transit gateway with its own route table, and the VPC's virtual private gateway.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .._aliases import renamed_from, renamed_route
from .._inputs import (
    Arguments,
    amazon_side_asn,
    as_text,
    checked_aggregates,
    checked_sites,
    name_tagged,
    vpc_cidr,
)
from .._tokens import component_type
from ..codes import Code
from ..domain import defaults
from ..sites import RemoteNetworkAggregates, SiteCidrs
from .planning import Role, hub_vpc_routes

__all__ = [
    "TRANSIT_GATEWAY_HUB",
    "VIRTUAL_PRIVATE_GATEWAY",
    "TransitGatewayHub",
    "TransitGatewayHubArgs",
    "VirtualPrivateGateway",
    "VirtualPrivateGatewayArgs",
]

TRANSIT_GATEWAY_HUB = "eks-hybrid:network:TransitGatewayHub"
VIRTUAL_PRIVATE_GATEWAY = "eks-hybrid:network:VirtualPrivateGateway"


class TransitGatewayHubArgs(TypedDict):
    """The arguments of `TransitGatewayHub`."""

    vpc_id: pulumi.Input[str]
    """The VPC the transit gateway attaches to."""
    vpc_cidr: pulumi.Input[str]
    """The VPC's IPv4 CIDR: the transit gateway's route table sends it to the VPC attachment."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """The VPC attachment's subnets, one per Availability Zone (small dedicated subnets are AWS's advice)."""
    route_tables: Mapping[str, pulumi.Input[str]]
    """The VPC route tables by a name you choose: each gets a route to the transit gateway for every remote
    CIDR. Routes are named by these keys (never by the ids), so write the mapping in the program; its
    values may be Outputs (`{"private-a": rtb.id}`)."""
    sites: NotRequired[Mapping[str, SiteCidrs]]
    """The sites whose node and pod CIDRs every route table sends to the transit gateway (those that reach
    the VPC through it), by site name; routes are named by it. Leave out the sites that route their own
    CIDRs (`SiteConnectivity` with `route_tables`)."""
    remote_network_aggregates: NotRequired[RemoteNetworkAggregates]
    """Aggregates routed instead of the sites' CIDRs of their kind, so the route tables do not grow with
    the sites."""
    amazon_side_asn: NotRequired[pulumi.Input[int]]
    """The transit gateway's private ASN (default 64512)."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for every resource that takes them (each also gets a `Name`)."""
    protect: NotRequired[bool]
    """Pulumi `protect` on the transit gateway and its VPC attachment, whose loss cuts every site off
    (default true)."""


class TransitGatewayHub(pulumi.ComponentResource):
    """A transit gateway for EKS hybrid nodes: default route-table association and propagation off, its own
    route table, the VPC attachment and its association, a route for the VPC CIDR, and in every VPC route
    table a route to the transit gateway for each site's node and pod CIDR (or each aggregate), each
    created after the attachment (a route naming a transit gateway cannot exist before it)."""

    transit_gateway_id: pulumi.Output[str]
    """The transit gateway's id: what each `SiteConnectivity` with a VPN on the transit gateway takes."""
    transit_gateway_arn: pulumi.Output[str]
    """The transit gateway's ARN."""
    route_table_id: pulumi.Output[str]
    """The transit gateway route table every attachment is associated with (`transit_gateway_route_table_id`
    of a site's VPN)."""
    vpc_attachment_id: pulumi.Output[str]
    """The VPC attachment's id."""

    def __init__(
        self, name: str, args: TransitGatewayHubArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(TRANSIT_GATEWAY_HUB), name, None, opts)
        arguments = Arguments("TransitGatewayHub", name)
        vpc = arguments.check("vpc_cidr", args["vpc_cidr"], vpc_cidr)
        asn = arguments.check(
            "amazon_side_asn", args.get("amazon_side_asn", defaults.TRANSIT_GATEWAY_ASN), amazon_side_asn
        )
        tables = arguments.plain_mapping("route_tables", args.get("route_tables"))
        if not tables and isinstance(args.get("route_tables"), Mapping):
            arguments.problem("route_tables", "needs at least one VPC route table", Code.TOO_SHORT)
        sites = checked_sites(arguments, args.get("sites"), beside={"vpc_cidr": args["vpc_cidr"]})
        node_aggregates, pod_aggregates = checked_aggregates(arguments, args.get("remote_network_aggregates"))
        protect = arguments.plain("protect", args.get("protect", True), (True, False))
        routes = hub_vpc_routes(
            sorted(tables), sorted(sites), sorted(node_aggregates), sorted(pod_aggregates)
        )
        arguments.unique_names([f"{name}-route-{route.key}" for route in routes], "route_tables")
        arguments.raise_problems()

        tags = args.get("tags")
        child = pulumi.ResourceOptions(parent=self)
        vital = pulumi.ResourceOptions(parent=self, protect=bool(protect))

        tgw = aws.ec2transitgateway.TransitGateway(
            f"{name}-tgw",
            description=f"{name}: EKS hybrid nodes hub",
            amazon_side_asn=asn,
            default_route_table_association="disable",
            default_route_table_propagation="disable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            tags=name_tagged(tags, f"{name}-tgw"),
            opts=vital,
        )
        route_table = aws.ec2transitgateway.RouteTable(
            f"{name}-route-table",
            transit_gateway_id=tgw.id,
            tags=name_tagged(tags, f"{name}-route-table"),
            opts=child,
        )
        attachment = aws.ec2transitgateway.VpcAttachment(
            f"{name}-vpc-attachment",
            transit_gateway_id=tgw.id,
            vpc_id=args["vpc_id"],
            subnet_ids=args["subnet_ids"],
            transit_gateway_default_route_table_association=False,
            transit_gateway_default_route_table_propagation=False,
            tags=name_tagged(tags, f"{name}-vpc-attachment"),
            opts=vital,
        )
        aws.ec2transitgateway.RouteTableAssociation(
            f"{name}-vpc-association",
            transit_gateway_attachment_id=attachment.id,
            transit_gateway_route_table_id=route_table.id,
            opts=child,
        )
        aws.ec2transitgateway.Route(
            f"{name}-tgw-route-vpc",
            destination_cidr_block=vpc,
            transit_gateway_attachment_id=attachment.id,
            transit_gateway_route_table_id=route_table.id,
            opts=pulumi.ResourceOptions(
                parent=self, aliases=renamed_from(f"{name}-tgw-route-vpc", f"{name}-tgw-route-", vpc)
            ),
        )
        destinations: dict[Role, Mapping[str, pulumi.Input[str]]] = {
            "node": node_aggregates or {key: site["node_cidr"] for key, site in sites.items()},
            "pod": pod_aggregates or {key: site["pod_cidr"] for key, site in sites.items()},
        }
        for route in routes:
            assert route.source is not None
            destination = destinations[route.role][route.source]
            aws.ec2.Route(
                f"{name}-route-{route.key}",
                route_table_id=tables[route.table],
                destination_cidr_block=destination,
                transit_gateway_id=tgw.id,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[attachment],
                    aliases=renamed_route(
                        f"{name}-route-{route.key}", name, tables[route.table], destination
                    ),
                ),
            )

        self.transit_gateway_id = tgw.id
        self.transit_gateway_arn = tgw.arn
        self.route_table_id = route_table.id
        self.vpc_attachment_id = attachment.id
        self.register_outputs(
            {
                "transitGatewayId": tgw.id,
                "transitGatewayArn": tgw.arn,
                "routeTableId": route_table.id,
                "vpcAttachmentId": attachment.id,
            }
        )


class VirtualPrivateGatewayArgs(TypedDict):
    """The arguments of `VirtualPrivateGateway`."""

    vpc_id: pulumi.Input[str]
    """The VPC the gateway attaches to (AWS attaches at most one virtual private gateway to a VPC)."""
    amazon_side_asn: NotRequired[pulumi.Input[int]]
    """The gateway's private ASN (default 64513)."""
    propagate_routes: NotRequired[bool]
    """Propagate the gateway's routes (VPN and Direct Connect) into every route table of `route_tables`
    (default false: each site routes its own CIDRs)."""
    route_tables: NotRequired[Mapping[str, pulumi.Input[str]]]
    """With `propagate_routes`, the VPC route tables to propagate into, by a name you choose (it names the
    propagations)."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the gateway (it also gets a `Name`)."""
    protect: NotRequired[bool]
    """Pulumi `protect` on the gateway and its attachment, which every VGW VPN and Direct Connect site
    needs (default true)."""


class VirtualPrivateGateway(pulumi.ComponentResource):
    """The VPC's one virtual private gateway, attached, optionally propagating its routes into route
    tables: shared by every site with a VPN on the gateway or Direct Connect."""

    vpn_gateway_id: pulumi.Output[str]
    """The gateway's id: what `SiteConnectivity` takes for a VPN on the gateway or Direct Connect."""

    def __init__(
        self, name: str, args: VirtualPrivateGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(VIRTUAL_PRIVATE_GATEWAY), name, None, opts)
        arguments = Arguments("VirtualPrivateGateway", name)
        asn = arguments.check(
            "amazon_side_asn", args.get("amazon_side_asn", defaults.VPN_GATEWAY_ASN), amazon_side_asn
        )
        propagate = arguments.plain("propagate_routes", args.get("propagate_routes", False), (True, False))
        tables = arguments.plain_mapping("route_tables", args.get("route_tables"))
        if propagate and not tables:
            arguments.problem(
                "route_tables",
                "propagate_routes needs the route tables to propagate into",
                Code.VALUE_REQUIRED,
            )
        protect = arguments.plain("protect", args.get("protect", True), (True, False))
        arguments.raise_problems()

        vital = pulumi.ResourceOptions(parent=self, protect=bool(protect))
        gateway = aws.ec2.VpnGateway(
            f"{name}-vgw",
            amazon_side_asn=as_text(asn),
            tags=name_tagged(args.get("tags"), f"{name}-vgw"),
            opts=vital,
        )
        attachment = aws.ec2.VpnGatewayAttachment(
            f"{name}-vgw-attachment", vpc_id=args["vpc_id"], vpn_gateway_id=gateway.id, opts=vital
        )
        if propagate:
            for key in sorted(tables):
                aws.ec2.VpnGatewayRoutePropagation(
                    f"{name}-propagation-{key}",
                    route_table_id=tables[key],
                    vpn_gateway_id=gateway.id,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
                )
        self.vpn_gateway_id = gateway.id
        self.register_outputs({"vpnGatewayId": gateway.id})
