"""Check a site stack against its hub's inventory, before any of the site's resources are declared."""

from __future__ import annotations

from ipaddress import IPv4Network

from ..codes import Code
from ..domain.cidrs import contains_address
from ..domain.cluster_rules import cidrs_outside, restricted_public_cidrs
from ..domain.hub_outputs import HubInventory
from ..domain.tunnel_selectors import policy_based_selectors
from ..errors import PlanError, Problem, RuleError
from ..network.planning import SiteKind
from ._quotas import site_quota_problems
from .site import SiteConfig, SiteSpec
from .source import stack_file_label

_VPN = "eks-hybrid:site.connectivity.siteToSiteVpn"
_TYPE = "eks-hybrid:site.connectivity.type"
_EGRESS = "eks-hybrid:site.egressCidrs"


def site_kind(site: SiteSpec) -> SiteKind:
    """Which path a site stack's connectivity takes."""
    connectivity = site.connectivity
    if connectivity.type == "siteToSiteVpn":
        vpn = connectivity.site_to_site_vpn
        if vpn is not None and vpn.attach_to == "virtualPrivateGateway":
            return "vpnGatewayVpn"
        return "transitGatewayVpn"
    return connectivity.type


def _describe(kind: str) -> str:
    return {
        "transitGatewayVpn": "a Site-to-Site VPN on the transit gateway",
        "vpnGatewayVpn": "a Site-to-Site VPN on the virtual private gateway",
        "directConnect": "Direct Connect",
        "softwareVpn": "a software VPN appliance",
    }.get(kind, kind)


def site_problems(site: SiteConfig, inventory: HubInventory, file: str, hub: str) -> list[Problem]:
    """Every way `site` disagrees with the hub stack `hub` (its outputs as `inventory`).

    Only this site's inventory entry is read, so planning N sites stays linear in N.
    """
    spec = site.site
    entry = inventory.sites.get(spec.name)
    if entry is None:
        return [
            Problem(
                file,
                "eks-hybrid:site.name",
                f"site {spec.name!r} is not in hub {hub}'s eks-hybrid:sites inventory:"
                f" add it there with its nodeCidr and podCidr first",
                Code.SITE_NOT_IN_HUB,
            )
        ]
    problems: list[Problem] = []
    if site.region != inventory.region:
        problems.append(
            Problem(
                file,
                "aws:region",
                f"{site.region} differs from hub {hub}'s region {inventory.region}: a site connects to the"
                " hub's VPC in the hub's region",
                Code.REGION_MISMATCH,
            )
        )

    kind = site_kind(spec)
    through_tgw = kind == "transitGatewayVpn"
    # A Site-to-Site VPN's path is chosen by attachTo; the other kinds by the connectivity type itself.
    path_key = f"{_VPN}.attachTo" if spec.connectivity.type == "siteToSiteVpn" else _TYPE
    if through_tgw and entry.route_via != "transitGateway":
        problems.append(
            Problem(
                file,
                path_key,
                f"the site attaches to the transit gateway, but hub {hub} has `routeVia: site` for"
                f" {spec.name}: set eks-hybrid:sites.{spec.name}.routeVia to transitGateway in hub stack"
                f" {hub} so the hub routes its CIDRs",
                Code.ROUTE_VIA_MISMATCH,
            )
        )
    if not through_tgw and entry.route_via != "site":
        problems.append(
            Problem(
                file,
                path_key,
                f"{_describe(kind)} does not reach the VPC through the transit gateway, so hub stack {hub}"
                f" must have eks-hybrid:sites.{spec.name}.routeVia: site (it has {entry.route_via})",
                Code.ROUTE_VIA_MISMATCH,
            )
        )

    if kind in ("vpnGatewayVpn", "directConnect") and not inventory.vpn_gateway_id:
        problems.append(
            Problem(
                file,
                path_key,
                f"{_describe(kind)} needs the VPC's virtual private gateway, and hub {hub} has none: add"
                " eks-hybrid:virtualPrivateGateway to the hub stack",
                Code.VPN_GATEWAY_MISSING,
            )
        )

    vpn = spec.connectivity.site_to_site_vpn
    propagates = kind == "vpnGatewayVpn" and vpn is not None and vpn.propagate_routes
    if propagates and not inventory.vpn_gateway_propagates_routes:
        problems.append(
            Problem(
                file,
                f"{_VPN}.propagateRoutes",
                "route propagation is per gateway and route table, so the hub owns it: set"
                f" eks-hybrid:virtualPrivateGateway.propagateRoutes: true in hub {hub}, or set this to"
                " false for static VPC routes",
                Code.ROUTE_PROPAGATION_IN_HUB,
            )
        )

    if vpn is not None and vpn.routing == "bgp":
        amazon_asn = inventory.amazon_side_asn if through_tgw else inventory.vpn_gateway_asn
        if vpn.customer_gateway.bgp_asn == amazon_asn:
            problems.append(
                Problem(
                    file,
                    f"{_VPN}.customerGateway.bgpAsn",
                    f"{vpn.customer_gateway.bgp_asn} is the Amazon-side ASN of the hub's gateway: BGP needs"
                    " the two ends in different autonomous systems",
                    Code.ASN_CLASH,
                )
            )

    problems += _policy_based_problems(site, inventory, file)

    peer = entry.bgp_peer
    bgp_to_aws = vpn is not None and vpn.routing == "bgp"
    if vpn is not None and bgp_to_aws and peer is not None and peer.asn != vpn.customer_gateway.bgp_asn:
        problems.append(
            Problem(
                file,
                f"{_VPN}.customerGateway.bgpAsn",
                f"{vpn.customer_gateway.bgp_asn} differs from hub {hub}'s eks-hybrid:sites.{spec.name}"
                f".bgpPeer.asn {peer.asn}: the router peers with AWS and with the site's nodes as one BGP"
                " speaker, so both must be its ASN",
                Code.ASN_MISMATCH,
            )
        )

    problems += _egress_problems(site, inventory, file, hub)
    problems += _direct_connect_problems(site, inventory, file)
    problems += _tunnel_problems(site, entry.tunnel_inside_cidrs, file, hub)
    problems += _cluster_pool_problems(site, inventory, file, hub)
    problems += site_quota_problems(site, inventory, file)

    reserved = {
        IPv4Network(entry.pod_cidr): f"{spec.name}'s pod CIDR",
        IPv4Network(inventory.vpc_cidr): "the VPC CIDR",
        IPv4Network(inventory.service_cidr): "the service CIDR",
    }
    for pool_index, pool in enumerate(spec.node_pools):
        for host_index, host in enumerate(pool.edge_hosts):
            if host.vpn_server_ip is None:
                continue
            clash = contains_address(list(reserved), host.vpn_server_ip)
            if clash is not None:
                problems.append(
                    Problem(
                        file,
                        f"eks-hybrid:site.nodePools[{pool_index}].edgeHosts[{host_index}].vpnServerIp",
                        f"{host.vpn_server_ip} is inside {reserved[clash]} {clash}: the VPN server must be"
                        " reachable outside the pod, VPC and service networks",
                        Code.VPN_SERVER_ADDRESS,
                    )
                )
    return problems


def _egress_problems(site: SiteConfig, inventory: HubInventory, file: str, hub: str) -> list[Problem]:
    """A hub whose public endpoint is limited to some ranges must admit the site's internet egress: hybrid
    nodes resolve a public endpoint to its public addresses and reach it over the internet (EKS user guide,
    "Kubernetes concepts for hybrid nodes", "EKS API server endpoint"; the ranges "must include the
    addresses that nodes ... access the public endpoint from": cluster-endpoint.html). A private endpoint
    (nodes use the control plane's interfaces in the VPC) or one open to 0.0.0.0/0 needs nothing here."""
    allowed = restricted_public_cidrs(inventory.endpoint_access or "", inventory.public_access_cidrs)
    if allowed is None:
        return []
    hub_key = f"{stack_file_label(hub.rsplit('/', 1)[-1])}: eks-hybrid:cluster.publicAccessCidrs"
    egress = site.site.internet_egress
    if egress is None:
        return [
            Problem(
                file,
                _EGRESS,
                f"hub {hub}'s public endpoint admits only {', '.join(allowed)} ({hub_key}), and this site has"
                " no customer gateway to take its internet egress from: give the addresses its nodes reach"
                f" the internet from as {_EGRESS} and add them to the hub's publicAccessCidrs",
                Code.SITE_EGRESS_REQUIRED,
            )
        ]
    outside = cidrs_outside(egress, allowed)
    if not outside:
        return []
    where = _EGRESS if site.site.egress_cidrs else f"{_EGRESS} (by default the customer gateway's ipAddress)"
    return [
        Problem(
            file,
            _EGRESS,
            f"{', '.join(outside)} ({where}) is outside {', '.join(allowed)} ({hub_key}): the site's"
            " nodes reach the hub's public endpoint from there and would be refused; add it to the hub's"
            f" publicAccessCidrs, or set {_EGRESS} to the addresses they do leave from",
            Code.SITE_EGRESS_OUTSIDE,
        )
    ]


def _direct_connect_problems(site: SiteConfig, inventory: HubInventory, file: str) -> list[Problem]:
    """On a VGW association, allowed prefixes only filter what AWS advertises on-prem and must be the same
    as or wider than the VPC CIDR, or on-premises receives no route (Direct Connect user guide, "Allowed
    prefixes interactions")."""
    dx = site.site.connectivity.direct_connect
    if site.site.connectivity.type != "directConnect" or dx is None or dx.private_subnet_cidr is None:
        return []
    prefix, vpc = IPv4Network(dx.private_subnet_cidr), IPv4Network(inventory.vpc_cidr)
    if vpc.subnet_of(prefix):
        return []
    why = "is narrower than" if prefix.subnet_of(vpc) else "does not contain"
    return [
        Problem(
            file,
            "eks-hybrid:site.connectivity.directConnect.privateSubnetCidr",
            f"{prefix} {why} the VPC CIDR {vpc}: on a virtual private gateway association the allowed prefix"
            " only filters what AWS advertises, and AWS advertises the VPC CIDR, so on-premises would receive"
            f" no route; use the VPC CIDR (the default) or a prefix containing it",
            Code.ALLOWED_PREFIX_NARROW,
        )
    ]


def _policy_based_problems(site: SiteConfig, inventory: HubInventory, file: str) -> list[Problem]:
    """Policy-based tunnels only with static routing and one selector pair (`policy_based_selectors`)."""
    vpn = site.site.connectivity.site_to_site_vpn
    if site.site.connectivity.type != "siteToSiteVpn" or vpn is None or not vpn.policy_based:
        return []
    if vpn.routing == "bgp":
        return [
            Problem(
                file,
                f"{_VPN}.policyBased",
                "BGP to AWS runs over route-based tunnels (0.0.0.0/0 selectors and an interface per tunnel"
                " carrying the BGP session): leave policyBased out, or use routing: static",
                Code.POLICY_BASED_WITH_BGP,
            )
        ]
    entry = inventory.sites[site.site.name]
    try:
        policy_based_selectors(entry.node_cidr, entry.pod_cidr, (inventory.vpc_cidr,))
    except RuleError as error:
        return [Problem.of(file, f"{_VPN}.policyBased", error.reason)]
    return []


def _tunnel_problems(site: SiteConfig, recorded: list[str], file: str, hub: str) -> list[Problem]:
    """A tunnel inside CIDR must be unique among the VPN connections of its gateway. The hub checks that
    across its inventory, so each one the site uses must be recorded there."""
    vpn = site.site.connectivity.site_to_site_vpn
    if site.site.connectivity.type != "siteToSiteVpn" or vpn is None:
        return []
    problems = []
    for index, tunnel in enumerate(vpn.tunnels):
        if tunnel.inside_cidr is not None and tunnel.inside_cidr not in recorded:
            problems.append(
                Problem(
                    file,
                    f"{_VPN}.tunnels[{index}].insideCidr",
                    f"{tunnel.inside_cidr} is not in hub {hub}'s eks-hybrid:sites.{site.site.name}"
                    f".tunnelInsideCidrs ({', '.join(recorded) or 'none'}): record it there, so the hub"
                    " checks it unique across every VPN connection on its gateways (AWS requires that)",
                    Code.TUNNEL_CIDR_NOT_RECORDED,
                )
            )
    return problems


def _cluster_pool_problems(site: SiteConfig, inventory: HubInventory, file: str, hub: str) -> list[Problem]:
    """With cluster-pool IPAM and several sites, any node may hold a block of any site's pod CIDR; that is
    routed correctly only if every site advertises its nodes' blocks by BGP to the transit gateway."""
    if inventory.cilium_ipam_mode != "clusterPool" or inventory.site_count < 2:
        return []
    vpn = site.site.connectivity.site_to_site_vpn
    if site_kind(site.site) == "transitGatewayVpn" and vpn is not None and vpn.routing == "bgp":
        return []
    return [
        Problem(
            file,
            "eks-hybrid:site.connectivity",
            f"hub {hub} runs Cilium with cluster-pool IPAM over {inventory.site_count} sites, so a node here"
            " may get a block of another site's pod CIDR: that is routed only when every site advertises its"
            " nodes' blocks by BGP, so this site needs a Site-to-Site VPN on the transit gateway with"
            " routing: bgp (or set eks-hybrid:cilium.ipam: multiPool in the hub)",
            Code.CLUSTER_POOL_NEEDS_BGP,
        )
    ]


def check_site_against_hub(site: SiteConfig, inventory: HubInventory, file: str, hub: str) -> None:
    """Raise `PlanError` listing every problem; returns quietly when the site fits its hub."""
    problems = site_problems(site, inventory, file, hub)
    if problems:
        raise PlanError(sorted(problems, key=lambda p: p.path))
