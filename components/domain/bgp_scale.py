"""How many BGP neighbours and routes a site's on-prem router carries: pure counts shared by `plan` (the site
stack's checks) and `render` (the router's `frr.conf`), so the two always agree.

Sources:
- AWS Site-to-Site VPN quotas (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html): "Routes
  advertised from a customer gateway device to a Site-to-Site VPN connection": 100, not adjustable. Past it
  AWS ends the BGP session (NOTIFICATION 6/1, "Maximum Number of Prefixes Reached", as measured on both a
  virtual private gateway and a transit gateway VPN: read.docs.aviatrix.com, "AWS Transit Gateway Route
  Limit Test Validation"), so the whole site loses its routes: a use over the quota is refused, not warned.
- FRR bgpd (`bgpd/bgpd.h`, `BGP_DYNAMIC_NEIGHBORS_LIMIT_DEFAULT` 100; `bgp listen limit (1-65535)` in
  `bgpd/bgp_vty.c`): a router accepts at most 100 dynamic neighbours from its `bgp listen range` unless
  `bgp listen limit` raises it; the 101st node's session is refused.
"""

from __future__ import annotations

AWS_CUSTOMER_GATEWAY_ROUTES = 100
"""Routes a customer gateway may advertise to one VPN connection (vpn-limits.html)."""
FRR_DEFAULT_LISTEN_LIMIT = 100
FRR_MAX_LISTEN_LIMIT = 65_535
SITE_AGGREGATES = 2
"""The router always advertises the site's node CIDR and pod CIDR."""


def routes_to_aws(hosts: int, passes_node_blocks: bool) -> int:
    """Prefixes the site's router advertises to AWS over BGP: the node and pod CIDR aggregates, plus, when
    Cilium's cluster-pool IPAM spans several sites and the nodes peer with the router, every node's pod
    block (at least one per node: Cilium gives each node a block, more only once one fills up)."""
    return SITE_AGGREGATES + (hosts if passes_node_blocks else 0)


def listen_limit(hosts: int) -> int:
    """`bgp listen limit` for a router whose site has `hosts` edge hosts, each one Cilium BGP neighbour.

    Twice the hosts: a re-imaged or replaced host dials from its new address while its old session still
    counts until the hold timer drops it, so every host may briefly hold two. Never below FRR's default
    (rendering a limit never lowers what the router accepted before) nor above FRR's maximum.
    """
    return min(FRR_MAX_LISTEN_LIMIT, max(FRR_DEFAULT_LISTEN_LIMIT, 2 * hosts))
