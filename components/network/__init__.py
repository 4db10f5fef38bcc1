"""The network half: the hub's transit gateway and VGW, each site's path to the VPC, and their route sets."""

from ..sites import RemoteNetworkAggregates, SiteCidrs
from .checks import check_site_against_hub, site_kind, site_problems
from .hub import (
    TRANSIT_GATEWAY_HUB,
    VIRTUAL_PRIVATE_GATEWAY,
    TransitGatewayHub,
    TransitGatewayHubArgs,
    VirtualPrivateGateway,
    VirtualPrivateGatewayArgs,
)
from .planning import SiteRoutes, VpcRoute, hub_vpc_routes, site_routes
from .site import (
    SITE_CONNECTIVITY,
    DirectConnect,
    SiteConnectivity,
    SiteConnectivityArgs,
    SiteToSiteVpn,
    SoftwareVpn,
    VpnTunnel,
)
from .tunnels import STRONG_PROPOSALS, TunnelProposals, tunnel_arguments

__all__ = [
    "SITE_CONNECTIVITY",
    "STRONG_PROPOSALS",
    "TRANSIT_GATEWAY_HUB",
    "VIRTUAL_PRIVATE_GATEWAY",
    "DirectConnect",
    "RemoteNetworkAggregates",
    "SiteCidrs",
    "SiteConnectivity",
    "SiteConnectivityArgs",
    "SiteRoutes",
    "SiteToSiteVpn",
    "SoftwareVpn",
    "TransitGatewayHub",
    "TransitGatewayHubArgs",
    "TunnelProposals",
    "VirtualPrivateGateway",
    "VirtualPrivateGatewayArgs",
    "VpcRoute",
    "VpnTunnel",
    "check_site_against_hub",
    "hub_vpc_routes",
    "site_kind",
    "site_problems",
    "site_routes",
    "tunnel_arguments",
]
