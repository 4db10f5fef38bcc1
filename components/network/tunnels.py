"""IPsec tunnel options for Site-to-Site VPN connections: a strong proposal set by default.

AWS's defaults still offer IKEv1, AES-128, SHA-1 and DH group 2. We offer only IKEv2, AES-256 (GCM or
CBC with SHA-2 integrity) and DH groups 14 and the elliptic-curve groups 19-21; the on-prem `render`
step writes the matching proposals for the customer side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TunnelProposals:
    ike_versions: tuple[str, ...] = ("ikev2",)
    encryption_algorithms: tuple[str, ...] = ("AES256-GCM-16", "AES256")
    integrity_algorithms: tuple[str, ...] = ("SHA2-256", "SHA2-384", "SHA2-512")
    dh_group_numbers: tuple[int, ...] = (14, 19, 20, 21)
    phase1_lifetime_seconds: int = 28800
    phase2_lifetime_seconds: int = 3600
    dpd_timeout_action: str = "restart"
    startup_action: str = "start"


STRONG_PROPOSALS = TunnelProposals()
TUNNEL_NUMBERS = (1, 2)


def tunnel_arguments(
    inside_cidrs: Sequence[object | None] = (), proposals: TunnelProposals = STRONG_PROPOSALS
) -> dict[str, Any]:
    """Keyword arguments for `aws.ec2.VpnConnection` covering both tunnels (pre-shared keys excluded).

    `inside_cidrs[n]` is tunnel n+1's inside CIDR, or None to let AWS pick one; it may be an Output."""
    arguments: dict[str, Any] = {}
    for number in TUNNEL_NUMBERS:
        prefix = f"tunnel{number}_"
        arguments |= {
            f"{prefix}ike_versions": list(proposals.ike_versions),
            f"{prefix}phase1_encryption_algorithms": list(proposals.encryption_algorithms),
            f"{prefix}phase1_integrity_algorithms": list(proposals.integrity_algorithms),
            f"{prefix}phase1_dh_group_numbers": list(proposals.dh_group_numbers),
            f"{prefix}phase1_lifetime_seconds": proposals.phase1_lifetime_seconds,
            f"{prefix}phase2_encryption_algorithms": list(proposals.encryption_algorithms),
            f"{prefix}phase2_integrity_algorithms": list(proposals.integrity_algorithms),
            f"{prefix}phase2_dh_group_numbers": list(proposals.dh_group_numbers),
            f"{prefix}phase2_lifetime_seconds": proposals.phase2_lifetime_seconds,
            f"{prefix}dpd_timeout_action": proposals.dpd_timeout_action,
            f"{prefix}startup_action": proposals.startup_action,
        }
        if number <= len(inside_cidrs) and inside_cidrs[number - 1] is not None:
            arguments[f"{prefix}inside_cidr"] = inside_cidrs[number - 1]
    return arguments
