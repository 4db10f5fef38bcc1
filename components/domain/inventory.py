"""One site's entry in the hub's inventory (`eks-hybrid:sites.<site>` in the hub's stack file, and the hub's
`siteInventory` output its sites read back)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ._base import ConfigModel
from .fields import Asn, IPv4, RemoteCidr, TunnelInsideCidr


class BgpPeerConfig(ConfigModel):
    """The site's on-prem router as its hybrid nodes peer with it over Cilium's BGP control plane: the
    hub applies the site's `CiliumBGPClusterConfig` from it, and `render` writes the router's side."""

    address: IPv4
    """The router's address in the site's node CIDR, on the nodes' segment: the nodes dial it."""
    asn: Asn
    """The router's ASN; with BGP to AWS, the customer gateway's `bgpAsn` (one BGP speaker)."""

    @field_validator("asn", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        # Read back from the hub's outputs (a StackReference), numbers arrive as doubles: 65030.0.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class SiteInventoryEntry(ConfigModel):
    """One site's CIDRs in the hub's inventory, who owns its VPC routes, its VPN tunnels' inside CIDRs, and
    the router its nodes peer with over BGP.

    `tunnel_inside_cidrs` records the inside CIDRs the site stack gives its tunnels, so the hub can check
    them unique across every VPN connection of the environment (AWS requires it per gateway).
    """

    node_cidr: RemoteCidr
    pod_cidr: RemoteCidr
    route_via: Literal["transitGateway", "site"] = "transitGateway"
    tunnel_inside_cidrs: list[TunnelInsideCidr] = Field(default_factory=list, max_length=2)
    bgp_peer: BgpPeerConfig | None = None
