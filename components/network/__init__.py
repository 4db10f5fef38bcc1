"""The network half: the hub's transit gateway and VGW, each site's path to the VPC, and their route sets."""

from .._deprecated import moved as _moved
from ..sites import RemoteNetworkAggregates, SiteCidrs
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
    "hub_vpc_routes",
    "site_routes",
    "tunnel_arguments",
]

# Moved in 0.3.0 to the stack-file contract (`eks_hybrid.components.config`), which checks a site stack
# against its hub's outputs: internal to the stack-file programs, with no public replacement.
__getattr__ = _moved(
    __name__,
    {
        name: (
            "eks_hybrid.components.config._site_checks",
            "it checks a site stack file against its hub and is internal to `eks-hybrid plan`",
        )
        for name in ("check_site_against_hub", "site_kind", "site_problems")
    },
)
