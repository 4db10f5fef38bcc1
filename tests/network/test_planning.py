"""Route sets: every destination routed by exactly one owner, in every table, named by keys (never by
the ids and CIDRs, which may be Outputs). A site stack's path is decided from its config (`stack_args`)."""

from __future__ import annotations

import ast
import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eks_hybrid.components.config._site_checks import site_kind
from eks_hybrid.components.config._stack_args import site_connectivity_args
from eks_hybrid.components.domain.naming import cidr_slug
from eks_hybrid.components.network import planning
from eks_hybrid.components.network.planning import hub_vpc_routes, site_routes

from .conftest import ROUTE_TABLES, direct_connect, inventory, site, software_vpn, tgw_vpn, vgw_vpn


def test_cidr_slug_is_how_0_1_named_by_cidr():
    assert cidr_slug("10.200.0.0/16") == "10.200.0.0-16"


def test_hub_routes_cover_both_networks_of_every_site_in_every_table():
    routes = hub_vpc_routes(["private-a", "private-b"], ["dallas"])
    assert [(r.table, r.source, r.role) for r in routes] == [
        ("private-a", "dallas", "node"),
        ("private-a", "dallas", "pod"),
        ("private-b", "dallas", "node"),
        ("private-b", "dallas", "pod"),
    ]
    assert routes[0].key == "private-a-dallas-node"


def test_hub_routes_do_not_depend_on_site_order():
    assert hub_vpc_routes(ROUTE_TABLES, ["b", "a"]) == hub_vpc_routes(ROUTE_TABLES, ["a", "b"])


def plan_of(config):
    """The site's routes as its component decides them from the Args the config layer builds."""
    args = site_connectivity_args(config, inventory())
    vpn = args.get("vpn") or {}
    kind = site_kind(config.site)
    return args, site_routes(
        kind,
        static=vpn.get("routing", "static") == "static",
        propagate=bool(vpn.get("propagate_routes")),
        tables=sorted(args.get("route_tables") or {}),
    )


def test_tgw_static_site_routes_both_cidrs_on_the_tgw_and_leaves_vpc_routes_to_the_hub():
    args, plan = plan_of(site(tgw_vpn()))
    assert plan.kind == "transitGatewayVpn"
    assert plan.static_routes_only is True
    assert plan.transit_gateway_routes == ("node", "pod")
    assert plan.transit_gateway_propagation is False
    assert plan.vpc_routes == () and "route_tables" not in args
    assert plan.vpn_connection_routes == ()
    assert args["vpn"]["transit_gateway_id"] == "tgw-0123456789abcdef0"


def test_tgw_bgp_site_has_no_static_routes_and_propagates_into_the_tgw_table():
    _, plan = plan_of(site(tgw_vpn(routing="bgp")))
    assert plan.static_routes_only is False
    assert plan.transit_gateway_routes == ()
    assert plan.transit_gateway_propagation is True


def test_tgw_static_site_can_also_propagate():
    _, plan = plan_of(site(tgw_vpn(propagate=True)))
    assert plan.transit_gateway_routes == ("node", "pod")
    assert plan.transit_gateway_propagation is True


def test_vgw_static_site_routes_on_the_vpn_and_in_every_vpc_table():
    args, plan = plan_of(site(vgw_vpn(), name="chicago"))
    assert plan.kind == "vpnGatewayVpn"
    assert plan.vpn_connection_routes == ("node", "pod")
    assert plan.vpc_route_target == "vpnGateway"
    assert {(r.table, r.role) for r in plan.vpc_routes} == {
        (t, role) for t in ROUTE_TABLES for role in ("node", "pod")
    }
    assert args["route_tables"] == {table: table for table in ROUTE_TABLES}
    assert (args["node_cidr"], args["pod_cidr"]) == ("10.201.0.0/16", "172.18.0.0/16")


def test_vgw_site_with_propagation_declares_no_vpc_routes():
    args, plan = plan_of(site(vgw_vpn(propagate=True), name="chicago"))
    assert plan.vpc_routes == () and "route_tables" not in args
    assert plan.vpc_route_target is None
    assert plan.vpn_connection_routes == ("node", "pod")
    assert "propagate_routes" not in args["vpn"]  # the VGW's propagation is the hub's


def test_vgw_bgp_site_has_no_vpn_connection_routes():
    _, plan = plan_of(site(vgw_vpn(routing="bgp"), name="chicago"))
    assert plan.static_routes_only is False
    assert plan.vpn_connection_routes == ()
    assert len(plan.vpc_routes) == 4


def test_direct_connect_allows_the_vpc_cidr_by_default():
    args, plan = plan_of(site(direct_connect(), name="chicago"))
    assert plan.kind == "directConnect"
    assert args["direct_connect"]["allowed_prefixes"] == ["10.100.0.0/16"]
    assert plan.vpc_route_target == "vpnGateway"
    assert len(plan.vpc_routes) == 4


def test_direct_connect_allows_only_the_private_subnet_when_given():
    args, _ = plan_of(site(direct_connect("10.100.16.0/20"), name="chicago"))
    assert args["direct_connect"]["allowed_prefixes"] == ["10.100.16.0/20"]


def test_software_vpn_routes_both_cidrs_to_the_appliance():
    args, plan = plan_of(site(software_vpn(), name="chicago"))
    assert plan.kind == "softwareVpn"
    assert plan.vpc_route_target == "networkInterface"
    assert sorted({r.role for r in plan.vpc_routes}) == ["node", "pod"]
    assert args["software_vpn"] == {"network_interface_id": "eni-0a1b2c3d4e5f60001"}


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
    # The hub routes its transitGateway sites; chicago (routeVia: site) routes its own.
    hub = inventory()
    tgw_sites = [name for name, entry in hub.sites.items() if entry.route_via == "transitGateway"]
    owned_by_hub = {(r.table, r.source) for r in hub_vpc_routes(hub.route_table_ids, tgw_sites)}
    owned_by_sites = set()
    for config in (site(vgw_vpn(), name="chicago"), site(tgw_vpn())):
        _, plan = plan_of(config)
        owned_by_sites |= {(r.table, config.site.name) for r in plan.vpc_routes}
    assert owned_by_hub and owned_by_sites
    assert not owned_by_hub & owned_by_sites


@given(
    st.lists(st.text("abcdefgh", min_size=1, max_size=6), min_size=1, max_size=30, unique=True),
    st.integers(1, 4),
)
def test_hub_routes_are_unique_and_keyed_by_table_site_and_role(sites, tables):
    table_keys = [f"rtb-{n:017x}" for n in range(tables)]
    routes = hub_vpc_routes(table_keys, sites)
    keys = [r.key for r in routes]
    assert len(keys) == len(set(keys))
    assert len(routes) == 2 * tables * len(sites)


def test_planning_module_never_imports_pulumi_nor_config():
    tree = ast.parse(inspect.getsource(planning))
    imported = {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.startswith("pulumi") or name.startswith("config") for name in imported)


# --- remote-network aggregates ------------------------------------------------------------------------


def test_with_aggregates_the_hub_routes_each_aggregate_not_each_site():
    sites = [f"store{i:03d}" for i in range(100)]
    routes = hub_vpc_routes(ROUTE_TABLES, sites, ["10.0.0.0-8"], ["100.64.0.0-10"])
    assert [(r.table, r.source, r.role) for r in routes] == [
        (ROUTE_TABLES[0], "10.0.0.0-8", "node"),
        (ROUTE_TABLES[0], "100.64.0.0-10", "pod"),
        (ROUTE_TABLES[1], "10.0.0.0-8", "node"),
        (ROUTE_TABLES[1], "100.64.0.0-10", "pod"),
    ]


def test_aggregates_of_one_kind_leave_the_other_per_site():
    # Only site a reaches the VPC through the TGW; its node CIDR is in the aggregate, its pod CIDR is not.
    routes = hub_vpc_routes(ROUTE_TABLES[:1], ["a"], ["10.0.0.0-8"])
    assert [(r.source, r.role) for r in routes] == [("10.0.0.0-8", "node"), ("a", "pod")]


# --- the transit gateway attachment's subnets ---------------------------------------------------------


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
