"""Which sites of one hub reach which through AWS: a pure function of each site's path to the hub's VPC.

Kubernetes' network model has every pod reach every pod, and AWS's hybrid nodes networking table requires
it between sites ("Prepare networking for hybrid nodes", "Access required for ongoing cluster operations":
"Pod to Pod: Remote Pod CIDR(s) <-> Remote Pod CIDR(s)", plus the CNI's ports between nodes, VXLAN 8472 for
Cilium). Between two sites that path runs through AWS, and what a hub builds decides whether it exists:

- **Both on the transit gateway** (Site-to-Site VPN, `routeVia: transitGateway`): reachable. Every VPN
  attachment is associated with the hub's one route table (`SiteConnectivity`), which routes each site's
  node and pod CIDRs to that site's attachment (a static route per CIDR, or the attachment's propagated BGP
  routes); "Each VPC or VPN attachment is associated with a single route table. That route table decides
  the next hop for the traffic coming from that resource attachment" (Transit Gateway guide, "Transit
  gateways"). A BGP site learns the other sites' CIDRs from that table; a static site routes them into
  its tunnels (`OnPremSite.other_site_networks`). Two BGP sites with one customer ASN drop each other's
  routes by AS-path loop detection (RFC 4271 section 9.1.2; FRR has no `allowas-in` by default), so
  they do not reach each other.
- **One on the virtual private gateway** (VPN or Direct Connect), the other not on it: unreachable. "The
  virtual private gateway does not route any other traffic destined outside of received BGP
  advertisements, static route entries, or its attached VPC CIDR" (Site-to-Site VPN guide, "Site-to-Site
  VPN routing options", "Route tables and VPN route priority"): a transit gateway site's or an appliance
  site's CIDRs are none of those, and AWS has no route between a VGW and a transit gateway.
- **A Direct Connect site** (a Direct Connect gateway associated with the hub's VGW, as `SiteConnectivity`
  builds it): unreachable from every other site. On a virtual private gateway association "only the
  associated VPC CIDR will be advertised to the customer gateway" (Direct Connect guide, "Allowed prefixes
  interactions", "Virtual private gateway associations"). VPN CloudHub's Direct Connect members ("Sites
  that use AWS Direct Connect connections to the virtual private gateway can also be part of the AWS VPN
  CloudHub") are private virtual interfaces on the VGW itself, not a Direct Connect gateway association
  (inferred from the two pages). The remedy is a Direct Connect gateway associated with the transit
  gateway over a transit virtual interface ("to the VPCs or VPNs that are attached to your transit
  gateway": Direct Connect guide, "Direct Connect gateways and transit gateway associations").
- **Two VPN sites on the virtual private gateway**: reachable only through VPN CloudHub, which needs BGP
  with "a unique Border Gateway Protocol (BGP) Autonomous System Number (ASN) for each customer gateway";
  the VGW re-advertises each site's prefixes to the other BGP peers (Site-to-Site VPN guide, "Providing
  secure communication between sites using VPN CloudHub"). With static routing on either, unreachable.
- **A software VPN appliance** in the VPC, or a site whose path is not known (no site stack planned with
  a `routeVia: site` inventory entry): not decided here. Traffic between an appliance and the transit
  gateway crosses the VPC's route tables and the appliance, which eks-hybrid does not configure.

The hub's route propagation (the VGW's into the VPC route tables, a static TGW site's `propagateRoutes`)
changes how the VPC reaches a site, not whether two sites reach each other, so it is no input here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from ..codes import Code

SiteKind = Literal["transitGatewayVpn", "vpnGatewayVpn", "directConnect", "softwareVpn"]
"""A site's path to the hub's VPC: a Site-to-Site VPN on the transit gateway or on the virtual private
gateway, Direct Connect (through a Direct Connect gateway on the virtual private gateway), or a software
VPN appliance in the VPC."""
Routing = Literal["static", "bgp"]
Verdict = Literal["reachable", "unreachable", "unknown"]


@dataclass(frozen=True)
class SitePath:
    """What decides whom a site reaches: its path's kind (None when not known), and for a VPN its routing
    and customer gateway ASN (None when not known)."""

    name: str
    kind: SiteKind | None
    routing: Routing | None = None
    customer_asn: int | None = None


def inventory_site_path(name: str, route_via: str) -> SitePath:
    """A site's path as its hub's inventory alone gives it: `routeVia: transitGateway` is a VPN on the
    transit gateway (planning its stack refuses anything else), `site` a path not known here."""
    return SitePath(name, "transitGatewayVpn" if route_via == "transitGateway" else None)


@dataclass(frozen=True)
class PairReach:
    """Whether the two sites of `sites` (in name order) reach each other through AWS, and why not."""

    sites: tuple[str, str]
    verdict: Verdict
    reason: str
    code: Code | None = None
    """None for a reachable pair."""

    @property
    def reachable(self) -> bool:
        return self.verdict == "reachable"


_VGW_KINDS = ("vpnGatewayVpn", "directConnect")


def _pair(first: SitePath, second: SitePath) -> PairReach:
    a, b = sorted((first, second), key=lambda path: path.name)
    names = (a.name, b.name)
    kinds = {a.kind, b.kind}
    if kinds == {"transitGatewayVpn"}:
        same_asn = a.customer_asn is not None and a.customer_asn == b.customer_asn
        if a.routing == b.routing == "bgp" and same_asn:
            return PairReach(
                names,
                "unreachable",
                f"both peer over BGP as ASN {a.customer_asn}: each router drops the other's routes (AS-path"
                " loop detection); give each customer gateway its own ASN",
                Code.SITES_UNREACHABLE_SAME_ASN,
            )
        return PairReach(
            names,
            "reachable",
            "both attach to the transit gateway, whose one route table routes each site's node and pod"
            " CIDRs to its own VPN attachment",
        )
    for one, other in ((a, b), (b, a)):
        if one.kind == "directConnect":
            return PairReach(
                names,
                "unreachable",
                f"{one.name} reaches AWS through a Direct Connect gateway on the virtual private gateway,"
                f" which advertises only the VPC CIDR to it, so it has no route to {other.name}",
                Code.SITES_UNREACHABLE_DIRECT_CONNECT,
            )
    for one, other in ((a, b), (b, a)):
        if one.kind == "vpnGatewayVpn" and other.kind in ("transitGatewayVpn", "softwareVpn"):
            where = "the transit gateway" if other.kind == "transitGatewayVpn" else "a software VPN appliance"
            return PairReach(
                names,
                "unreachable",
                f"{one.name} is on the virtual private gateway and {other.name} on {where}: the virtual"
                " private gateway routes only its own VPN and Direct Connect prefixes and the VPC CIDR",
                Code.SITES_UNREACHABLE_GATEWAYS,
            )
    if kinds == {"vpnGatewayVpn"}:
        if a.routing is None or b.routing is None:
            return PairReach(
                names,
                "unknown",
                "both are VPNs on the virtual private gateway, one with routing not known: they reach each"
                " other only through VPN CloudHub (BGP on both, one ASN each)",
                Code.SITES_REACH_UNKNOWN,
            )
        if (
            a.routing == "bgp" == b.routing
            and a.customer_asn is not None
            and a.customer_asn != b.customer_asn
        ):
            return PairReach(
                names,
                "reachable",
                "both are BGP VPNs on the virtual private gateway with their own ASNs: VPN CloudHub"
                " re-advertises each site's prefixes to the other",
            )
        why = (
            f"{', '.join(p.name for p in (a, b) if p.routing == 'static')} routes statically"
            if "static" in (a.routing, b.routing)
            else f"both use ASN {a.customer_asn}"
        )
        return PairReach(
            names,
            "unreachable",
            "both are VPNs on the virtual private gateway, which joins them only through VPN CloudHub (BGP on"
            f" both, one ASN each), and {why}",
            Code.SITES_UNREACHABLE_CLOUDHUB,
        )
    if kinds == {"transitGatewayVpn", "softwareVpn"} or kinds == {"softwareVpn"}:
        return PairReach(
            names,
            "unknown",
            "traffic between them crosses the VPC's route tables and a software VPN appliance, which"
            " eks-hybrid does not configure",
            Code.SITES_REACH_UNKNOWN,
        )
    unknown = ", ".join(p.name for p in (a, b) if p.kind is None)
    return PairReach(
        names,
        "unknown",
        f"{unknown}'s path to AWS is not known (no site stack planned, and the hub routes it `routeVia:"
        " site`: a virtual private gateway VPN, Direct Connect or a software VPN)",
        Code.SITES_REACH_UNKNOWN,
    )


def site_reachability(paths: Iterable[SitePath]) -> list[PairReach]:
    """Every pair of the hub's sites, in name order, with whether they reach each other through AWS."""
    ordered = sorted(paths, key=lambda path: path.name)
    return [_pair(first, second) for first, second in combinations(ordered, 2)]


def reachable_peers(paths: Sequence[SitePath], site: str) -> tuple[str, ...]:
    """The sites `site` reaches through AWS, in name order."""
    return tuple(
        next(name for name in pair.sites if name != site)
        for pair in site_reachability(paths)
        if site in pair.sites and pair.reachable
    )
