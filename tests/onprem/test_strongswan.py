"""swanctl.conf rendering: proposals in strongSwan syntax, one child SA per tunnel, PSK handling."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import RuleError
from eks_hybrid.components.network.tunnels import STRONG_PROPOSALS, TunnelProposals
from eks_hybrid.components.onprem.model import VpnLink
from eks_hybrid.components.onprem.strongswan import (
    UPDOWN_PATH,
    charon_snippet,
    esp_proposals,
    ike_proposals,
    static_aws_routes,
    static_routes_updown,
    swanctl_conf,
    xfrm_interface_commands,
)

from .sites import PSK1, PSK2, bgp_site, policy_site, static_site


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


def _children(text: str, number: int) -> str:
    return _section(_section(text.split("connections {", 1)[1], f"aws-tunnel{number}"), "children")


def test_static_routing_is_route_based_by_default():
    """AWS's VPN is route-based and allows a policy-based device one SA pair per tunnel: a static site's
    tunnels are 0/0 on an XFRM interface each, its routes follow each SA through the updown hook."""
    text = swanctl_conf(static_site())
    for number in (1, 2):
        children = _children(text, number)
        assert children.count("local_ts") == 1, "one child SA per tunnel"
        assert "local_ts = 0.0.0.0/0" in children and "remote_ts = 0.0.0.0/0" in children
        assert f"if_id_in = {number}" in children and f"if_id_out = {number}" in children
        assert f"updown = {UPDOWN_PATH}" in children
    assert "remote_addrs = 198.18.10.1" in text and "remote_addrs = 198.18.10.2" in text
    assert "route-based (static routing)" in text
    assert "install_routes = no" in str(charon_snippet(static_site()))


def test_policy_based_tunnels_have_one_child_with_one_selector_pair():
    text = swanctl_conf(policy_site())
    for number in (1, 2):
        children = _children(text, number)
        assert children.count("local_ts") == 1
        assert "local_ts = 10.200.0.0/15" in children and "remote_ts = 10.100.0.0/16" in children
        assert "if_id" not in children and "updown" not in children
    assert charon_snippet(policy_site()) is None
    assert xfrm_interface_commands(policy_site()) == [] and static_aws_routes(policy_site()) == []
    assert static_routes_updown(policy_site()) is None


@pytest.mark.parametrize(
    ("site", "why"),
    [
        (static_site(), "do not make one network"),  # 10.200.0.0/16 and 192.168.0.0/16
        (static_site(pod_cidr="10.202.0.0/16"), "do not make one network"),  # not the two halves of a /15
        (
            static_site(pod_cidr="10.201.0.0/16", other_site_networks=("10.61.0.0/16",)),
            "more than one network",
        ),
        (static_site(node_cidr="10.100.0.0/17", pod_cidr="10.100.128.0/17"), "overlaps"),
    ],
)
def test_policy_based_tunnels_are_refused_where_one_selector_pair_is_wrong(site, why):
    assert site.vpn is not None
    site = replace(site, vpn=replace(site.vpn, policy_based=True))
    with pytest.raises(RuleError, match=why) as raised:
        swanctl_conf(site)
    assert raised.value.code == Code.POLICY_BASED_SELECTORS


def test_bgp_cannot_be_policy_based():
    vpn = bgp_site().vpn
    assert vpn is not None
    with pytest.raises(ValueError, match="BGP runs over route-based tunnels"):
        replace(vpn, policy_based=True)
    assert isinstance(vpn, VpnLink) and vpn.route_based


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
    assert "updown" not in text, "FRR installs the routes to AWS"
    assert charon_snippet(bgp_site()) is not None and "install_routes = no" in str(charon_snippet(bgp_site()))


def test_xfrm_interfaces_carry_the_customer_inside_addresses_and_the_tunnel_mtu():
    for site in (bgp_site(), static_site()):
        commands = xfrm_interface_commands(site)
        assert "ip link add xfrm-aws1 type xfrm dev eth0 if_id 1" in commands
        assert "ip address replace 169.254.10.2/30 dev xfrm-aws1" in commands
        assert "ip address replace 169.254.10.6/30 dev xfrm-aws2" in commands
        assert (
            "ip link set xfrm-aws1 mtu 1419 up" in commands
            and "ip link set xfrm-aws2 mtu 1419 up" in commands
        )
        assert all(len(c.split()[3]) <= 15 for c in commands if c.startswith("ip link add"))


def test_a_site_without_a_vpn_has_no_swanctl_conf():
    with pytest.raises(ValueError, match="no Site-to-Site VPN"):
        swanctl_conf(static_site(vpn=None))


def test_static_routes_cover_every_network_reached_through_aws():
    site = static_site(other_site_networks=("10.61.0.0/16", "172.24.0.0/16"))
    assert static_aws_routes(site) == [
        "ip route replace 10.100.0.0/16 dev xfrm-aws1 metric 100",
        "ip route replace 10.100.0.0/16 dev xfrm-aws2 metric 200",
        "ip route replace 10.61.0.0/16 dev xfrm-aws1 metric 100",
        "ip route replace 10.61.0.0/16 dev xfrm-aws2 metric 200",
        "ip route replace 172.24.0.0/16 dev xfrm-aws1 metric 100",
        "ip route replace 172.24.0.0/16 dev xfrm-aws2 metric 200",
    ]
    assert static_aws_routes(bgp_site()) == [] and static_aws_routes(static_site(vpn=None)) == []


def test_the_updown_hook_routes_every_aws_network_over_the_tunnel_that_is_up():
    hook = static_routes_updown(static_site(other_site_networks=("10.61.0.0/16",)))
    assert hook is not None and hook.startswith("#!/bin/sh\n")
    assert "    aws-tunnel1) dev=xfrm-aws1 metric=100 ;;" in hook
    assert "    aws-tunnel2) dev=xfrm-aws2 metric=200 ;;" in hook
    up, down = hook.split("    up-client)")[1].split("    down-client)")
    for network in ("10.100.0.0/16", "10.61.0.0/16"):
        assert f'ip route replace {network} dev "$dev" metric "$metric"' in up
        assert f'ip route del {network} dev "$dev" metric "$metric" 2>/dev/null || true' in down
    assert static_routes_updown(bgp_site()) is None
