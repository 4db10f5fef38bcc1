"""One site's connectivity to the hub VPC: Site-to-Site VPN (TGW or VGW), Direct Connect or software VPN."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from ..config.site import SiteSpec, SiteToSiteVpnConfig
from ..ownership import NODE_CIDR_TAG, POD_CIDR_TAG
from .planning import SiteNetworkPlan, cidr_slug
from .tunnels import preshared_keys, tunnel_arguments

SITE_CONNECTIVITY = "eks-hybrid:network:SiteConnectivity"

# The largest ASN the `bgp_asn` input takes; 4-byte ASNs above it go in `bgp_asn_extended`.
_BGP_ASN_INPUT_MAX = 2_147_483_647


@dataclass(frozen=True)
class SiteConnectivityArgs:
    site: SiteSpec
    plan: SiteNetworkPlan
    transit_gateway_id: str
    transit_gateway_route_table_id: str
    vpn_gateway_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = True
    """Pulumi `protect` on the VPN connection or the Direct Connect gateway association (the site's link)."""


@dataclass(frozen=True)
class TunnelOutputs:
    outside_address: pulumi.Output[str]
    cgw_inside_address: pulumi.Output[str]
    aws_inside_address: pulumi.Output[str]
    preshared_key: pulumi.Output[str]


class SiteConnectivity(pulumi.ComponentResource):
    """Declares the site's path to the VPC as `SiteNetworkPlan` decided it."""

    vpn_connection_id: pulumi.Output[str] | None = None
    customer_gateway_id: pulumi.Output[str] | None = None
    transit_gateway_attachment_id: pulumi.Output[str] | None = None
    tunnels: tuple[TunnelOutputs, ...] = ()

    def __init__(
        self, name: str, args: SiteConnectivityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(SITE_CONNECTIVITY, name, None, opts)
        self._name = name
        self._args = args
        plan = args.plan
        route_target: dict[str, pulumi.Input[str]] = {}
        route_depends: list[pulumi.Resource] = []

        if plan.uses_vpn:
            vpn = self._vpn_connection(args.site.connectivity.site_to_site_vpn)
            if plan.kind == "transitGatewayVpn":
                self._transit_gateway_side(vpn)
            else:
                for cidr in plan.vpn_connection_routes:
                    aws.ec2.VpnConnectionRoute(
                        f"{name}-vpn-route-{cidr_slug(cidr)}",
                        vpn_connection_id=vpn.id,
                        destination_cidr_block=cidr,
                        opts=pulumi.ResourceOptions(parent=self),
                    )
                route_target = {"gateway_id": self._vpn_gateway_id()}
        elif plan.kind == "directConnect":
            dx = args.site.connectivity.direct_connect
            assert dx is not None
            association = aws.directconnect.GatewayAssociation(
                f"{name}-dx-association",
                dx_gateway_id=dx.gateway_id,
                associated_gateway_id=self._vpn_gateway_id(),
                allowed_prefixes=list(plan.direct_connect_allowed_prefixes),
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            route_target, route_depends = {"gateway_id": self._vpn_gateway_id()}, [association]
        else:
            appliance = args.site.connectivity.software_vpn
            assert appliance is not None
            route_target = {"network_interface_id": appliance.network_interface_id}

        for route in plan.vpc_routes:
            aws.ec2.Route(
                f"{name}-route-{route.key}",
                route_table_id=route.route_table_id,
                destination_cidr_block=route.destination,
                opts=pulumi.ResourceOptions(parent=self, depends_on=route_depends),
                **route_target,
            )

        self.register_outputs(self.exports())

    def _vpn_gateway_id(self) -> str:
        if not self._args.vpn_gateway_id:
            raise ValueError(f"site {self._args.plan.site}: {self._args.plan.kind} needs the hub's VGW id")
        return self._args.vpn_gateway_id

    def _vpn_connection(self, vpn: SiteToSiteVpnConfig | None) -> aws.ec2.VpnConnection:
        assert vpn is not None
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        asn = vpn.customer_gateway.bgp_asn
        asn_input = {"bgp_asn": str(asn)} if asn <= _BGP_ASN_INPUT_MAX else {"bgp_asn_extended": str(asn)}
        gateway = aws.ec2.CustomerGateway(
            f"{name}-customer-gateway",
            ip_address=vpn.customer_gateway.ip_address,
            type="ipsec.1",
            tags={**args.tags, "Name": f"{args.plan.site}-customer-gateway"},
            opts=child,
            **asn_input,
        )
        attach: dict[str, str] = (
            {"transit_gateway_id": args.transit_gateway_id}
            if args.plan.kind == "transitGatewayVpn"
            else {"vpn_gateway_id": self._vpn_gateway_id()}
        )
        keys = {
            arg: pulumi.Output.secret(key.get_secret_value())
            for arg, key in preshared_keys(vpn.tunnels).items()
        }
        options: dict[str, Any] = {**attach, **tunnel_arguments(vpn.tunnels), **keys}
        connection = aws.ec2.VpnConnection(
            f"{name}-vpn",
            customer_gateway_id=gateway.id,
            type="ipsec.1",
            static_routes_only=args.plan.static_routes_only,
            tags={
                **args.tags,
                "Name": f"{args.plan.site}-vpn",
                # The networks this connection carries, for people and for the policy pack's route rules.
                NODE_CIDR_TAG: args.plan.node_cidr,
                POD_CIDR_TAG: args.plan.pod_cidr,
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
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
        self.tunnels = (
            TunnelOutputs(
                connection.tunnel1_address,
                connection.tunnel1_cgw_inside_address,
                connection.tunnel1_vgw_inside_address,
                pulumi.Output.secret(connection.tunnel1_preshared_key),
            ),
            TunnelOutputs(
                connection.tunnel2_address,
                connection.tunnel2_cgw_inside_address,
                connection.tunnel2_vgw_inside_address,
                pulumi.Output.secret(connection.tunnel2_preshared_key),
            ),
        )
        return connection

    def _transit_gateway_side(self, vpn: aws.ec2.VpnConnection) -> None:
        """Associate the VPN attachment with the hub's route table and route the site's CIDRs to it."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        attachment_id = vpn.transit_gateway_attachment_id
        self.transit_gateway_attachment_id = attachment_id
        aws.ec2transitgateway.RouteTableAssociation(
            f"{name}-vpn-association",
            transit_gateway_attachment_id=attachment_id,
            transit_gateway_route_table_id=args.transit_gateway_route_table_id,
            opts=child,
        )
        if args.plan.transit_gateway_propagation:
            aws.ec2transitgateway.RouteTablePropagation(
                f"{name}-vpn-propagation",
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=args.transit_gateway_route_table_id,
                opts=child,
            )
        for cidr in args.plan.transit_gateway_routes:
            aws.ec2transitgateway.Route(
                f"{name}-tgw-route-{cidr_slug(cidr)}",
                destination_cidr_block=cidr,
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=args.transit_gateway_route_table_id,
                opts=child,
            )

    def exports(self) -> dict[str, pulumi.Input[object]]:
        """What the site stack exports for `render` and operators (pre-shared keys stay secret)."""
        outputs: dict[str, pulumi.Input[object]] = {"kind": self._args.plan.kind}
        if self.vpn_connection_id is not None:
            outputs["vpnConnectionId"] = self.vpn_connection_id
            outputs["customerGatewayId"] = self.customer_gateway_id
        if self.transit_gateway_attachment_id is not None:
            outputs["transitGatewayAttachmentId"] = self.transit_gateway_attachment_id
        if self.tunnels:
            # Addresses stay readable; the keys go in their own export so only they are secret.
            outputs["tunnels"] = [
                {
                    "outsideAddress": tunnel.outside_address,
                    "customerInsideAddress": tunnel.cgw_inside_address,
                    "awsInsideAddress": tunnel.aws_inside_address,
                }
                for tunnel in self.tunnels
            ]
            # Each key is a secret Output, so the list of them is secret too.
            outputs["tunnelPresharedKeys"] = pulumi.Output.all(*(t.preshared_key for t in self.tunnels))
        return outputs
