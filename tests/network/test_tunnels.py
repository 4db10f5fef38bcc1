"""Tunnel options: only strong proposals, inside CIDRs passed through, pre-shared keys kept apart."""

from __future__ import annotations

import inspect

import pulumi_aws as aws

from eks_hybrid.components.network.tunnels import STRONG_PROPOSALS, tunnel_arguments

VPN_CONNECTION_ARGS = set(inspect.signature(aws.ec2.VpnConnection._internal_init).parameters)


def test_every_argument_is_a_vpn_connection_input():
    arguments = tunnel_arguments(["169.254.10.0/30"])
    assert set(arguments) <= VPN_CONNECTION_ARGS


def test_both_tunnels_get_ikev2_aes256_sha2_and_dh14_or_higher():
    arguments = tunnel_arguments([])
    for n in (1, 2):
        assert arguments[f"tunnel{n}_ike_versions"] == ["ikev2"]
        for phase in (1, 2):
            encryption = arguments[f"tunnel{n}_phase{phase}_encryption_algorithms"]
            assert encryption and all(a.startswith("AES256") for a in encryption)
            integrity = arguments[f"tunnel{n}_phase{phase}_integrity_algorithms"]
            assert integrity and all(a.startswith("SHA2-") for a in integrity)
            groups = arguments[f"tunnel{n}_phase{phase}_dh_group_numbers"]
            assert groups and min(groups) >= 14
        assert arguments[f"tunnel{n}_dpd_timeout_action"] == "restart"


def test_weak_algorithms_are_never_offered():
    weak = {"ikev1", "AES128", "AES128-GCM-16", "SHA1", 2, 5}
    offered = {
        item for values in tunnel_arguments([]).values() if isinstance(values, list) for item in values
    }
    assert not offered & weak


def test_inside_cidrs_only_for_configured_tunnels():
    arguments = tunnel_arguments(["169.254.10.0/30"])
    assert arguments["tunnel1_inside_cidr"] == "169.254.10.0/30"
    assert "tunnel2_inside_cidr" not in arguments


def test_pre_shared_keys_are_never_tunnel_arguments():
    # The component adds each given key itself, as a Pulumi secret (see test_components).
    assert not any("preshared" in name for name in tunnel_arguments([None, "169.254.10.4/30"]))
    assert "tunnel1_inside_cidr" not in tunnel_arguments([None, "169.254.10.4/30"])


def test_default_proposals_are_the_strong_set():
    assert STRONG_PROPOSALS.dh_group_numbers == (14, 19, 20, 21)
    assert STRONG_PROPOSALS.encryption_algorithms == ("AES256-GCM-16", "AES256")
