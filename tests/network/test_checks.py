"""A site planned against its hub: every disagreement named with the site file and key."""

from __future__ import annotations

import pytest

from eks_hybrid.components.config._site_checks import check_site_against_hub, site_problems
from eks_hybrid.components.errors import PlanError

from .conftest import direct_connect, inventory, site, software_vpn, tgw_vpn, vgw_vpn

FILE = "stacks/Pulumi.test-site.yaml"


def problems(config, hub=None):
    return [(p.path, p.rule) for p in site_problems(config, hub or inventory(), FILE, "example-hub")]


def codes(config, hub=None):
    return [p.code for p in site_problems(config, hub or inventory(), FILE, "example-hub")]


@pytest.mark.parametrize(
    ("config", "hub", "code"),
    [
        (lambda: site(tgw_vpn(), name="austin"), inventory, "site-not-in-hub"),
        (lambda: site(tgw_vpn(), name="chicago"), inventory, "route-via-mismatch"),
        (
            lambda: site(vgw_vpn(), name="chicago"),
            lambda: inventory(vpnGatewayId=None),
            "vpn-gateway-missing",
        ),
        (
            lambda: site(tgw_vpn(routing="bgp", asn=65100)),
            lambda: inventory(amazonSideAsn=65100),
            "asn-clash",
        ),
        (lambda: site(direct_connect("10.99.0.0/16"), name="chicago"), inventory, "allowed-prefix-narrow"),
        (
            lambda: site(tgw_vpn()),
            lambda: inventory(ciliumIpamMode="clusterPool", siteCount=3),
            "cluster-pool-needs-bgp",
        ),
    ],
)
def test_each_disagreement_has_its_code(config, hub, code):
    assert codes(config(), hub()) == [code]


def test_a_matching_site_has_no_problems():
    assert problems(site(tgw_vpn())) == []
    assert problems(site(vgw_vpn(), name="chicago")) == []


def test_unknown_site_name():
    [(path, rule)] = problems(site(tgw_vpn(), name="austin"))
    assert path == "eks-hybrid:site.name"
    assert "'austin' is not in hub example-hub's eks-hybrid:sites inventory" in rule


def test_region_must_match_the_hub():
    config = site(tgw_vpn())
    found = problems(config, inventory(region="eu-west-1"))
    assert found == [
        (
            "aws:region",
            "us-west-2 differs from hub example-hub's region eu-west-1: a site connects to the hub's VPC in"
            " the hub's region",
        )
    ]


ATTACH_TO = "eks-hybrid:site.connectivity.siteToSiteVpn.attachTo"
TYPE = "eks-hybrid:site.connectivity.type"


def test_tgw_site_must_be_route_via_transit_gateway():
    # The key to change is where the VPN attaches, not the connectivity type.
    [(path, rule)] = problems(site(tgw_vpn(), name="chicago"))
    assert path == ATTACH_TO
    assert "has `routeVia: site` for chicago" in rule


@pytest.mark.parametrize(
    ("connectivity", "path", "what"),
    [
        (vgw_vpn(), ATTACH_TO, "a Site-to-Site VPN on the virtual private gateway"),
        (direct_connect(), TYPE, "Direct Connect"),
        (software_vpn(), TYPE, "a software VPN appliance"),
    ],
)
def test_non_tgw_site_must_be_route_via_site(connectivity, path, what):
    [(found, rule)] = problems(site(connectivity, name="dallas"))
    assert found == path
    assert rule.startswith(f"{what} does not reach the VPC through the transit gateway")
    assert "must have eks-hybrid:sites.dallas.routeVia: site" in rule


@pytest.mark.parametrize(("connectivity", "path"), [(vgw_vpn(), ATTACH_TO), (direct_connect(), TYPE)])
def test_vgw_and_direct_connect_need_the_hubs_vgw(connectivity, path):
    [(found, rule)] = problems(site(connectivity, name="chicago"), inventory(vpnGatewayId=None))
    assert found == path
    assert "add eks-hybrid:virtualPrivateGateway to the hub stack" in rule


def test_software_vpn_needs_no_vgw():
    assert problems(site(software_vpn(), name="chicago"), inventory(vpnGatewayId=None)) == []


def test_vgw_propagation_must_be_enabled_in_the_hub():
    config = site(vgw_vpn(propagate=True), name="chicago")
    [(path, rule)] = problems(config)
    assert path == "eks-hybrid:site.connectivity.siteToSiteVpn.propagateRoutes"
    assert "eks-hybrid:virtualPrivateGateway.propagateRoutes: true" in rule
    assert problems(config, inventory(vpnGatewayPropagatesRoutes=True)) == []


def test_bgp_asn_must_differ_from_the_tgw_asn():
    [(path, rule)] = problems(site(tgw_vpn(routing="bgp", asn=65100)), inventory(amazonSideAsn=65100))
    assert path == "eks-hybrid:site.connectivity.siteToSiteVpn.customerGateway.bgpAsn"
    assert "65100 is the Amazon-side ASN" in rule


def test_bgp_asn_must_differ_from_the_vgw_asn():
    config = site(vgw_vpn(routing="bgp", asn=65200), name="chicago")
    [(path, _)] = problems(config, inventory(vpnGatewayAsn=65200))
    assert path.endswith("customerGateway.bgpAsn")


def test_static_routing_does_not_care_about_asns():
    assert problems(site(tgw_vpn(asn=65100)), inventory(amazonSideAsn=65100)) == []


def pools(*ips):
    return {
        "nodePools": [
            {
                "name": "workers",
                "edgeHosts": [{"uid": f"edge-{i}", "vpnServerIp": ip} for i, ip in enumerate(ips)],
            }
        ]
    }


@pytest.mark.parametrize(
    ("ip", "label"),
    [
        ("192.168.4.4", "dallas's pod CIDR 192.168.0.0/16"),
        ("10.100.0.9", "the VPC CIDR 10.100.0.0/16"),
        ("172.20.1.1", "the service CIDR 172.20.0.0/16"),
    ],
)
def test_vpn_server_ip_outside_pod_vpc_and_service_cidrs(ip, label):
    [(path, rule)] = problems(site(tgw_vpn(), **pools("10.200.0.1", ip)))
    assert path == "eks-hybrid:site.nodePools[0].edgeHosts[1].vpnServerIp"
    assert rule.startswith(f"{ip} is inside {label}")


def test_all_problems_reported_at_once_and_sorted():
    config = site(vgw_vpn(propagate=True), name="dallas", **pools("10.100.0.9"))
    with pytest.raises(PlanError) as caught:
        check_site_against_hub(config, inventory(region="eu-west-1"), FILE, "example-hub")
    paths = [p.path for p in caught.value.problems]
    assert paths == sorted(paths)
    assert paths == [
        "aws:region",
        "eks-hybrid:site.connectivity.siteToSiteVpn.attachTo",
        "eks-hybrid:site.connectivity.siteToSiteVpn.propagateRoutes",
        "eks-hybrid:site.nodePools[0].edgeHosts[0].vpnServerIp",
    ]
    assert all(p.file == FILE for p in caught.value.problems)
    assert str(caught.value).startswith("cannot plan this stack (4 problems):")


# --- Direct Connect allowed prefixes ------------------------------------------------------------------

DX_KEY = "eks-hybrid:site.connectivity.directConnect.privateSubnetCidr"


@pytest.mark.parametrize(
    ("prefix", "phrase"), [("10.100.16.0/20", "is narrower than"), ("10.99.0.0/16", "does not contain")]
)
def test_direct_connect_prefix_narrower_than_the_vpc_is_refused(prefix, phrase):
    # On a VGW association allowedPrefixes only filter what AWS advertises (the VPC CIDR): a /20 of the
    # /16 VPC means on-premises receives no route at all (Direct Connect user guide, allowed prefixes).
    [(path, rule)] = problems(site(direct_connect(prefix), name="chicago"))
    assert path == DX_KEY
    assert f"{prefix} {phrase} the VPC CIDR 10.100.0.0/16" in rule
    assert "on-premises would receive no route" in rule


@pytest.mark.parametrize("prefix", [None, "10.100.0.0/16", "10.100.0.0/15", "10.0.0.0/8"])
def test_direct_connect_prefix_equal_to_or_wider_than_the_vpc_is_accepted(prefix):
    assert problems(site(direct_connect(prefix), name="chicago")) == []


# --- tunnel inside CIDRs recorded in the hub ----------------------------------------------------------


def tunnels(*cidrs):
    block = tgw_vpn()
    block["siteToSiteVpn"]["tunnels"] = [{"insideCidr": cidr} for cidr in cidrs]
    return block


def test_tunnel_inside_cidrs_must_be_recorded_in_the_hubs_inventory():
    hub = inventory(
        sites={
            "dallas": {
                "nodeCidr": "10.200.0.0/16",
                "podCidr": "192.168.0.0/16",
                "tunnelInsideCidrs": ["169.254.10.0/30"],
            }
        }
    )
    assert problems(site(tunnels("169.254.10.0/30")), hub) == []
    [(path, rule)] = problems(site(tunnels("169.254.10.0/30", "169.254.10.4/30")), hub)
    assert path == "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[1].insideCidr"
    assert "169.254.10.4/30 is not in hub example-hub's eks-hybrid:sites.dallas.tunnelInsideCidrs" in rule
    assert "unique across every VPN connection" in rule


def test_tunnels_without_inside_cidrs_need_no_record():
    block = tgw_vpn()
    block["siteToSiteVpn"]["tunnels"] = [{}, {}]
    assert problems(site(block)) == []


# --- cluster-pool needs every site on BGP -------------------------------------------------------------


def test_a_static_site_of_a_cluster_pool_hub_with_several_sites_is_refused():
    hub = inventory(ciliumIpamMode="clusterPool", siteCount=3)
    [(path, rule)] = problems(site(tgw_vpn()), hub)
    assert path == "eks-hybrid:site.connectivity"
    assert "cluster-pool IPAM over 3 sites" in rule and "routing: bgp" in rule


def test_a_bgp_transit_gateway_site_of_a_cluster_pool_hub_is_accepted():
    hub = inventory(ciliumIpamMode="clusterPool", siteCount=3)
    assert problems(site(tgw_vpn(routing="bgp")), hub) == []


@pytest.mark.parametrize(("mode", "count"), [("clusterPool", 1), ("multiPool", 3)])
def test_static_sites_are_fine_with_one_site_or_multi_pool(mode, count):
    assert problems(site(tgw_vpn()), inventory(ciliumIpamMode=mode, siteCount=count)) == []


def _with_peer(asn: int):
    sites = {
        "dallas": {
            "nodeCidr": "10.200.0.0/16",
            "podCidr": "192.168.0.0/16",
            # as a StackReference returns it: numbers are doubles
            "bgpPeer": {"address": "10.200.0.1", "asn": float(asn)},
        }
    }
    return inventory(sites=sites)


def test_with_bgp_to_aws_the_routers_peer_asn_is_its_customer_gateways():
    # One FRR speaks BGP to AWS (as the customer gateway) and to the nodes (as the hub's bgpPeer).
    assert problems(site(tgw_vpn(routing="bgp", asn=65010)), _with_peer(65010)) == []
    [(path, rule)] = problems(site(tgw_vpn(routing="bgp", asn=65010)), _with_peer(65011))
    assert path == "eks-hybrid:site.connectivity.siteToSiteVpn.customerGateway.bgpAsn"
    assert "65010 differs from hub example-hub's eks-hybrid:sites.dallas.bgpPeer.asn 65011" in rule
    # With static routing the customer gateway's ASN is nominal: the router may peer under another.
    assert problems(site(tgw_vpn(asn=65010)), _with_peer(65011)) == []


def _pools(hosts: int) -> list[dict]:
    return [
        {
            "name": "workers",
            "architecture": "amd64",
            "edgeHosts": [{"uid": f"edge-{n}"} for n in range(hosts)],
        }
    ]


def _cluster_pool_with_peer(site_count: int = 3):
    hub = _with_peer(65010)
    return hub.model_copy(update={"cilium_ipam_mode": "clusterPool", "site_count": site_count})


def test_a_cluster_pool_site_passing_more_than_100_routes_to_aws_is_refused():
    # node CIDR + pod CIDR + one pod block per node: 98 nodes fill AWS's 100, the 99th resets the session
    bgp = tgw_vpn(routing="bgp", asn=65010)
    assert problems(site(bgp, nodePools=_pools(98)), _cluster_pool_with_peer()) == []
    [(path, rule)] = problems(site(bgp, nodePools=_pools(99)), _cluster_pool_with_peer())
    assert path == "eks-hybrid:site.nodePools"
    assert rule.startswith("101 routes the site's router advertises to its VPN connection")
    assert "over AWS's quota of 100" in rule and "vpn-limits.html" in rule and "multiPool" in rule
    assert codes(site(bgp, nodePools=_pools(99)), _cluster_pool_with_peer()) == ["too-many-routes-to-aws"]


@pytest.mark.parametrize(
    "hub",
    [
        lambda: _cluster_pool_with_peer(site_count=1),  # one site: one pod CIDR, advertised whole
        lambda: _with_peer(65010).model_copy(update={"site_count": 3}),  # multi-pool: the pod CIDR only
        lambda: inventory(ciliumIpamMode="clusterPool", siteCount=3),  # no bgpPeer: nodes do not peer
    ],
)
def test_a_large_site_advertising_only_its_aggregates_is_within_the_quota(hub):
    assert problems(site(tgw_vpn(routing="bgp", asn=65010), nodePools=_pools(300)), hub()) == []


def policy_vpn(routing: str = "static") -> dict:
    block = tgw_vpn(routing)
    block["siteToSiteVpn"]["policyBased"] = True
    return block


def policy_inventory(node: str = "10.200.0.0/16", pod: str = "10.201.0.0/16"):
    return inventory(sites={"dallas": {"nodeCidr": node, "podCidr": pod}})


def test_policy_based_tunnels_need_node_and_pod_cidrs_that_make_one_network():
    """AWS allows a policy-based device one SA pair per tunnel: one local CIDR for node and pod CIDRs."""
    assert problems(site(policy_vpn()), policy_inventory()) == []
    [(path, rule)] = problems(site(policy_vpn()))  # 10.200.0.0/16 and 192.168.0.0/16
    assert path == "eks-hybrid:site.connectivity.siteToSiteVpn.policyBased"
    assert "do not make one network" in rule and "one security association pair per tunnel" in rule
    assert codes(site(policy_vpn()), policy_inventory(pod="10.202.0.0/16")) == ["policy-based-selectors"]
    assert codes(site(policy_vpn()), policy_inventory("10.100.0.0/17", "10.100.128.0/17")) == [
        "policy-based-selectors"
    ]


def test_policy_based_tunnels_cannot_carry_bgp():
    assert codes(site(policy_vpn("bgp")), policy_inventory()) == ["policy-based-with-bgp"]
