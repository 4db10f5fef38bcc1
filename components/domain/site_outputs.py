"""What a site stack exports, one constant per output name: the site program writes its outputs under these
names, and every reader (`render`, `verify`, the post-deploy step) reads them by them."""

from __future__ import annotations

from typing import Final

__all__ = ["SiteOutput", "TunnelOutput"]


class SiteOutput:
    """The site stack's output names."""

    SITE: Final = "site"
    KIND: Final = "kind"
    NODE_CIDR: Final = "nodeCidr"
    POD_CIDR: Final = "podCidr"
    # A Site-to-Site VPN site's (transitGatewayVpn, vpnGatewayVpn).
    VPN_CONNECTION_ID: Final = "vpnConnectionId"
    CUSTOMER_GATEWAY_ID: Final = "customerGatewayId"
    TRANSIT_GATEWAY_ATTACHMENT_ID: Final = "transitGatewayAttachmentId"
    TUNNELS: Final = "tunnels"
    """A list of `TunnelOutput` entries, one per tunnel, in AWS's order."""
    TUNNEL_PRESHARED_KEYS: Final = "tunnelPresharedKeys"
    """Secret: the tunnels' pre-shared keys, in the order of `TUNNELS`."""
    # A site with Palette node pools.
    PALETTE_POOL_UIDS: Final = "palettePoolUids"


class TunnelOutput:
    """The keys of one entry of the site's `tunnels` output."""

    OUTSIDE_ADDRESS: Final = "outsideAddress"
    CUSTOMER_INSIDE_ADDRESS: Final = "customerInsideAddress"
    AWS_INSIDE_ADDRESS: Final = "awsInsideAddress"
