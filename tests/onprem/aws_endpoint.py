"""The AWS end of a Site-to-Site VPN in the lab, built independently of the renderers under test.

It starts from the same tunnel parameters the site's deployed outputs carry (outside and inside addresses,
pre-shared keys) and from the tunnel options the VPN connection was created with, written the way AWS
writes them ("AES256-GCM-16", "SHA2-384", DH group numbers). It offers every combination AWS would accept
as its own proposal. Its traffic selectors are the VPN connection's `RemoteIpv4NetworkCidr` (its own side)
and `LocalIpv4NetworkCidr` (the customer's), 0.0.0.0/0 both ways by default as on AWS. `encap = yes`
forces ESP into UDP, which libipsec needs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

# AWS's tunnel option names -> strongSwan algorithm keywords, one entry per algorithm.
_ENCRYPTION = {"AES256-GCM-16": "aes256gcm16", "AES256": "aes256", "AES128": "aes128"}
_INTEGRITY = {"SHA2-256": "sha256", "SHA2-384": "sha384", "SHA2-512": "sha512", "SHA1": "sha1"}
_GROUP = {2: "modp1024", 14: "modp2048", 19: "ecp256", 20: "ecp384", 21: "ecp521"}

WEAK_AWS_DEFAULT = {"encryption": ["AES128"], "integrity": ["SHA1"], "groups": [2]}


@dataclass(frozen=True)
class AwsTunnel:
    name: str
    outside_address: str  # the lab address standing in for AWS's outside address
    customer_gateway_ip: str
    preshared_key: str


def phase1_combinations(
    encryption: Sequence[str], integrity: Sequence[str], groups: Sequence[int]
) -> list[str]:
    """Every single-algorithm IKE proposal AWS accepts for these options."""
    result = []
    for cipher, integ, group in itertools.product(encryption, integrity, groups):
        middle = f"prf{_INTEGRITY[integ]}" if "GCM" in cipher else _INTEGRITY[integ]
        result.append(f"{_ENCRYPTION[cipher]}-{middle}-{_GROUP[group]}")
    return result


def phase2_combinations(
    encryption: Sequence[str], integrity: Sequence[str], groups: Sequence[int]
) -> list[str]:
    result = []
    for cipher, integ, group in itertools.product(encryption, integrity, groups):
        parts = [_ENCRYPTION[cipher]] if "GCM" in cipher else [_ENCRYPTION[cipher], _INTEGRITY[integ]]
        result.append("-".join([*parts, _GROUP[group]]))
    return list(dict.fromkeys(result))


def aws_swanctl_conf(
    tunnels: Sequence[AwsTunnel],
    *,
    encryption: Sequence[str],
    integrity: Sequence[str],
    groups: Sequence[int],
    phase2_encryption: Sequence[str] | None = None,
    local_network_cidr: str = "0.0.0.0/0",
    remote_network_cidr: str = "0.0.0.0/0",
) -> str:
    """`local_network_cidr` is the VPN connection's customer side, `remote_network_cidr` its AWS side."""
    ike = ",".join(phase1_combinations(encryption, integrity, groups))
    esp = ",".join(phase2_combinations(phase2_encryption or encryption, integrity, groups))
    connections = []
    secrets = []
    for tunnel in tunnels:
        connections.append(
            f"""  {tunnel.name} {{
    version = 2
    local_addrs = {tunnel.outside_address}
    encap = yes
    proposals = {ike}
    local {{
      auth = psk
      id = {tunnel.outside_address}
    }}
    remote {{
      auth = psk
      id = {tunnel.customer_gateway_ip}
    }}
    children {{
      {tunnel.name} {{
        local_ts = {remote_network_cidr}
        remote_ts = {local_network_cidr}
        esp_proposals = {esp}
      }}
    }}
  }}"""
        )
        secrets.append(
            f"""  ike-{tunnel.name} {{
    id-aws = {tunnel.outside_address}
    id-cgw = {tunnel.customer_gateway_ip}
    secret = "{tunnel.preshared_key}"
  }}"""
        )
    return "connections {\n" + "\n".join(connections) + "\n}\nsecrets {\n" + "\n".join(secrets) + "\n}\n"


def aws_frr_conf(*, amazon_asn: int, neighbors: Sequence[tuple[str, int]], vpc_cidr: str) -> str:
    """The AWS end of the BGP sessions: advertise the VPC CIDR, accept what the customer sends."""
    lines = [
        "frr defaults traditional",
        "hostname aws-endpoint",
        f"router bgp {amazon_asn}",
        " no bgp ebgp-requires-policy",
    ]
    for address, asn in neighbors:
        lines += [f" neighbor {address} remote-as {asn}", f" neighbor {address} timers 3 9"]
    lines += [" address-family ipv4 unicast", f"  network {vpc_cidr}", " exit-address-family", "exit", ""]
    return "\n".join(lines)
