"""Pure CIDR rules: parsing with helpful messages, RFC 1918 membership, overlap detection.

No pydantic, no pulumi: these are the building blocks the config rules and planners share.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from ..codes import Code
from ..errors import Reason, RuleError, printable, shown

RFC1918 = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
)
# Shared address space (RFC 6598). AWS accepts it for EKS remote node and pod networks beside RFC 1918
# (2026); the service CIDR stays RFC 1918.
CGNAT = IPv4Network("100.64.0.0/10")
REMOTE_NETWORK_RANGES = (*RFC1918, CGNAT)
# EKS takes at most 15 remote node networks and 15 remote pod networks per cluster (hybrid-nodes-overview).
MAX_REMOTE_NETWORKS = 15
TUNNEL_INSIDE_RANGE = IPv4Network("169.254.0.0/16")
# AWS reserves these /30s inside 169.254.0.0/16 for other uses; a VPN tunnel cannot take them.
RESERVED_TUNNEL_CIDRS = tuple(
    IPv4Network(c)
    for c in (
        "169.254.0.0/30",
        "169.254.1.0/30",
        "169.254.2.0/30",
        "169.254.3.0/30",
        "169.254.4.0/30",
        "169.254.5.0/30",
        "169.254.169.252/30",
    )
)


class CidrRuleError(RuleError):
    """A CIDR breaks a rule; the message is the rule, worded for the user, and `code` says which rule."""

    code = Code.CIDR_RULE


def parse_ipv4_network(value: object) -> IPv4Network:
    """Parse an IPv4 network in CIDR notation; host bits set is an error that suggests the fix."""
    network = _parse_loose(value)
    if str(network.network_address) != str(value).split("/")[0].strip():
        raise CidrRuleError(
            f"{printable(str(value), 60)} has host bits set: did you mean {network}?", Code.CIDR_HOST_BITS
        )
    return network


def _parse_loose(value: object) -> IPv4Network:
    if not isinstance(value, str) or "/" not in value:
        raise CidrRuleError(
            f"{shown(value)} is not an IPv4 network in CIDR notation (like 10.200.0.0/16)", Code.NOT_A_CIDR
        )
    return _parse_text(value)


@functools.lru_cache(maxsize=16_384)
def _parse_text(value: str) -> IPv4Network:
    """Parsed once per text: a 1,000-site hub checks each site's CIDRs in its config, its network, its
    cluster and its Cilium pools (`ipaddress` is slow; networks are immutable, so sharing them is safe)."""
    try:
        return IPv4Network(value.strip(), strict=False)
    except ValueError as exc:
        raise CidrRuleError(
            f"{shown(value)} is not an IPv4 network in CIDR notation (like 10.200.0.0/16)", Code.NOT_A_CIDR
        ) from exc


def _checked(value: object, shortest: int, longest: int) -> IPv4Network:
    """Prefix length first (the more fundamental mistake), then host bits."""
    check_prefix(_parse_loose(value), shortest, longest)
    return parse_ipv4_network(value)


def check_prefix(network: IPv4Network, shortest: int, longest: int) -> None:
    if not shortest <= network.prefixlen <= longest:
        raise CidrRuleError(
            f"{network} is a /{network.prefixlen}: the prefix must be between /{shortest} and /{longest}",
            Code.CIDR_PREFIX,
        )


def check_rfc1918(network: IPv4Network) -> None:
    if not any(network.subnet_of(block) for block in RFC1918):
        raise CidrRuleError(
            f"{network} is not inside RFC 1918 (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)",
            Code.CIDR_NOT_PRIVATE,
        )


def check_remote_range(network: IPv4Network) -> None:
    if not any(network.subnet_of(block) for block in REMOTE_NETWORK_RANGES):
        raise CidrRuleError(
            f"{network} is not inside RFC 1918 (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)"
            " or CGNAT 100.64.0.0/10, the ranges EKS accepts for remote networks",
            Code.CIDR_NOT_REMOTE_RANGE,
        )


def remote_network(value: object) -> str:
    """A hybrid node or pod CIDR: IPv4, /8 to /32, inside RFC 1918 or CGNAT (EKS's remote-network rule)."""
    network = _checked(value, 8, 32)
    check_remote_range(network)
    return str(network)


def vpc_network(value: object) -> str:
    network = _checked(value, 16, 28)
    return str(network)


def service_network(value: object) -> str:
    """EKS's service CIDR rule: inside RFC 1918, /12 to /24."""
    network = _checked(value, 12, 24)
    check_rfc1918(network)
    return str(network)


def tunnel_inside_network(value: object) -> str:
    network = parse_ipv4_network(value)
    if network.prefixlen != 30 or not network.subnet_of(TUNNEL_INSIDE_RANGE):
        raise CidrRuleError(f"{network} must be a /30 inside 169.254.0.0/16", Code.TUNNEL_CIDR_RANGE)
    if network in RESERVED_TUNNEL_CIDRS:
        raise CidrRuleError(
            f"{network} is reserved by AWS and cannot be a tunnel inside CIDR", Code.TUNNEL_CIDR_RESERVED
        )
    return str(network)


def ipv4_address(value: object) -> str:
    try:
        return str(IPv4Address(str(value)))
    except ValueError as exc:
        raise CidrRuleError(f"{shown(value)} is not an IPv4 address", Code.NOT_AN_IPV4_ADDRESS) from exc


# Addresses the internet cannot reach. Documentation ranges (RFC 5737) stay allowed for examples.
_NOT_PUBLIC = tuple(
    (IPv4Network(network), what)
    for network, what in (
        ("0.0.0.0/8", "'this network' (RFC 791)"),
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
    )
)


def public_ipv4_problem(value: object) -> Reason | None:
    """Why `value` cannot be a customer gateway's address, or None when it can.

    AWS's CreateCustomerGateway takes a private address only for private-IP VPNs over Direct Connect
    (`OutsideIpAddressType: PrivateIpv4`), which eks-hybrid does not declare: its tunnels run over the
    internet (EC2 API reference, CreateCustomerGateway `IpAddress`).
    """
    try:
        address = IPv4Address(str(value))
    except ValueError:
        return Reason(Code.NOT_AN_IPV4_ADDRESS, f"{value!r} is not an IPv4 address")
    for network, what in _NOT_PUBLIC:
        if address in network:
            return Reason(
                Code.ADDRESS_NOT_PUBLIC,
                f"{value} is a {what} address ({network}): the customer gateway is the on-prem router's"
                " public IPv4 address, which AWS's tunnel endpoints reach over the internet",
            )
    return None


@dataclass(frozen=True)
class LabelledNetwork:
    """A network and the key path it came from, so an overlap names both places."""

    path: str
    network: IPv4Network


@dataclass(frozen=True)
class OverlapGroup:
    """A network and every earlier network it overlaps: one problem per network, however many there are."""

    network: LabelledNetwork
    first: LabelledNetwork
    others: int

    def describe(self) -> str:
        more = f" and {self.others} other network{'s' if self.others != 1 else ''}" if self.others else ""
        return f"{self.network.network} overlaps {self.first.network} ({self.first.path}){more}"


def overlap_groups(networks: Iterable[LabelledNetwork]) -> list[OverlapGroup]:
    """For each network that overlaps an earlier one (by address), the first of those and how many more.

    O(n log n) and one record per network, so 1,000 sites sharing a CIDR give 1,000 problems, not the half
    million a list of every overlapping pair would hold. CIDRs either nest or are disjoint, so the networks
    still open at a start address form a chain, each inside the one below it.
    """
    ordered = sorted(networks, key=lambda n: (int(n.network.network_address), n.network.prefixlen, n.path))
    groups: list[OverlapGroup] = []
    chain: list[LabelledNetwork] = []
    for current in ordered:
        start = int(current.network.network_address)
        while chain and int(chain[-1].network.broadcast_address) < start:
            chain.pop()
        if chain:
            groups.append(OverlapGroup(current, chain[0], len(chain) - 1))
        chain.append(current)
    return groups


def contains_address(networks: Sequence[IPv4Network], address: str) -> IPv4Network | None:
    ip = ipaddress.IPv4Address(address)
    return next((n for n in networks if ip in n), None)
