"""When a Site-to-Site VPN tunnel may be policy-based, and with which one selector pair.

AWS Site-to-Site VPN User Guide, "Requirements for your customer gateway device" (CGRequirements.html):
"The Site-to-Site VPN service is a route-based solution. If you are using a policy-based configuration, you
must limit your configuration to a single security association (SA)", and each tunnel is limited to one SA
pair. The VPN connection states its one pair as `LocalIpv4NetworkCidr` (the customer side) and
`RemoteIpv4NetworkCidr` (the AWS side), one CIDR each (EC2 API `VpnConnectionOptionsSpecification`;
terraform-provider-aws `aws_vpn_connection` `local_ipv4_network_cidr` / `remote_ipv4_network_cidr`, both
0.0.0.0/0 by default). So a site's tunnels can be policy-based only when its node and pod CIDRs together
make exactly one network, and what it reaches through AWS is one network too; route-based tunnels (0/0
selectors, routes per network) carry any number of networks and are the default.

Pure functions: the site checks (plan) and the on-prem renderers (render) share them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Network

from ..codes import Code
from ..errors import RuleError


def single_network(cidrs: Iterable[str]) -> str | None:
    """The one network that is exactly the union of `cidrs` (siblings merge, a contained one adds
    nothing), or None when their union is not one CIDR."""
    collapsed = list(ipaddress.collapse_addresses(IPv4Network(c) for c in cidrs))
    return str(collapsed[0]) if len(collapsed) == 1 else None


def policy_based_selectors(node_cidr: str, pod_cidr: str, aws_networks: Sequence[str]) -> tuple[str, str]:
    """(customer side, AWS side): the one selector pair of a policy-based tunnel. Raises `RuleError`
    (`policy-based-selectors`) saying why when one pair cannot carry the site's traffic."""
    local = single_network((node_cidr, pod_cidr))
    if local is None:
        raise RuleError(
            f"the node CIDR {node_cidr} and the pod CIDR {pod_cidr} do not make one network, and AWS allows"
            " one security association pair per tunnel to a policy-based device (Site-to-Site VPN user"
            " guide, 'Requirements for your customer gateway device'): leave policyBased out for"
            " route-based tunnels (0.0.0.0/0 selectors and a route per network), or give the site node and"
            " pod CIDRs that are the two halves of one network",
            Code.POLICY_BASED_SELECTORS,
        )
    remote = single_network(aws_networks)
    if remote is None:
        raise RuleError(
            f"the site reaches {', '.join(aws_networks)} through AWS, more than one network, and AWS allows"
            " one security association pair per tunnel to a policy-based device (Site-to-Site VPN user"
            " guide, 'Requirements for your customer gateway device'): leave policyBased out for"
            " route-based tunnels (0.0.0.0/0 selectors and a route per network)",
            Code.POLICY_BASED_SELECTORS,
        )
    if IPv4Network(local).overlaps(IPv4Network(remote)):
        raise RuleError(
            f"the site's network {local} overlaps {remote}, which it reaches through AWS: a tunnel's two"
            " selectors must be apart",
            Code.POLICY_BASED_SELECTORS,
        )
    return local, remote
