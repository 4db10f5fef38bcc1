"""Which sites reach which through AWS (`domain.reachability`): one verdict per pair, with its code."""

from __future__ import annotations

import pytest

from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain.reachability import SitePath, reachable_peers, site_reachability

TGW_STATIC = SitePath("dallas", "transitGatewayVpn", "static", 65010)
TGW_BGP = SitePath("austin", "transitGatewayVpn", "bgp", 65030)
VGW_STATIC = SitePath("chicago", "vpnGatewayVpn", "static", 65020)
VGW_BGP = SitePath("reno", "vpnGatewayVpn", "bgp", 65050)
DX = SitePath("denver", "directConnect")
APPLIANCE = SitePath("boise", "softwareVpn")
UNKNOWN = SitePath("tulsa", None)


def _only(first: SitePath, second: SitePath):
    (pair,) = site_reachability([first, second])
    return pair


def test_transit_gateway_sites_reach_each_other_whatever_their_routing():
    for other in (
        SitePath("seattle", "transitGatewayVpn", "bgp", 65031),
        SitePath("seattle", "transitGatewayVpn"),
    ):
        for site in (TGW_STATIC, TGW_BGP):
            pair = _only(site, other)
            assert pair.reachable and pair.code is None, pair


def test_two_bgp_sites_with_one_asn_drop_each_others_routes():
    pair = _only(TGW_BGP, SitePath("seattle", "transitGatewayVpn", "bgp", 65030))
    assert pair.verdict == "unreachable" and pair.code is Code.SITES_UNREACHABLE_SAME_ASN
    # static routing on either side puts no customer ASN in an AS path
    assert _only(TGW_STATIC, SitePath("seattle", "transitGatewayVpn", "bgp", 65010)).reachable


@pytest.mark.parametrize("vgw_site", [VGW_STATIC, VGW_BGP])
def test_a_vgw_vpn_site_does_not_reach_a_transit_gateway_or_appliance_site(vgw_site):
    for other in (TGW_STATIC, TGW_BGP, APPLIANCE):
        pair = _only(vgw_site, other)
        assert pair.verdict == "unreachable" and pair.code is Code.SITES_UNREACHABLE_GATEWAYS, pair
        assert "virtual private gateway routes only" in pair.reason


def test_a_direct_connect_site_reaches_no_other_site():
    for other in (
        TGW_STATIC,
        TGW_BGP,
        VGW_STATIC,
        VGW_BGP,
        APPLIANCE,
        UNKNOWN,
        SitePath("aspen", "directConnect"),
    ):
        pair = _only(DX, other)
        assert pair.verdict == "unreachable" and pair.code is Code.SITES_UNREACHABLE_DIRECT_CONNECT, pair
        assert "advertises only the VPC CIDR" in pair.reason


def test_vgw_vpn_sites_reach_each_other_only_through_cloudhub():
    other_bgp = SitePath("tahoe", "vpnGatewayVpn", "bgp", 65051)
    assert _only(VGW_BGP, other_bgp).reachable
    same_asn = _only(VGW_BGP, SitePath("tahoe", "vpnGatewayVpn", "bgp", 65050))
    assert same_asn.code is Code.SITES_UNREACHABLE_CLOUDHUB and "both use ASN 65050" in same_asn.reason
    static = _only(VGW_BGP, VGW_STATIC)
    assert static.code is Code.SITES_UNREACHABLE_CLOUDHUB and "chicago routes statically" in static.reason
    assert _only(VGW_BGP, SitePath("tahoe", "vpnGatewayVpn")).code is Code.SITES_REACH_UNKNOWN


def test_an_appliance_or_an_unknown_path_is_not_decided():
    for first, second in (
        (APPLIANCE, TGW_BGP),
        (APPLIANCE, SitePath("nampa", "softwareVpn")),
        (UNKNOWN, TGW_STATIC),
        (UNKNOWN, VGW_BGP),
    ):
        pair = _only(first, second)
        assert pair.verdict == "unknown" and pair.code is Code.SITES_REACH_UNKNOWN, pair


def test_pairs_come_in_name_order_and_peers_are_the_reachable_ones():
    paths = [TGW_STATIC, DX, TGW_BGP, VGW_STATIC, SitePath("seattle", "transitGatewayVpn")]
    pairs = site_reachability(paths)
    assert [p.sites for p in pairs] == sorted(p.sites for p in pairs)
    assert all(p.sites[0] < p.sites[1] for p in pairs) and len(pairs) == 10
    assert reachable_peers(paths, "dallas") == ("austin", "seattle")
    assert reachable_peers(paths, "chicago") == () and reachable_peers(paths, "denver") == ()
