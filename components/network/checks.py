"""Check a site stack against its hub's inventory, before any of the site's resources are declared."""

from __future__ import annotations

from ipaddress import IPv4Network

from ..config.cidrs import contains_address
from ..config.hub_outputs import HubInventory
from ..config.site import SiteConfig
from ..errors import PlanError, Problem
from .planning import site_kind

_VPN = "eks-hybrid:site.connectivity.siteToSiteVpn"
_TYPE = "eks-hybrid:site.connectivity.type"


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
                f" {spec.name}: set routeVia to transitGateway in the hub so the hub routes its CIDRs",
            )
        )
    if not through_tgw and entry.route_via != "site":
        problems.append(
            Problem(
                file,
                path_key,
                f"{_describe(kind)} does not reach the VPC through the transit gateway, so hub {hub}"
                f" must list {spec.name} with `routeVia: site` (it has routeVia: {entry.route_via})",
            )
        )

    if kind in ("vpnGatewayVpn", "directConnect") and not inventory.vpn_gateway_id:
        problems.append(
            Problem(
                file,
                path_key,
                f"{_describe(kind)} needs the VPC's virtual private gateway, and hub {hub} has none: add"
                " eks-hybrid:virtualPrivateGateway to the hub stack",
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
                )
            )

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
                    )
                )
    return problems


def check_site_against_hub(site: SiteConfig, inventory: HubInventory, file: str, hub: str) -> None:
    """Raise `PlanError` listing every problem; returns quietly when the site fits its hub."""
    problems = site_problems(site, inventory, file, hub)
    if problems:
        raise PlanError(sorted(problems, key=lambda p: p.path))
