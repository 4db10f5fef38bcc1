"""The network half: the hub's transit gateway and VGW, each site's path to the VPC, and their route sets."""

from .checks import check_site_against_hub, site_problems
from .hub import (
    TransitGatewayHub,
    TransitGatewayHubArgs,
    VirtualPrivateGateway,
    VirtualPrivateGatewayArgs,
)
from .planning import SiteNetworkPlan, VpcRoute, hub_vpc_routes, plan_site, site_kind
from .site import SiteConnectivity, SiteConnectivityArgs
from .tunnels import STRONG_PROPOSALS, TunnelProposals, tunnel_arguments

__all__ = [
    "STRONG_PROPOSALS",
    "SiteConnectivity",
    "SiteConnectivityArgs",
    "SiteNetworkPlan",
    "TransitGatewayHub",
    "TransitGatewayHubArgs",
    "TunnelProposals",
    "VirtualPrivateGateway",
    "VirtualPrivateGatewayArgs",
    "VpcRoute",
    "check_site_against_hub",
    "hub_vpc_routes",
    "plan_site",
    "site_kind",
    "site_problems",
    "tunnel_arguments",
]
