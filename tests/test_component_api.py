"""The components as a Pulumi user meets them: Args of `pulumi.Input`, children named by the caller's keys
(never by Outputs), arguments checked with messages naming the argument (now when known, at deployment
when an Output), and no config model anywhere near them."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from eks_hybrid.components.cluster import HybridCluster, HybridClusterArgs
from eks_hybrid.components.cni import CiliumSitePools, CiliumSitePoolsArgs
from eks_hybrid.components.errors import ArgumentsError
from eks_hybrid.components.identity import NodeIdentity, NodeIdentityArgs
from eks_hybrid.components.network import (
    SiteCidrs,
    SiteConnectivity,
    SiteConnectivityArgs,
    SiteToSiteVpn,
    TransitGatewayHub,
    TransitGatewayHubArgs,
    VpnTunnel,
)
from eks_hybrid.components.palette import EdgeHost, NodePool, PaletteNodePools, PaletteNodePoolsArgs
from eks_hybrid.offline.engine import OfflineRun
from tests.conftest import REPO, MockEngine

SITES = {"dallas": SiteCidrs(node_cidr="10.200.0.0/16", pod_cidr="192.168.0.0/16")}


def hub_args(**changes: Any) -> TransitGatewayHubArgs:
    args = TransitGatewayHubArgs(
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr="10.100.0.0/16",
        subnet_ids=["subnet-0a1b2c3d4e5f60001"],
        route_tables={"private-a": "rtb-0a1b2c3d4e5f60001"},
        sites=SITES,
    )
    args.update(changes)  # type: ignore[typeddict-item]
    return args


def problems_of(engine: MockEngine, build: Any) -> list[tuple[str, str, str]]:
    """(component, argument, rule) of every problem `build()` raised; nothing is declared meanwhile."""
    caught: list[ArgumentsError] = []

    def program() -> None:
        try:
            build()
        except ArgumentsError as error:
            caught.append(error)

    run = engine.run(program)
    assert [r for r in run.resources if r.custom] == []  # a refused component declares no resource
    assert caught, "no ArgumentsError"
    return [(p.file, p.path, p.rule) for p in caught[0].problems]


# --- Outputs from the same program ----------------------------------------------------------------------


def program_with_its_own_vpc() -> None:
    vpc = aws.ec2.Vpc("net", cidr_block="10.100.0.0/16")
    subnet = aws.ec2.Subnet("net-a", vpc_id=vpc.id, cidr_block="10.100.0.0/24")
    table = aws.ec2.RouteTable("net-private", vpc_id=vpc.id)
    hub = TransitGatewayHub(
        "edge",
        TransitGatewayHubArgs(
            vpc_id=vpc.id,
            vpc_cidr=vpc.cidr_block,
            subnet_ids=[subnet.id],
            route_tables={"private": table.id},
            sites={
                "dallas": SiteCidrs(
                    node_cidr="10.200.0.0/16", pod_cidr=pulumi.Output.from_input("192.168.0.0/16")
                )
            },
        ),
    )
    SiteConnectivity(
        "dallas",
        SiteConnectivityArgs(
            node_cidr="10.200.0.0/16",
            pod_cidr="192.168.0.0/16",
            vpn=SiteToSiteVpn(
                customer_gateway_ip="203.0.113.10",
                transit_gateway_id=hub.transit_gateway_id,
                transit_gateway_route_table_id=hub.route_table_id,
            ),
        ),
    )


def test_a_vpc_and_route_tables_made_in_the_program_wire_in_and_name_nothing(mock_engine: MockEngine):
    run: OfflineRun = mock_engine.run(program_with_its_own_vpc)
    names = {r.name for r in run.resources}
    assert {"edge-route-private-dallas-node", "edge-route-private-dallas-pod", "edge-tgw-route-vpc"} <= names
    assert not [n for n in names if "Output" in n or "__str__" in n]
    table_id = (
        run.named("net-private").urn and run.named("edge-route-private-dallas-pod").inputs["routeTableId"]
    )
    assert table_id.startswith("routetable-")
    assert run.named("edge-route-private-dallas-pod").inputs["destinationCidrBlock"] == "192.168.0.0/16"
    assert run.named("dallas-vpn").inputs["transitGatewayId"].startswith("tgw-")
    # An Output is never a 0.1 name, so no alias is made from one.
    assert run.named("edge-route-private-dallas-pod").aliases == ()


# --- arguments checked when known -----------------------------------------------------------------------


def test_a_bad_cidr_asn_and_site_overlap_are_refused_naming_the_argument(mock_engine: MockEngine):
    found = problems_of(
        mock_engine,
        lambda: TransitGatewayHub(
            "edge",
            hub_args(
                vpc_cidr="not-a-cidr",
                amazon_side_asn=1,
                sites={"dallas": SiteCidrs(node_cidr="10.200.0.0/16", pod_cidr="10.200.0.0/16")},
            ),
        ),
    )
    by_argument = {path: rule for _, path, rule in found}
    assert {component for component, _, _ in found} == {"TransitGatewayHub 'edge'"}
    assert "'not-a-cidr' is not an IPv4 network in CIDR notation" in by_argument["vpc_cidr"]
    assert "1 is not a private ASN" in by_argument["amazon_side_asn"]
    assert "overlaps 10.200.0.0/16 (sites.dallas.node_cidr)" in by_argument["sites.dallas.pod_cidr"]


def test_a_site_whose_node_and_pod_cidrs_are_one_is_refused(mock_engine: MockEngine):
    found = problems_of(
        mock_engine,
        lambda: SiteConnectivity(
            "dallas",
            SiteConnectivityArgs(
                node_cidr="10.200.0.0/16",
                pod_cidr="10.200.0.0/16",
                vpn=SiteToSiteVpn(customer_gateway_ip="10.1.1.1", bgp_asn=23456, vpn_gateway_id="vgw-1"),
            ),
        ),
    )
    paths = {path: rule for _, path, rule in found}
    assert "overlaps the node CIDR" in paths["pod_cidr"]
    assert "private (RFC 1918)" in paths["vpn.customer_gateway_ip"]
    assert "reserved" in paths["vpn.bgp_asn"]


def test_keys_that_would_give_two_children_one_name_are_refused(mock_engine: MockEngine):
    found = problems_of(
        mock_engine,
        lambda: TransitGatewayHub(
            "edge",
            hub_args(
                route_tables={"a": "rtb-1", "a-b": "rtb-2"},
                sites={
                    "b-c": SiteCidrs(node_cidr="10.1.0.0/16", pod_cidr="10.2.0.0/16"),
                    "c": SiteCidrs(node_cidr="10.3.0.0/16", pod_cidr="10.4.0.0/16"),
                },
            ),
        ),
    )
    assert ("TransitGatewayHub 'edge'", "route_tables") in {(c, p) for c, p, _ in found}
    assert any("edge-route-a-b-c-node" in rule for _, _, rule in found)


def test_a_mapping_whose_keys_name_children_must_be_written_in_the_program(mock_engine: MockEngine):
    def build() -> None:
        tables: Any = pulumi.Output.from_input({"private": "rtb-1"})  # keys unknown until deployment
        TransitGatewayHub("edge", hub_args(route_tables=tables))

    found = problems_of(mock_engine, build)
    assert ("route_tables", "must be a mapping written in the program") in {(p, r[:40]) for _, p, r in found}


def test_a_key_that_cannot_name_a_resource_is_refused(mock_engine: MockEngine):
    found = problems_of(
        mock_engine, lambda: TransitGatewayHub("edge", hub_args(route_tables={"rtb 1/a": "rtb-1"}))
    )
    assert [path for _, path, _ in found] == ["route_tables.rtb 1/a"]


@pytest.mark.parametrize(
    ("args", "path", "rule"),
    [
        (
            SiteConnectivityArgs(node_cidr="10.2.0.0/16", pod_cidr="10.3.0.0/16"),
            "vpn",
            "give exactly one of vpn, direct_connect and software_vpn (got none)",
        ),
        (
            SiteConnectivityArgs(
                node_cidr="10.2.0.0/16",
                pod_cidr="10.3.0.0/16",
                vpn=SiteToSiteVpn(customer_gateway_ip="203.0.113.1", transit_gateway_id="tgw-1"),
            ),
            "vpn.transit_gateway_route_table_id",
            "is required with transit_gateway_id (the hub's route table)",
        ),
        (
            SiteConnectivityArgs(
                node_cidr="10.2.0.0/16",
                pod_cidr="10.3.0.0/16",
                vpn=SiteToSiteVpn(
                    customer_gateway_ip="203.0.113.1",
                    vpn_gateway_id="vgw-1",
                    tunnels=[VpnTunnel(inside_cidr="169.254.0.0/30")],
                ),
            ),
            "vpn.tunnels[0].inside_cidr",
            "169.254.0.0/30 is reserved by AWS and cannot be a tunnel inside CIDR",
        ),
    ],
)
def test_site_connectivity_arguments(
    mock_engine: MockEngine, args: SiteConnectivityArgs, path: str, rule: str
):
    assert (path, rule) in {
        (p, r) for _, p, r in problems_of(mock_engine, lambda: SiteConnectivity("s", args))
    }


def test_node_identity_needs_exactly_one_credentials_provider(mock_engine: MockEngine):
    args = NodeIdentityArgs(
        cluster_name="c", cluster_arn="arn:aws:eks:us-west-2:1:cluster/c", region="us-west-2"
    )
    [(_, path, rule)] = problems_of(mock_engine, lambda: NodeIdentity("n", args))
    assert (path, rule) == ("iam_roles_anywhere", "give exactly one of iam_roles_anywhere and ssm")


def test_hybrid_cluster_arguments(mock_engine: MockEngine):
    args = HybridClusterArgs(
        cluster_name="c",
        kubernetes_version="1.35",
        region="us-west-2",
        subnet_ids=["subnet-1"],
        sites=SITES,
        endpoint_access="both",
        node_group={"instance_type": "t3.large", "min_size": 0},
    )
    found = {path: rule for _, path, rule in problems_of(mock_engine, lambda: HybridCluster("c", args))}
    assert found["endpoint_access"] == "'both' is not one of 'private', 'public'"
    assert "smaller than the Palette agent needs" in found["node_group.instance_type"]
    assert found["node_group.min_size"] == "0 is not a positive whole number"


def test_palette_node_pools_refuse_a_conflicting_site_label(mock_engine: MockEngine):
    args = PaletteNodePoolsArgs(
        site="dallas",
        pools={"workers": NodePool(edge_hosts=[EdgeHost(uid="e1")], labels={"eks-hybrid/site": "chicago"})},
        project_uid="6491d4a94c39ad82d3cc30ae",
        cloud_config_uid="c",
        profile_uid="p",
    )
    [(_, path, rule)] = problems_of(mock_engine, lambda: PaletteNodePools("dallas", args))
    assert path == "pools.workers.labels.eks-hybrid/site" and "site's name (dallas)" in rule


# --- arguments that are Outputs: checked when they resolve, failing the deployment ------------------------


OUTPUT_CHECK = """
import pulumi_aws as aws
from eks_hybrid.components.network import TransitGatewayHub, TransitGatewayHubArgs
from eks_hybrid.offline.engine import run_offline

def program():
    vpc = aws.ec2.Vpc("net", cidr_block="10.100.0.0/16")
    known_later = vpc.id.apply(lambda _: "not-a-cidr")  # an Output: its value comes at deployment
    TransitGatewayHub("edge", TransitGatewayHubArgs(
        vpc_id=vpc.id, vpc_cidr=known_later, subnet_ids=["subnet-1"], route_tables={"a": "rtb-1"}))

try:
    run_offline(program, stack="t")
except Exception as error:
    print("FAILED:", error)
"""


def test_an_output_argument_is_checked_when_it_resolves():
    # In its own process: a failed deployment leaves the SDK's pending outputs behind.
    result = subprocess.run(
        [sys.executable, "-c", OUTPUT_CHECK], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert (
        "FAILED: invalid component arguments (1 problem):\n  - TransitGatewayHub 'edge': vpc_cidr:"
        " 'not-a-cidr' is not an IPv4 network in CIDR notation" in result.stdout
    )


def test_pool_keys_name_the_pools_and_site_cidrs_may_be_outputs(mock_engine: MockEngine):
    def program() -> None:
        CiliumSitePools(
            "pools",
            CiliumSitePoolsArgs(
                sites={
                    "dallas": SiteCidrs(
                        node_cidr="10.1.0.0/16", pod_cidr=pulumi.Output.from_input("10.2.0.0/16")
                    )
                }
            ),
        )

    run = mock_engine.run(program)
    pool = run.named("pools-dallas-pool")
    assert pool.inputs["spec"] == {"ipv4": {"cidrs": ["10.2.0.0/16"], "maskSize": 25}}


# --- no config model in the component layer -------------------------------------------------------------

COMPONENT_MODULES = [
    "components/_inputs.py",
    "components/sites.py",
    "components/network/hub.py",
    "components/network/site.py",
    "components/network/planning.py",
    "components/network/tunnels.py",
    "components/cluster/component.py",
    "components/cluster/planning.py",
    "components/identity/component.py",
    "components/identity/policies.py",
    "components/identity/ca.py",
    "components/cni/component.py",
    "components/cni/pools.py",
    "components/cni/values.py",
    "components/cni/bgp_peering.py",
    "components/palette/hub.py",
    "components/palette/node_pools.py",
    "components/palette/_wire.py",
    "components/postdeploy.py",
]
# Pure rules and data the config layer shares with the components; no stack-file model.
SHARED_CONFIG_MODULES: set[str] = set()  # the facts components share are in `domain` (test_layering.py)


@pytest.mark.parametrize("module", COMPONENT_MODULES)
def test_components_never_import_a_config_model(module: str):
    tree = ast.parse((REPO / module).read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0 and node.module == "config":
            imported |= {alias.name for alias in node.names}  # from ..config import cidrs
        elif (
            isinstance(node, ast.ImportFrom) and node.level > 0 and (node.module or "").startswith("config.")
        ):
            imported.add((node.module or "").removeprefix("config."))
    assert imported <= SHARED_CONFIG_MODULES
    names = [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
    ]
    assert not [n for n in names if n.endswith("Config") or n in ("HubInventory", "SiteSpec", "HubPalette")]


def test_the_list_covers_every_component_module():
    defining = sorted(
        str(path.relative_to(REPO))
        for path in (REPO / "components").rglob("*.py")
        if "(pulumi.ComponentResource)" in path.read_text()
    )
    assert set(defining) <= set(COMPONENT_MODULES)
    stack_args = (REPO / "components/config/_stack_args.py").read_text()
    assert "from .hub import" in stack_args and "from .site import" in stack_args  # the config layer
