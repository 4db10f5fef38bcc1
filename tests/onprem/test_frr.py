"""frr.conf rendering: sessions with AWS over both tunnels, the listen range for the nodes, filters."""

from __future__ import annotations

import pytest

from eks_hybrid.components.onprem.frr import frr_conf, needs_frr, pod_block_prefix_list

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


def test_a_site_without_a_vpn_and_no_router_asn_gets_a_placeholder():
    text = frr_conf(static_site(vpn=None, cilium_bgp=cilium()))
    assert text is not None and "router bgp <ON_PREM_ROUTER_ASN>" in text
    text = frr_conf(static_site(vpn=None, cilium_bgp=cilium(router_asn=65001)))
    assert text is not None and "router bgp 65001" in text


def test_pod_block_prefix_lists():
    assert pod_block_prefix_list("192.168.0.0/16", 25) == "permit 192.168.0.0/16 ge 25 le 25"
    assert pod_block_prefix_list("192.168.0.0/24", 24) == "permit 192.168.0.0/24"
    with pytest.raises(ValueError, match="does not fit"):
        pod_block_prefix_list("192.168.0.0/24", 20)
