"""frr.conf rendering: sessions with AWS over both tunnels, the listen range for the nodes, filters."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.domain.bgp_scale import listen_limit, routes_to_aws
from eks_hybrid.components.onprem.frr import (
    frr_conf,
    needs_frr,
    passes_node_blocks_to_aws,
    pod_block_prefix_list,
)
from eks_hybrid.components.onprem.model import DirectConnectLink, EdgeHost, OnPremSite

from .sites import bgp_site, cilium, static_site


def test_static_routing_without_cilium_bgp_needs_no_frr():
    assert not needs_frr(static_site())
    assert frr_conf(static_site()) is None


def test_bgp_peers_with_the_aws_inside_address_of_both_tunnels_under_the_amazon_asn():
    text = frr_conf(bgp_site())
    assert text is not None
    assert "router bgp 65010" in text
    assert " neighbor AWS remote-as 64512" in text
    assert " neighbor 169.254.10.1 peer-group AWS" in text and " neighbor 169.254.10.5 peer-group AWS" in text
    assert " neighbor AWS timers 10 30" in text  # AWS's keepalive and hold time
    assert " bgp router-id 169.254.10.2" in text


def test_bgp_advertises_exactly_the_node_and_pod_cidrs_and_accepts_only_the_vpc():
    text = frr_conf(bgp_site())
    assert text is not None
    assert "  network 10.200.0.0/16" in text and "  network 192.168.0.0/16" in text
    assert "ip prefix-list EKS-HYBRID-SITE seq 10 permit 10.200.0.0/16" in text
    assert "ip prefix-list EKS-HYBRID-SITE seq 20 permit 192.168.0.0/16" in text
    assert "ip prefix-list EKS-HYBRID-VPC seq 10 permit 10.100.0.0/16" in text
    assert "  neighbor AWS route-map AWS-IN in" in text and "  neighbor AWS route-map AWS-OUT out" in text
    # `network` needs the prefix in the RIB: blackhole anchors of the worst distance
    assert "ip route 10.200.0.0/16 blackhole 254" in text and "ip route 192.168.0.0/16 blackhole 254" in text
    # static routes precede route maps (a daemon reading the file alone would skip them otherwise)
    assert text.index("ip route ") < text.index("route-map ")


def test_cilium_bgp_adds_a_listen_range_over_the_node_cidr_for_the_cluster_asn():
    text = frr_conf(static_site(cilium_bgp=cilium()))
    assert text is not None
    assert " bgp listen range 10.200.0.0/16 peer-group CILIUM" in text
    assert " neighbor CILIUM remote-as 65100" in text
    assert "ip prefix-list EKS-HYBRID-POD-BLOCKS seq 10 permit 192.168.0.0/16 ge 25 le 25" in text
    assert "route-map CILIUM-OUT deny 10" in text
    assert "AWS" not in text  # static routing: no sessions with AWS
    assert "router bgp 65010" in text  # the customer gateway's ASN


def test_the_router_speaks_bgp_under_its_bgp_peer_asn():
    # A site without a VPN (Direct Connect) has no customer gateway: the hub's bgpPeer.asn is the router's.
    text = frr_conf(static_site(vpn=None, cilium_bgp=cilium(router_asn=65001)))
    assert text is not None and "router bgp 65001" in text
    # With static routing to AWS the customer gateway's ASN is nominal; the nodes peer with bgpPeer.asn.
    text = frr_conf(static_site(cilium_bgp=cilium(router_asn=65002)))
    assert text is not None and "router bgp 65002" in text


def test_one_pool_per_site_keeps_node_blocks_from_aws():
    text = frr_conf(bgp_site(cilium_bgp=cilium(ipam="multiPool")))
    assert text is not None
    assert "route-map AWS-OUT permit 20" not in text
    assert text.count("ip prefix-list EKS-HYBRID-POD-BLOCKS") == 1


def test_cluster_pool_over_several_sites_accepts_every_sites_blocks_and_passes_them_to_aws():
    # Cilium's cluster-pool hands a dallas node a block of any CIDR of the pool: AWS must learn where it is.
    text = frr_conf(bgp_site(cilium_bgp=cilium(shared_pod_cidrs=("172.18.0.0/16", "172.19.0.0/16"))))
    assert text is not None
    assert "ip prefix-list EKS-HYBRID-POD-BLOCKS seq 10 permit 192.168.0.0/16 ge 25 le 25" in text
    assert "ip prefix-list EKS-HYBRID-POD-BLOCKS seq 20 permit 172.18.0.0/16 ge 25 le 25" in text
    assert "ip prefix-list EKS-HYBRID-POD-BLOCKS seq 30 permit 172.19.0.0/16 ge 25 le 25" in text
    aws_out = text.split("route-map AWS-OUT permit 20\n", 1)[1].split("exit", 1)[0]
    assert aws_out.strip() == "match ip address prefix-list EKS-HYBRID-POD-BLOCKS"
    # the aggregates still go (permit 10)
    assert "route-map AWS-OUT permit 10\n match ip address prefix-list EKS-HYBRID-SITE" in text
    # without BGP to AWS there is nothing to pass them on to
    static = frr_conf(static_site(cilium_bgp=cilium(shared_pod_cidrs=("172.18.0.0/16",))))
    assert static is not None and "AWS-OUT" not in static


def test_pod_block_prefix_lists():
    assert pod_block_prefix_list("192.168.0.0/16", 25) == "permit 192.168.0.0/16 ge 25 le 25"
    assert pod_block_prefix_list("192.168.0.0/24", 24) == "permit 192.168.0.0/24"
    with pytest.raises(ValueError, match="does not fit"):
        pod_block_prefix_list("192.168.0.0/24", 20)


def _hosts(count: int) -> tuple[EdgeHost, ...]:
    return tuple(EdgeHost("dallas-workers", f"edge-{n}", "", "amd64") for n in range(count))


def test_the_listen_limit_covers_every_host_twice_and_never_drops_below_frrs_default():
    assert " bgp listen limit 100" in (frr_conf(static_site(cilium_bgp=cilium())) or "")
    text = frr_conf(static_site(cilium_bgp=cilium(), edge_hosts=_hosts(180))) or ""
    assert " bgp listen limit 360" in text  # FRR's default of 100 would refuse the 101st node
    assert listen_limit(0) == 100 and listen_limit(51) == 102 and listen_limit(40_000) == 65_535
    assert "listen limit" not in (frr_conf(bgp_site()) or "")  # no nodes peer: no listen range


def test_the_rendered_route_count_matches_what_the_router_advertises():
    site = bgp_site(cilium_bgp=cilium(shared_pod_cidrs=("192.169.0.0/16",)), edge_hosts=_hosts(40))
    assert passes_node_blocks_to_aws(site)
    assert "! Advertises 42 of the 100 routes AWS accepts" in (frr_conf(site) or "")
    assert "! Advertises 2 of the 100 routes" in (frr_conf(bgp_site(cilium_bgp=cilium())) or "")
    assert routes_to_aws(98, True) == 100 and routes_to_aws(500, False) == 2


def _dx_site(**changes: Any) -> OnPremSite:
    link = DirectConnectLink(
        "<DX_VLAN>",
        "<DX_CUSTOMER_ADDRESS>",
        "<DX_AMAZON_ADDRESS>",
        "<DX_GATEWAY_ASN>",
        65001,
        "<DX_BGP_AUTH_KEY>",
    )
    return static_site(connectivity="directConnect", vpn=None, direct_connect=link, **changes)


def test_a_direct_connect_site_peers_with_the_private_vif_and_advertises_its_cidrs():
    text = frr_conf(_dx_site())
    assert text is not None
    assert "router bgp 65001" in text
    assert " neighbor AWS remote-as <DX_GATEWAY_ASN>" in text
    assert " neighbor AWS password <DX_BGP_AUTH_KEY>" in text
    assert " neighbor <DX_AMAZON_ADDRESS> peer-group AWS" in text
    assert " bgp router-id <DX_CUSTOMER_ADDRESS>" in text
    assert "  network 10.200.0.0/16" in text and "  network 192.168.0.0/16" in text
    assert "ip prefix-list EKS-HYBRID-VPC seq 10 permit 10.100.0.0/16" in text
    assert "  neighbor AWS route-map AWS-OUT out" in text and "VLAN <DX_VLAN>" in text
    assert "timers" not in text  # the VPN's 10/30 timers are not the VIF's
    # with Cilium BGP the same router also listens for the nodes, under the bgpPeer ASN
    both = frr_conf(_dx_site(cilium_bgp=cilium(router_asn=65001))) or ""
    assert "router bgp 65001" in both and " bgp listen range 10.200.0.0/16 peer-group CILIUM" in both
    assert " neighbor AWS remote-as <DX_GATEWAY_ASN>" in both


def test_aws_in_accepts_the_other_transit_gateway_sites_networks_exactly():
    # AWS's hybrid nodes networking table: remote pod CIDRs <-> remote pod CIDRs, so another site's node
    # and pod CIDRs, which the transit gateway advertises, must pass AWS-IN.
    others = ("10.61.0.0/16", "172.24.0.0/16")
    text = frr_conf(bgp_site(other_site_networks=others))
    assert text is not None
    assert "ip prefix-list EKS-HYBRID-OTHER-SITES seq 10 permit 10.61.0.0/16" in text
    assert "ip prefix-list EKS-HYBRID-OTHER-SITES seq 20 permit 172.24.0.0/16" in text
    aws_in = text.split("route-map AWS-IN permit 20\n", 1)[1].split("exit", 1)[0]
    assert aws_in.strip() == "match ip address prefix-list EKS-HYBRID-OTHER-SITES"
    assert "route-map AWS-IN permit 10\n match ip address prefix-list EKS-HYBRID-VPC" in text
    # exact prefixes only: a longer prefix of another site's CIDR is not accepted
    assert "EKS-HYBRID-OTHER-SITES seq 10 permit 10.61.0.0/16 ge" not in text
    alone = frr_conf(bgp_site())
    assert alone is not None and "OTHER-SITES" not in alone and "AWS-IN permit 20" not in alone


def test_cluster_pool_over_several_sites_accepts_node_blocks_from_aws():
    # A block of this site's pod CIDR held by another site's node comes back from the transit gateway; it
    # must win over this site's blackhole aggregate.
    text = frr_conf(bgp_site(cilium_bgp=cilium(shared_pod_cidrs=("172.18.0.0/16",))))
    assert text is not None
    aws_in = text.split("route-map AWS-IN permit 30\n", 1)[1].split("exit", 1)[0]
    assert aws_in.strip() == "match ip address prefix-list EKS-HYBRID-POD-BLOCKS"
    single = frr_conf(bgp_site(cilium_bgp=cilium(ipam="multiPool")))
    assert single is not None and "AWS-IN permit 30" not in single
