"""The router's kernel settings, tunnel interfaces and TCP MSS rules (`onprem.router_setup`), and the one
selector pair of policy-based tunnels (`domain.tunnel_selectors`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain.tunnel_selectors import policy_based_selectors, single_network
from eks_hybrid.components.errors import RuleError
from eks_hybrid.components.onprem.mtu import IPV4_TCP_HEADERS, TCP_MSS, TUNNEL_MTU
from eks_hybrid.components.onprem.router_setup import (
    SYSCTLS,
    mss_clamp_commands,
    mss_clamp_rules,
    router_setup_script,
    sysctl_conf,
)
from eks_hybrid.components.onprem.strongswan import static_routes_updown

from .sites import bgp_site, policy_site, static_site

CLAMP = "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1379"


def test_aws_mss_and_the_tunnel_mtu_that_gives_it():
    assert TCP_MSS == 1379  # CGRequirements.html
    assert TUNNEL_MTU == TCP_MSS + IPV4_TCP_HEADERS == 1419


def test_forwarding_and_loose_reverse_path_filtering():
    assert dict(SYSCTLS) == {
        "net.ipv4.ip_forward": "1",
        "net.ipv4.conf.all.rp_filter": "2",
        "net.ipv4.conf.default.rp_filter": "2",
    }
    text = sysctl_conf(static_site(vpn=None, connectivity="directConnect"))
    assert [line for line in text.splitlines() if line and not line.startswith("#")] == [
        "net.ipv4.ip_forward = 1",
        "net.ipv4.conf.all.rp_filter = 2",
        "net.ipv4.conf.default.rp_filter = 2",
    ]


@pytest.mark.parametrize(
    ("site", "rules"),
    [
        (static_site(), [f"-o xfrm-aws+ {CLAMP}", f"-i xfrm-aws+ {CLAMP}"]),
        (bgp_site(), [f"-o xfrm-aws+ {CLAMP}", f"-i xfrm-aws+ {CLAMP}"]),
        (
            policy_site(),
            [f"-m policy --pol ipsec --dir out {CLAMP}", f"-m policy --pol ipsec --dir in {CLAMP}"],
        ),
        (static_site(vpn=None, connectivity="directConnect"), []),
        (static_site(vpn=None, connectivity="softwareVpn"), []),
    ],
)
def test_the_mss_rules_match_the_tunnels_of_each_variant(site, rules):
    assert mss_clamp_rules(site) == rules
    assert mss_clamp_commands(site) == [
        f"iptables -t mangle -C FORWARD {rule} 2>/dev/null || iptables -t mangle -A FORWARD {rule}"
        for rule in rules
    ]


def test_the_setup_script_of_a_route_based_site_creates_each_interface_once():
    script = router_setup_script(static_site())
    assert script.startswith("#!/bin/sh\n") and "set -eu\n" in script
    assert "OUTSIDE_INTERFACE=${OUTSIDE_INTERFACE:-eth0}" in script
    assert (
        "ip link show dev xfrm-aws1 >/dev/null 2>&1 || ip link add xfrm-aws1 type xfrm"
        ' dev "$OUTSIDE_INTERFACE" if_id 1' in script
    )
    assert "ip link set xfrm-aws2 mtu 1419 up" in script
    assert script.index("sysctl -qw") < script.index("ip link") < script.index("iptables")


def test_the_setup_script_of_a_policy_based_or_direct_connect_site_has_no_interfaces():
    for site in (policy_site(), static_site(vpn=None, connectivity="directConnect")):
        script = router_setup_script(site)
        assert "ip link" not in script and "OUTSIDE_INTERFACE" not in script
        assert "sysctl -qw net.ipv4.conf.all.rp_filter=2" in script


@pytest.mark.parametrize("site", [static_site(), policy_site(), bgp_site(), static_site(vpn=None)])
def test_the_rendered_scripts_are_valid_posix_shell(site, tmp_path):
    scripts = [router_setup_script(site), static_routes_updown(site)]
    for index, text in enumerate(s for s in scripts if s is not None):
        path = tmp_path / f"script{index}.sh"
        path.write_text(text)
        checked = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True, timeout=10)
        assert checked.returncode == 0, checked.stderr
        if shutil.which("shellcheck"):
            linted = subprocess.run(
                ["shellcheck", "-s", "sh", str(path)], capture_output=True, text=True, timeout=30
            )
            assert linted.returncode == 0, linted.stdout


@pytest.mark.parametrize(
    ("cidrs", "network"),
    [
        (("10.200.0.0/16", "10.201.0.0/16"), "10.200.0.0/15"),
        (("10.201.0.0/16", "10.200.0.0/16"), "10.200.0.0/15"),
        (("10.200.0.0/16", "10.200.128.0/17"), "10.200.0.0/16"),
        (("10.200.0.0/16",), "10.200.0.0/16"),
        (("10.200.0.0/16", "10.202.0.0/16"), None),
        (("10.200.0.0/16", "192.168.0.0/16"), None),
        (("10.100.0.0/16", "10.61.0.0/16"), None),
    ],
)
def test_single_network_is_exactly_the_union(cidrs, network):
    assert single_network(cidrs) == network


def test_policy_based_selectors_are_one_pair_or_a_reason():
    assert policy_based_selectors("10.200.0.0/16", "10.201.0.0/16", ["10.100.0.0/16"]) == (
        "10.200.0.0/15",
        "10.100.0.0/16",
    )
    for node, pod, aws, why in (
        ("10.200.0.0/16", "192.168.0.0/16", ["10.100.0.0/16"], "do not make one network"),
        ("10.200.0.0/16", "10.201.0.0/16", ["10.100.0.0/16", "10.61.0.0/16"], "more than one network"),
        ("10.100.0.0/17", "10.100.128.0/17", ["10.100.0.0/16"], "overlaps"),
    ):
        with pytest.raises(RuleError, match=why) as raised:
            policy_based_selectors(node, pod, aws)
        assert raised.value.code == Code.POLICY_BASED_SELECTORS
        assert "one security association pair per tunnel" in str(raised.value) or why == "overlaps"
