"""`OnPremSite` builders for the renderer tests (no stack files, no Pulumi)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eks_hybrid.components.network.tunnels import STRONG_PROPOSALS
from eks_hybrid.components.onprem.model import (
    CiliumBgpPeering,
    EdgeHost,
    NodeIdentity,
    OnPremSite,
    Tunnel,
    VpnLink,
)

PSK1 = "site.tunnel_one.Kq83hZ2"
PSK2 = "site.tunnel_two.Wm55pR7"


def tunnels() -> tuple[Tunnel, ...]:
    return (
        Tunnel(1, "198.18.10.1", "169.254.10.1", "169.254.10.2", PSK1),
        Tunnel(2, "198.18.10.2", "169.254.10.5", "169.254.10.6", PSK2),
    )


def static_site(**changes: Any) -> OnPremSite:
    site = OnPremSite(
        name="dallas",
        hub="example-hub",
        connectivity="transitGatewayVpn",
        cluster_name="edge-prod",
        region="us-west-2",
        kubernetes_version="1.35",
        node_cidr="10.200.0.0/16",
        pod_cidr="192.168.0.0/16",
        vpc_cidr="10.100.0.0/16",
        service_cidr="172.20.0.0/16",
        pod_block_prefix_length=25,
        identity=NodeIdentity(
            "iamRolesAnywhere",
            trust_anchor_arn="arn:aws:rolesanywhere:us-west-2:111122223333:trust-anchor/a1",
            profile_arn="arn:aws:rolesanywhere:us-west-2:111122223333:profile/p1",
            role_arn="arn:aws:iam::111122223333:role/hybrid",
        ),
        vpn=VpnLink("static", "203.0.113.10", 65010, 64512, tunnels(), STRONG_PROPOSALS),
        edge_hosts=(
            EdgeHost("dallas-workers", "edge-1", "dallas-01", "amd64", {"site": "dallas"}),
            EdgeHost("dallas-workers", "edge-2", "", "amd64"),
        ),
    )
    return replace(site, **changes)


def bgp_site(**changes: Any) -> OnPremSite:
    site = static_site()
    assert site.vpn is not None
    return replace(site, vpn=replace(site.vpn, routing="bgp"), **changes)


def cilium(**changes: Any) -> CiliumBgpPeering:
    """The peering the hub applies for dallas: router 10.200.0.1 under the customer gateway's ASN."""
    return replace(CiliumBgpPeering(65100, "10.200.0.1", 65010, "1.18.4"), **changes)


def policy_site(**changes: Any) -> OnPremSite:
    """A static site asking for policy-based tunnels, whose node and pod CIDRs make one network."""
    site = static_site(node_cidr="10.200.0.0/16", pod_cidr="10.201.0.0/16")
    assert site.vpn is not None
    return replace(site, vpn=replace(site.vpn, policy_based=True), **changes)
