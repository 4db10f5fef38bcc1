"""A VPN connection's tunnel crypto options read as one line a tunnel (or one for both), in text and
Markdown."""

from __future__ import annotations

from eks_hybrid.diff.grouping import VPN_CONNECTION, group_tunnel_crypto
from eks_hybrid.diff.values import Change, diff_values

PHASE = {
    "EncryptionAlgorithms": ["AES256-GCM-16"],
    "IntegrityAlgorithms": ["SHA2-256"],
    "DhGroupNumbers": [20],
}


def connection(tunnel2_dh: list[int] | None = None) -> dict:
    inputs: dict = {"type": "ipsec.1", "tunnel1InsideCidr": "169.254.10.0/30"}
    for tunnel in ("1", "2"):
        inputs[f"tunnel{tunnel}IkeVersions"] = ["ikev2"]
        for phase, lifetime in (("1", 28800), ("2", 3600)):
            for part, value in PHASE.items():
                inputs[f"tunnel{tunnel}Phase{phase}{part}"] = value
            inputs[f"tunnel{tunnel}Phase{phase}LifetimeSeconds"] = lifetime
    if tunnel2_dh:
        inputs["tunnel2Phase1DhGroupNumbers"] = tunnel2_dh
    return inputs


def test_a_new_connection_shows_one_crypto_line_for_both_tunnels() -> None:
    shown = group_tunnel_crypto(VPN_CONNECTION, diff_values({}, connection()))
    assert [c.path for c in shown] == ["tunnel1, tunnel2 crypto", "tunnel1InsideCidr", "type"]
    assert shown[0] == Change(
        "tunnel1, tunnel2 crypto",
        "added",
        new="IKE ikev2; phase 1 AES256-GCM-16 / SHA2-256 / DH 20 / 28800 s;"
        " phase 2 AES256-GCM-16 / SHA2-256 / DH 20 / 3600 s",
    )


def test_tunnels_that_differ_get_a_line_each_and_a_deleted_one_reads_the_same() -> None:
    shown = group_tunnel_crypto(VPN_CONNECTION, diff_values(connection(tunnel2_dh=[21]), {}))
    assert [(c.path, c.kind) for c in shown[:2]] == [
        ("tunnel1 crypto", "removed"),
        ("tunnel2 crypto", "removed"),
    ]
    assert "phase 1 AES256-GCM-16 / SHA2-256 / DH 21 / 28800 s" in shown[1].old


def test_a_changed_algorithm_stays_its_own_line_and_other_types_are_untouched() -> None:
    old, new = connection(), connection(tunnel2_dh=[21])
    changes = diff_values(old, new)
    assert group_tunnel_crypto(VPN_CONNECTION, changes) == changes
    created = diff_values({}, connection())
    assert group_tunnel_crypto("aws:ec2/vpnGateway:VpnGateway", created) == created
