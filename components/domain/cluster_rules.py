"""Rules of the EKS cluster hybrid nodes join, worded once for the stack files and the components alike:
each takes the name of the key or argument it speaks of."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network

from ..codes import Code
from ..errors import Reason, shown
from .defaults import AUTHENTICATION_MODES, OPEN_TO_THE_INTERNET


def public_endpoint_problem(
    endpoint_access: str, public_access_cidrs: Sequence[str] | None, *, key: str = "publicAccessCidrs"
) -> Reason | None:
    """Why the public access CIDRs (the key or argument `key`) do not fit the endpoint: a public endpoint
    only with the networks allowed to reach it, `0.0.0.0/0` only when written out (EKS's default is
    0.0.0.0/0); a private endpoint with none."""
    if endpoint_access == "public" and not public_access_cidrs:
        return Reason(
            Code.PUBLIC_ACCESS_CIDRS_REQUIRED,
            f"a public endpoint needs {key}, the networks allowed to reach it (EKS's default is"
            f" {OPEN_TO_THE_INTERNET}, the whole internet: write [{OPEN_TO_THE_INTERNET}] to choose that"
            " explicitly)",
        )
    if endpoint_access == "private" and public_access_cidrs:
        return Reason(
            Code.PUBLIC_ACCESS_CIDRS_UNUSED,
            f"the endpoint is private, so {key} has nothing to restrict: remove it",
        )
    return None


# --- who reaches a public endpoint ------------------------------------------------------------------------
#
# EKS user guide, "Cluster API server endpoint" (cluster-endpoint.html), public-only row: "If you limit
# access to specific CIDR blocks ... ensure that the CIDR blocks that you specify include the addresses that
# nodes ... access the public endpoint from". Cloud nodes in private subnets reach it from their NAT
# gateways' Elastic IPs (EKS best practices, "Cluster endpoint access"). Hybrid nodes resolve the endpoint
# to its public addresses in a public (or public and private) cluster unless on-premises DNS answers with
# the control plane's private addresses (EKS user guide, "Kubernetes concepts for hybrid nodes", "EKS API
# server endpoint"), so they reach it over the internet from their site's egress address. eks-hybrid
# takes one endpoint mode only (`ENDPOINT_ACCESS_VALUES`): with private access, nodes use the private
# endpoint and no public range applies; with both, the cloud nodes would use the private endpoint (inside
# the VPC it wins) but hybrid nodes would still need the public ranges, which is why both is refused.

CLOUD_EGRESS_KEY = "cloudEgressCidrs"
SITE_EGRESS_KEY = "egressCidrs"
NAT_GATEWAY_ADDRESSES = (
    "the Elastic IPs of the VPC's NAT gateways (VPC console, NAT gateways: Primary public IPv4 address; or"
    " aws ec2 describe-nat-gateways --filter Name=vpc-id,Values=<vpcId>"
    " --query 'NatGateways[].NatGatewayAddresses[].PublicIp')"
)


def restricted_public_cidrs(
    endpoint_access: str, public_access_cidrs: Sequence[str] | None
) -> list[str] | None:
    """The networks a public endpoint is limited to; None when nodes need no public range (a private
    endpoint) or every address is allowed (`0.0.0.0/0`)."""
    if endpoint_access != "public" or not public_access_cidrs or OPEN_TO_THE_INTERNET in public_access_cidrs:
        return None
    return list(public_access_cidrs)


def cidrs_outside(cidrs: Sequence[str], allowed: Sequence[str]) -> list[str]:
    """The CIDRs of `cidrs` no network of `allowed` contains (an address is a /32)."""
    networks = [IPv4Network(a, strict=False) for a in allowed]
    return [c for c in cidrs if not any(IPv4Network(c, strict=False).subnet_of(n) for n in networks)]


def cloud_egress_problem(
    endpoint_access: str,
    public_access_cidrs: Sequence[str] | None,
    cloud_egress_cidrs: Sequence[str] | None,
    *,
    key: str = "publicAccessCidrs",
    egress_key: str = CLOUD_EGRESS_KEY,
) -> Reason | None:
    """Why a public endpoint limited to `public_access_cidrs` would lock out the cloud node group: its
    nodes register through the public endpoint from the VPC's NAT gateways, so their addresses must be
    named (`egress_key`) and inside the allowed ranges. Else the node group fails with NodeCreationFailure."""
    allowed = restricted_public_cidrs(endpoint_access, public_access_cidrs)
    if allowed is None:
        return None
    if not cloud_egress_cidrs:
        return Reason(
            Code.CLOUD_EGRESS_REQUIRED,
            f"the public endpoint is limited to {', '.join(allowed)} ({key}), and the cloud node group"
            f" reaches it from the VPC's internet egress: give those addresses as {egress_key}"
            f" ({NAT_GATEWAY_ADDRESSES}, as /32s) and add them to {key}, or the nodes cannot register"
            " (EKS user guide, cluster-endpoint.html: the allowed CIDR blocks must include the addresses"
            " nodes reach the public endpoint from)",
        )
    outside = cidrs_outside(cloud_egress_cidrs, allowed)
    if outside:
        return Reason(
            Code.CLOUD_EGRESS_OUTSIDE,
            f"{', '.join(outside)} ({egress_key}, the cloud nodes' egress) is outside {key}"
            f" ({', '.join(allowed)}): add it to {key}, or the cloud nodes cannot reach the public endpoint"
            " and never register (EKS user guide, cluster-endpoint.html)",
        )
    return None


def nat_gateways_outside(
    endpoint_access: str,
    public_access_cidrs: Sequence[str] | None,
    cloud_egress_cidrs: Sequence[str] | None,
    nat_addresses: Mapping[str, Sequence[str]],
) -> dict[str, list[str]]:
    """The VPC's NAT gateways (id -> public addresses) whose addresses, as /32s, are outside
    `cloud_egress_cidrs`, by id; none when the public endpoint is not limited to some ranges or no
    cloudEgressCidrs are given (the plan refuses that: `cloud_egress_problem`)."""
    if restricted_public_cidrs(endpoint_access, public_access_cidrs) is None or not cloud_egress_cidrs:
        return {}
    found = {}
    for nat, addresses in sorted(nat_addresses.items()):
        outside = cidrs_outside([f"{a}/32" for a in addresses if a], cloud_egress_cidrs)
        if outside:
            found[nat] = outside
    return found


def nat_gateway_remedy(egress_key: str = CLOUD_EGRESS_KEY) -> str:
    """What to do about a NAT gateway `nat_gateways_outside` names."""
    return f"add it to {egress_key} and publicAccessCidrs"


def nat_gateway_problem(nat: str, outside: Sequence[str], egress_key: str = CLOUD_EGRESS_KEY) -> str:
    """Why a NAT gateway `nat_gateways_outside` names matters."""
    return (
        f"NAT gateway {nat} in the VPC leaves from {', '.join(outside)}, not in {egress_key}:"
        " if the cloud node group's subnets route through it, its nodes cannot reach the public endpoint"
    )


def nat_gateway_warnings(
    endpoint_access: str,
    public_access_cidrs: Sequence[str] | None,
    cloud_egress_cidrs: Sequence[str] | None,
    nat_addresses: Mapping[str, Sequence[str]],
    *,
    egress_key: str = CLOUD_EGRESS_KEY,
) -> list[str]:
    """The VPC's NAT gateways (id -> public addresses, read at deploy time) whose addresses a limited public
    endpoint would not admit (`nat_gateways_outside`). A warning, not a refusal: a NAT gateway may serve
    other subnets than the cloud node group's, which eks-hybrid does not trace."""
    outside = nat_gateways_outside(endpoint_access, public_access_cidrs, cloud_egress_cidrs, nat_addresses)
    return [
        f"{nat_gateway_problem(nat, cidrs, egress_key)}; {nat_gateway_remedy(egress_key)}"
        for nat, cidrs in outside.items()
    ]


SECURITY_GROUP_ID = r"sg-(?:[0-9a-f]{8}|[0-9a-f]{17})"
"""A security group id: `sg-` and 8 (older groups) or 17 hexadecimal digits."""


def security_group_id_problem(value: object) -> Reason | None:
    """Why `value` is not a security group id."""
    if isinstance(value, str) and re.fullmatch(SECURITY_GROUP_ID, value):
        return None
    return Reason(
        Code.NOT_A_SECURITY_GROUP_ID, f"{shown(value)} is not a security group id (sg-0123456789abcdef0)"
    )


def api_access_problem(
    endpoint_access: str,
    cidrs: Sequence[str] | None,
    security_group_ids: Sequence[str] | None,
    *,
    key: str = "apiAccess",
) -> Reason | None:
    """Why the deployer's sources (the key or argument `key`: CIDRs and security groups admitted on TCP 443)
    do not fit the endpoint. A private endpoint is reachable only through the network interfaces EKS puts
    in the VPC, guarded by the cluster security group, which EKS creates admitting only itself: whoever
    runs `pulumi up` (a CI runner, a bastion, a network connected over VPN or Direct Connect) needs a rule
    (EKS user guide, cluster-endpoint.html, "Accessing a private only API server": "You must ensure that
    your Amazon EKS control plane security group contains rules to allow ingress traffic on port 443 from
    your bastion host" / "from your connected network"). A public-only endpoint is reached on public
    addresses that the cluster security group does not guard (publicAccessCidrs does), so sources there
    would admit nothing and are refused rather than ignored."""
    sources = [*(cidrs or ()), *(security_group_ids or ())]
    if endpoint_access == "private" and not sources:
        return Reason(
            Code.API_ACCESS_REQUIRED,
            f"a private endpoint needs {key}, the networks or security groups that run `pulumi up` (a CI"
            " runner's or bastion's subnet in the VPC, a network connected over VPN or Direct Connect):"
            " the cluster security group admits nothing else on 443, so the cluster would be created and"
            " then every in-cluster resource (Cilium, hybrid-config) would time out. Give cidrs and/or"
            " securityGroupIds (EKS user guide, cluster-endpoint.html, Accessing a private only API server)",
        )
    if endpoint_access == "public" and sources:
        return Reason(
            Code.API_ACCESS_UNUSED,
            f"the endpoint is public, so {key} would admit nothing: the public endpoint is not behind the"
            " cluster security group. Remove it and list the deployer's networks in publicAccessCidrs",
        )
    return None


def authentication_mode_problem(mode: object) -> Reason | None:
    """Why hybrid nodes cannot join a cluster authenticating with `mode` (they need access entries)."""
    if mode in AUTHENTICATION_MODES:
        return None
    return Reason(
        Code.AUTHENTICATION_MODE,
        f"authentication mode must be {' or '.join(AUTHENTICATION_MODES)}: hybrid nodes reject {shown(mode)}",
    )
