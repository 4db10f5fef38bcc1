"""The hub's network: a transit gateway with its own route table, and the VPC's virtual private gateway."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..config.hub import HubConfig, RemoteNetworksConfig, SiteInventoryEntry, VirtualPrivateGatewayConfig
from ..errors import Problem
from .planning import SubnetFacts, attachment_subnet_problems, cidr_slug, hub_vpc_routes

TRANSIT_GATEWAY_HUB = "eks-hybrid:network:TransitGatewayHub"
VIRTUAL_PRIVATE_GATEWAY = "eks-hybrid:network:VirtualPrivateGateway"


@dataclass(frozen=True)
class TransitGatewayHubArgs:
    vpc_id: str
    vpc_cidr: str
    subnet_ids: Sequence[str]
    route_table_ids: Sequence[str]
    sites: Mapping[str, SiteInventoryEntry]
    amazon_side_asn: int = 64512
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = True
    """Pulumi `protect` on the TGW and its VPC attachment: losing either cuts every TGW site off."""
    aggregates: RemoteNetworksConfig | None = None
    """Remote-network aggregates the VPC routes point at the TGW instead of each site's CIDRs."""
    attachment_subnet_ids: Sequence[str] | None = None
    """The VPC attachment's subnets, one per Availability Zone (default: `subnet_ids`)."""

    @classmethod
    def from_config(cls, hub: HubConfig) -> TransitGatewayHubArgs:
        return cls(
            vpc_id=hub.cluster.vpc_id,
            vpc_cidr=hub.cluster.vpc_cidr,
            subnet_ids=hub.cluster.subnet_ids,
            route_table_ids=hub.cluster.route_table_ids,
            sites=hub.sites,
            amazon_side_asn=hub.transit_gateway.amazon_side_asn,
            tags=hub.tags,
            protect=hub.protect,
            aggregates=hub.remote_networks,
            attachment_subnet_ids=hub.transit_gateway.subnet_ids,
        )

    @property
    def attachment_subnets(self) -> list[str]:
        return list(self.attachment_subnet_ids or self.subnet_ids)


def attachment_problems(args: TransitGatewayHubArgs, file: str) -> list[Problem]:
    """Whether the attachment's subnets are one per Availability Zone, in the VPC, and (when given apart
    from the cluster's) cover every zone of the cluster's subnets. Reads the subnets (plain invokes), so
    it runs before anything is declared."""
    explicit = args.attachment_subnet_ids is not None
    wanted = dict.fromkeys([*args.attachment_subnets, *(args.subnet_ids if explicit else ())])
    facts = {subnet_id: _subnet_facts(subnet_id) for subnet_id in wanted}
    return attachment_subnet_problems(
        [facts[s] for s in args.attachment_subnets],
        [facts[s] for s in args.subnet_ids],
        vpc_id=args.vpc_id,
        explicit=explicit,
        file=file,
    )


def _subnet_facts(subnet_id: str) -> SubnetFacts:
    result = aws.ec2.get_subnet(id=subnet_id)
    return SubnetFacts(subnet_id, result.availability_zone, result.vpc_id)


class TransitGatewayHub(pulumi.ComponentResource):
    """TGW (default association and propagation off), its route table, the VPC attachment, the VPC routes.

    In every configured VPC route table, the node and pod CIDRs of each `routeVia: transitGateway` site (or
    the remote-network aggregates standing for them) point at the TGW; each route depends on the
    attachment, as a route naming a TGW cannot exist before it.
    """

    transit_gateway_id: pulumi.Output[str]
    transit_gateway_arn: pulumi.Output[str]
    route_table_id: pulumi.Output[str]
    vpc_attachment_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: TransitGatewayHubArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TRANSIT_GATEWAY_HUB, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        vital = pulumi.ResourceOptions(parent=self, protect=args.protect)

        tgw = aws.ec2transitgateway.TransitGateway(
            f"{name}-tgw",
            description=f"{name}: EKS hybrid nodes hub",
            amazon_side_asn=args.amazon_side_asn,
            default_route_table_association="disable",
            default_route_table_propagation="disable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            tags={**args.tags, "Name": f"{name}-tgw"},
            opts=vital,
        )
        route_table = aws.ec2transitgateway.RouteTable(
            f"{name}-route-table",
            transit_gateway_id=tgw.id,
            tags={**args.tags, "Name": f"{name}-route-table"},
            opts=child,
        )
        attachment = aws.ec2transitgateway.VpcAttachment(
            f"{name}-vpc-attachment",
            transit_gateway_id=tgw.id,
            vpc_id=args.vpc_id,
            subnet_ids=args.attachment_subnets,
            transit_gateway_default_route_table_association=False,
            transit_gateway_default_route_table_propagation=False,
            tags={**args.tags, "Name": f"{name}-vpc-attachment"},
            opts=vital,
        )
        aws.ec2transitgateway.RouteTableAssociation(
            f"{name}-vpc-association",
            transit_gateway_attachment_id=attachment.id,
            transit_gateway_route_table_id=route_table.id,
            opts=child,
        )
        aws.ec2transitgateway.Route(
            f"{name}-tgw-route-{cidr_slug(args.vpc_cidr)}",
            destination_cidr_block=args.vpc_cidr,
            transit_gateway_attachment_id=attachment.id,
            transit_gateway_route_table_id=route_table.id,
            opts=child,
        )
        after_attachment = pulumi.ResourceOptions(parent=self, depends_on=[attachment])
        for route in hub_vpc_routes(args.route_table_ids, args.sites, args.aggregates):
            aws.ec2.Route(
                f"{name}-route-{route.key}",
                route_table_id=route.route_table_id,
                destination_cidr_block=route.destination,
                transit_gateway_id=tgw.id,
                opts=after_attachment,
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


@dataclass(frozen=True)
class VirtualPrivateGatewayArgs:
    vpc_id: str
    route_table_ids: Sequence[str]
    amazon_side_asn: int = 64513
    propagate_routes: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = True
    """Pulumi `protect` on the VGW and its attachment: every VGW VPN and Direct Connect site needs them."""

    @classmethod
    def from_config(cls, hub: HubConfig, vgw: VirtualPrivateGatewayConfig) -> VirtualPrivateGatewayArgs:
        return cls(
            vpc_id=hub.cluster.vpc_id,
            route_table_ids=hub.cluster.route_table_ids,
            amazon_side_asn=vgw.amazon_side_asn,
            propagate_routes=vgw.propagate_routes,
            tags=hub.tags,
            protect=hub.protect,
        )


class VirtualPrivateGateway(pulumi.ComponentResource):
    """The VPC's one VGW, attached, optionally propagating its routes into every VPC route table."""

    vpn_gateway_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: VirtualPrivateGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(VIRTUAL_PRIVATE_GATEWAY, name, None, opts)
        vital = pulumi.ResourceOptions(parent=self, protect=args.protect)
        gateway = aws.ec2.VpnGateway(
            f"{name}-vgw",
            amazon_side_asn=str(args.amazon_side_asn),
            tags={**args.tags, "Name": f"{name}-vgw"},
            opts=vital,
        )
        attachment = aws.ec2.VpnGatewayAttachment(
            f"{name}-vgw-attachment", vpc_id=args.vpc_id, vpn_gateway_id=gateway.id, opts=vital
        )
        if args.propagate_routes:
            for table in args.route_table_ids:
                aws.ec2.VpnGatewayRoutePropagation(
                    f"{name}-propagation-{table}",
                    route_table_id=table,
                    vpn_gateway_id=gateway.id,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
                )
        self.vpn_gateway_id = gateway.id
        self.register_outputs({"vpnGatewayId": gateway.id})
