"""Route sets: every destination routed by exactly one owner, in every table, named by table and CIDR."""

from __future__ import annotations

import ast
import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eks_hybrid.components.network import planning
from eks_hybrid.components.network.planning import cidr_slug, hub_vpc_routes, plan_site, site_kind

from .conftest import ROUTE_TABLES, direct_connect, entry, inventory, site, software_vpn, tgw_vpn, vgw_vpn


def test_cidr_slug_is_name_safe():
    assert cidr_slug("10.200.0.0/16") == "10.200.0.0-16"


def test_hub_routes_cover_both_cidrs_of_tgw_sites_in_every_table():
    sites = {
        "dallas": entry("10.200.0.0/16", "192.168.0.0/16"),
        "chicago": entry("10.201.0.0/16", "172.18.0.0/16", route_via="site"),
    }
    routes = hub_vpc_routes(ROUTE_TABLES, sites)
    assert [(r.route_table_id, r.destination, r.role, r.site) for r in routes] == [
        (ROUTE_TABLES[0], "10.200.0.0/16", "node", "dallas"),
        (ROUTE_TABLES[0], "192.168.0.0/16", "pod", "dallas"),
        (ROUTE_TABLES[1], "10.200.0.0/16", "node", "dallas"),
        (ROUTE_TABLES[1], "192.168.0.0/16", "pod", "dallas"),
    ]
    assert routes[0].key == "rtb-0a1b2c3d4e5f60001-10.200.0.0-16"


def test_hub_routes_do_not_depend_on_inventory_order():
    a = {"b": entry("10.1.0.0/16", "10.2.0.0/16"), "a": entry("10.3.0.0/16", "10.4.0.0/16")}
    b = dict(reversed(list(a.items())))
    assert hub_vpc_routes(ROUTE_TABLES, a) == hub_vpc_routes(ROUTE_TABLES, b)


def test_tgw_static_site_routes_both_cidrs_on_the_tgw_and_leaves_vpc_routes_to_the_hub():
    plan = plan_site(site(tgw_vpn()).site, inventory())
    assert plan.kind == "transitGatewayVpn"
    assert plan.static_routes_only is True
    assert plan.transit_gateway_routes == ("10.200.0.0/16", "192.168.0.0/16")
    assert plan.transit_gateway_propagation is False
    assert plan.vpc_routes == ()
    assert plan.vpn_connection_routes == ()


def test_tgw_bgp_site_has_no_static_routes_and_propagates_into_the_tgw_table():
    plan = plan_site(site(tgw_vpn(routing="bgp")).site, inventory())
    assert plan.static_routes_only is False
    assert plan.transit_gateway_routes == ()
    assert plan.transit_gateway_propagation is True


def test_tgw_static_site_can_also_propagate():
    plan = plan_site(site(tgw_vpn(propagate=True)).site, inventory())
    assert plan.transit_gateway_routes == ("10.200.0.0/16", "192.168.0.0/16")
    assert plan.transit_gateway_propagation is True


def test_vgw_static_site_routes_on_the_vpn_and_in_every_vpc_table():
    plan = plan_site(site(vgw_vpn(), name="chicago").site, inventory())
    assert plan.kind == "vpnGatewayVpn"
    assert plan.vpn_connection_routes == ("10.201.0.0/16", "172.18.0.0/16")
    assert plan.vpc_route_target == "vpnGateway"
    assert {(r.route_table_id, r.destination) for r in plan.vpc_routes} == {
        (table, cidr) for table in ROUTE_TABLES for cidr in ("10.201.0.0/16", "172.18.0.0/16")
    }


def test_vgw_site_with_propagation_declares_no_vpc_routes():
    plan = plan_site(site(vgw_vpn(propagate=True), name="chicago").site, inventory())
    assert plan.vpc_routes == ()
    assert plan.vpc_route_target is None
    assert plan.vpn_connection_routes == ("10.201.0.0/16", "172.18.0.0/16")


def test_vgw_bgp_site_has_no_vpn_connection_routes():
    plan = plan_site(site(vgw_vpn(routing="bgp"), name="chicago").site, inventory())
    assert plan.static_routes_only is False
    assert plan.vpn_connection_routes == ()
    assert len(plan.vpc_routes) == 4


def test_direct_connect_allows_the_vpc_cidr_by_default():
    plan = plan_site(site(direct_connect(), name="chicago").site, inventory())
    assert plan.kind == "directConnect"
    assert plan.direct_connect_allowed_prefixes == ("10.100.0.0/16",)
    assert plan.vpc_route_target == "vpnGateway"
    assert len(plan.vpc_routes) == 4


def test_direct_connect_allows_only_the_private_subnet_when_given():
    plan = plan_site(site(direct_connect("10.100.16.0/20"), name="chicago").site, inventory())
    assert plan.direct_connect_allowed_prefixes == ("10.100.16.0/20",)


def test_software_vpn_routes_both_cidrs_to_the_appliance():
    plan = plan_site(site(software_vpn(), name="chicago").site, inventory())
    assert plan.kind == "softwareVpn"
    assert plan.vpc_route_target == "networkInterface"
    assert sorted({r.destination for r in plan.vpc_routes}) == ["10.201.0.0/16", "172.18.0.0/16"]


@pytest.mark.parametrize(
    ("connectivity", "kind"),
    [
        (tgw_vpn(), "transitGatewayVpn"),
        (vgw_vpn(), "vpnGatewayVpn"),
        (direct_connect(), "directConnect"),
        (software_vpn(), "softwareVpn"),
    ],
)
def test_site_kind(connectivity, kind):
    assert site_kind(site(connectivity).site) == kind


def test_no_destination_is_routed_by_both_hub_and_site():
    hub = inventory()
    owned_by_hub = {(r.route_table_id, r.destination) for r in hub_vpc_routes(hub.route_table_ids, hub.sites)}
    chicago = plan_site(site(vgw_vpn(), name="chicago").site, hub)
    dallas = plan_site(site(tgw_vpn()).site, hub)
    owned_by_sites = {(r.route_table_id, r.destination) for r in chicago.vpc_routes + dallas.vpc_routes}
    assert owned_by_hub and owned_by_sites
    assert not owned_by_hub & owned_by_sites


@given(st.lists(st.sampled_from(["transitGateway", "site"]), min_size=1, max_size=30), st.integers(1, 4))
def test_hub_routes_are_unique_and_keyed_by_table_and_destination(route_vias, tables):
    sites = {
        f"site{i}": entry(f"10.{i}.0.0/16", f"172.16.{i}.0/24", route_via=via)
        for i, via in enumerate(route_vias)
    }
    table_ids = [f"rtb-{n:017x}" for n in range(tables)]
    routes = hub_vpc_routes(table_ids, sites)
    keys = [r.key for r in routes]
    assert len(keys) == len(set(keys))
    assert len(routes) == 2 * tables * route_vias.count("transitGateway")


def test_planning_module_never_imports_pulumi():
    tree = ast.parse(inspect.getsource(planning))
    imported = {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.startswith("pulumi") for name in imported)


# --- remote-network aggregates (issue 17, point 6) ----------------------------------------------------


def test_with_aggregates_the_hub_routes_each_aggregate_not_each_site():
    from eks_hybrid.components.config import RemoteNetworksConfig

    aggregates = RemoteNetworksConfig.model_validate(
        {"nodeCidrs": ["10.0.0.0/8"], "podCidrs": ["100.64.0.0/10"]}
    )
    sites = {f"store{i:03d}": entry(f"10.{i}.0.0/16", f"100.64.{i}.0/24") for i in range(100)}
    routes = hub_vpc_routes(ROUTE_TABLES, sites, aggregates)
    assert [(r.route_table_id, r.destination, r.role, r.site) for r in routes] == [
        (ROUTE_TABLES[0], "10.0.0.0/8", "node", None),
        (ROUTE_TABLES[0], "100.64.0.0/10", "pod", None),
        (ROUTE_TABLES[1], "10.0.0.0/8", "node", None),
        (ROUTE_TABLES[1], "100.64.0.0/10", "pod", None),
    ]


def test_aggregates_of_one_kind_leave_the_other_per_site():
    from eks_hybrid.components.config import RemoteNetworksConfig

    aggregates = RemoteNetworksConfig.model_validate({"nodeCidrs": ["10.0.0.0/8"]})
    sites = {"a": entry("10.1.0.0/16", "172.18.0.0/16"), "b": entry("10.2.0.0/16", "172.19.0.0/16", "site")}
    routes = hub_vpc_routes(ROUTE_TABLES[:1], sites, aggregates)
    # b's pod CIDR stays b's own (routeVia: site); its node CIDR's own route is more specific than 10/8.
    assert [(r.destination, r.site) for r in routes] == [("10.0.0.0/8", None), ("172.18.0.0/16", "a")]


# --- the transit gateway attachment's subnets (point 10) ----------------------------------------------


def facts(subnet_id: str, zone: str, vpc: str = "vpc-0123456789abcdef0") -> planning.SubnetFacts:
    return planning.SubnetFacts(subnet_id, zone, vpc)


def attachment_problems(attachment, cluster=(), explicit=False):
    return [
        (p.path, p.rule)
        for p in planning.attachment_subnet_problems(
            attachment, cluster, vpc_id="vpc-0123456789abcdef0", explicit=explicit, file="f"
        )
    ]


def test_one_subnet_per_zone_is_accepted():
    assert attachment_problems([facts("subnet-a", "us-west-2a"), facts("subnet-b", "us-west-2b")]) == []


def test_two_cluster_subnets_in_one_zone_are_refused_for_the_attachment():
    found = attachment_problems(
        [facts("subnet-a", "us-west-2a"), facts("subnet-b", "us-west-2a"), facts("subnet-c", "us-west-2b")]
    )
    [(path, rule)] = found
    assert path == "eks-hybrid:cluster.subnetIds"
    assert "subnet-a and subnet-b are all in us-west-2a" in rule
    assert "one subnet per Availability Zone" in rule and "eks-hybrid:transitGateway.subnetIds" in rule


def test_explicit_attachment_subnets_must_cover_every_cluster_zone_in_the_vpc():
    attachment = [facts("subnet-t1", "us-west-2a"), facts("subnet-t2", "us-west-2b", "vpc-0fffffffffffffff0")]
    cluster = [facts("subnet-a", "us-west-2a"), facts("subnet-c", "us-west-2c")]
    found = attachment_problems(attachment, cluster, explicit=True)
    assert [path for path, _ in found] == ["eks-hybrid:transitGateway.subnetIds"] * 2
    assert "subnet-t2 is in vpc-0fffffffffffffff0, not the cluster's VPC" in found[0][1]
    assert "no attachment subnet in us-west-2c, where cluster subnet subnet-c is" in found[1][1]
