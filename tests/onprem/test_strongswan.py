"""swanctl.conf rendering: proposals in strongSwan syntax, one child SA per tunnel, PSK handling."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from eks_hybrid.components.network.tunnels import STRONG_PROPOSALS, TunnelProposals
from eks_hybrid.components.onprem.strongswan import (
    charon_snippet,
    esp_proposals,
    ike_proposals,
    static_vpc_routes,
    swanctl_conf,
    xfrm_interface_commands,
)

from .sites import PSK1, PSK2, bgp_site, static_site


def test_ike_proposals_cover_every_allowed_algorithm_in_strongswan_syntax():
    # AEAD ciphers and the others cannot share a proposal; with GCM the integrity choices are PRFs.
    assert ike_proposals(STRONG_PROPOSALS) == [
        "aes256gcm16-prfsha256-prfsha384-prfsha512-modp2048-ecp256-ecp384-ecp521",
        "aes256-sha256-sha384-sha512-modp2048-ecp256-ecp384-ecp521",
    ]


def test_esp_proposals_carry_the_pfs_groups_and_no_integrity_with_gcm():
    assert esp_proposals(STRONG_PROPOSALS) == [
        "aes256gcm16-modp2048-ecp256-ecp384-ecp521",
        "aes256-sha256-sha384-sha512-modp2048-ecp256-ecp384-ecp521",
    ]


def test_a_cbc_only_proposal_set_has_one_proposal():
    proposals = TunnelProposals(encryption_algorithms=("AES256",), dh_group_numbers=(20,))
    assert ike_proposals(proposals) == ["aes256-sha256-sha384-sha512-ecp384"]


def test_an_algorithm_strongswan_has_no_keyword_for_is_refused():
    with pytest.raises(ValueError, match="no strongSwan keyword for DH group 99"):
        ike_proposals(TunnelProposals(dh_group_numbers=(99,)))


def _section(text: str, name: str) -> str:
    """The body of the first `name { ... }` block (balanced braces)."""
    start = text.index(f"{name} {{")
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0 and text[index] == "}":
            return text[start : index + 1]
    raise AssertionError(f"unbalanced section {name}")


def test_static_routing_has_one_child_per_tunnel_with_both_cidr_pairs():
    text = swanctl_conf(static_site())
    for number in (1, 2):
        connection = _section(text.split("connections {", 1)[1], f"aws-tunnel{number}")
        children = _section(connection, "children")
        assert children.count("local_ts") == 1, "AWS allows one SA pair per tunnel"
        assert "local_ts = 10.200.0.0/16,192.168.0.0/16" in children
        assert "remote_ts = 10.100.0.0/16" in children
        assert "if_id" not in children
    assert "remote_addrs = 198.18.10.1" in text and "remote_addrs = 198.18.10.2" in text


def test_every_tunnel_uses_ikev2_dpd_and_the_lifetimes_of_the_vpn_connection():
    text = swanctl_conf(static_site())
    assert text.count("version = 2") == 2
    assert text.count("dpd_delay = 10s") == 2
    assert text.count("dpd_action = restart") == 2
    assert text.count("rekey_time = 28800s") == 2  # phase 1 lifetime
    assert text.count("rekey_time = 3600s") == 2  # phase 2 lifetime
    assert text.count("mobike = no") == 2
    assert text.count("id = 203.0.113.10") == 2  # the customer gateway's identity is its public IP


def test_lifetimes_follow_the_proposals():
    site = static_site()
    assert site.vpn is not None
    proposals = replace(STRONG_PROPOSALS, phase1_lifetime_seconds=14400, phase2_lifetime_seconds=1800)
    text = swanctl_conf(replace(site, vpn=replace(site.vpn, proposals=proposals)))
    assert "rekey_time = 14400s" in text and "rekey_time = 1800s" in text and "28800" not in text


def test_each_tunnel_has_its_own_secret_for_the_pair_of_identities():
    secrets = _section(swanctl_conf(static_site()), "secrets")
    assert re.search(r"id-aws = 198\.18\.10\.1\s+secret = \"" + re.escape(PSK1), secrets)
    assert re.search(r"id-aws = 198\.18\.10\.2\s+secret = \"" + re.escape(PSK2), secrets)
    assert secrets.count("id-customer = 203.0.113.10") == 2


def test_a_key_that_would_break_the_file_is_refused_without_echoing_it():
    site = static_site()
    assert site.vpn is not None
    bad = replace(site.vpn.tunnels[0], preshared_key='abc"def')
    with pytest.raises(ValueError) as raised:
        swanctl_conf(replace(site, vpn=replace(site.vpn, tunnels=(bad, site.vpn.tunnels[1]))))
    assert 'abc"def' not in str(raised.value)


def test_bgp_routing_is_route_based_on_an_xfrm_interface_per_tunnel():
    text = swanctl_conf(bgp_site())
    assert text.count("local_ts = 0.0.0.0/0") == 2 and text.count("remote_ts = 0.0.0.0/0") == 2
    assert "if_id_in = 1" in text and "if_id_out = 1" in text
    assert "if_id_in = 2" in text and "if_id_out = 2" in text
    assert charon_snippet(bgp_site()) is not None and "install_routes = no" in str(charon_snippet(bgp_site()))
    assert charon_snippet(static_site()) is None


def test_xfrm_interfaces_carry_the_customer_inside_addresses():
    commands = xfrm_interface_commands(bgp_site())
    assert "ip link add xfrm-aws1 type xfrm dev eth0 if_id 1" in commands
    assert "ip address add 169.254.10.2/30 dev xfrm-aws1" in commands
    assert "ip address add 169.254.10.6/30 dev xfrm-aws2" in commands
    assert all(len(c.split()[3]) <= 15 for c in commands if c.startswith("ip link add"))
    assert xfrm_interface_commands(static_site()) == []


def test_a_site_without_a_vpn_has_no_swanctl_conf():
    with pytest.raises(ValueError, match="no Site-to-Site VPN"):
        swanctl_conf(static_site(vpn=None))


def test_static_routing_can_run_over_route_based_tunnels():
    site = static_site()
    assert site.vpn is not None
    site = replace(site, vpn=replace(site.vpn, tunnel_interfaces=True))
    text = swanctl_conf(site)
    assert text.count("local_ts = 0.0.0.0/0") == 2 and "if_id_in = 2" in text
    assert charon_snippet(site) is not None
    assert static_vpc_routes(site) == [
        "ip route replace 10.100.0.0/16 dev xfrm-aws1 metric 100",
        "ip route replace 10.100.0.0/16 dev xfrm-aws2 metric 200",
    ]
    assert static_vpc_routes(static_site()) == [] and static_vpc_routes(bgp_site()) == []
