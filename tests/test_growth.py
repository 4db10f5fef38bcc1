"""Growth from 3 to 16 to 100 sites, played step by step as docs/guides/grow-an-estate.md tells it.

Each step is a copy of the example stacks with the hub's inventory grown (sites `store000`, ... on the
transit gateway, inside the aggregates below), planned by the Planner and compared with `eks-hybrid diff`'s
engine, as a reviewer sees the pull request. `GUIDE_STEPS` lists the tests in the guide's order: the guide
names each one under its step's heading (`test_the_guide_names_every_step_in_order`).
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid.components.errors import ConfigError, PlanError
from eks_hybrid.diff.engine import ACTIONS, ResourceDiff, diff_resources
from eks_hybrid.plan_documents import plan_document
from eks_hybrid.planner import Planner

from .conftest import copy_examples

HUB = "example-hub"
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guides" / "grow-an-estate.md"
EXAMPLE_SITES = 3  # dallas, chicago, denver
# The aggregates the guide introduces: the node block holds every site's node CIDR and the new sites'; the
# pod blocks hold dallas's (192.168.0.0/16, which nothing in RFC 1918 but itself contains), chicago's and
# denver's (172.18.0.0/16, 172.19.0.0/16) and the new sites' (CGNAT).
AGGREGATES = {
    "nodeCidrs": ["10.192.0.0/10"],
    "podCidrs": ["100.64.0.0/10", "172.18.0.0/15", "192.168.0.0/16"],
}
# Past 50 VPN connections on the transit gateway: the account's raised Site-to-Site VPN quotas (step 4).
RAISED_QUOTAS = {"vpnConnectionsPerRegion": 200, "customerGatewaysPerRegion": 200}

CLUSTER = "aws:eks/cluster:Cluster"
HYBRID = "pulumi-python:dynamic:Resource"  # Palette's hybrid settings of the imported cluster
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ROUTE = "aws:ec2/route:Route"
POOL = "kubernetes:cilium.io/v2alpha1:CiliumPodIPPool"
NODE_CONFIG = "kubernetes:cilium.io/v2:CiliumNodeConfig"
ROUTE_TABLES = 2  # the example hub's cluster.routeTableIds

# What AWS identifies a VPC route and a security group rule by: a create with the identity of a resource
# deleted in the same `pulumi up` is refused (CreateRoute: RouteAlreadyExists; a rule:
# InvalidPermission.Duplicate), because Pulumi deletes what left the program only after every create
# (its engine schedules those deletes last: pulumi/pulumi#9979).
IDENTITY = {
    ROUTE: ("routeTableId", "destinationCidrBlock"),
    RULE: ("securityGroupId", "cidrIpv4", "ipProtocol", "fromPort", "toPort"),
}


def store(index: int) -> dict[str, str]:
    """A new site on the transit gateway: a /20 of nodes in 10.208.0.0/12 and of pods in 100.64.0.0/10."""
    third = (index % 16) * 16
    return {
        "nodeCidr": f"10.{208 + index // 16}.{third}.0/20",
        "podCidr": f"100.{64 + index // 16}.{third}.0/20",
    }


def hub_plan(tmp_path: Path, sites: int, *, aggregates: bool, quotas: bool = False) -> dict[str, Any]:
    """The example hub's plan document with `sites` sites (the three examples, then `store000`, ...)."""

    def grow(config: dict[str, Any]) -> None:
        for index in range(sites - EXAMPLE_SITES):
            config["eks-hybrid:sites"][f"store{index:03d}"] = store(index)
        if aggregates:
            config["eks-hybrid:remoteNetworks"] = AGGREGATES
        if quotas:
            config["eks-hybrid:quotas"] = RAISED_QUOTAS

    stacks = copy_examples(Path(tempfile.mkdtemp(dir=tmp_path)), {HUB: grow})
    return plan_document(Planner(stacks, offline_secrets=True).plan(HUB), policy=False)


def by_action(diffs: list[ResourceDiff]) -> dict[str, Counter[str]]:
    """Per action, how many resources of each type."""
    return {action: Counter(d.type for d in diffs if d.action == action) for action in ACTIONS}


def names(diffs: list[ResourceDiff], action: str, type_: str) -> set[str]:
    return {d.name for d in diffs if d.action == action and d.type == type_}


def collisions(base: dict[str, Any], head: dict[str, Any]) -> list[tuple[str, str]]:
    """(deleted, created) pairs of the diff base -> head that AWS identifies as one route or rule."""
    diffs = diff_resources(base, head)
    documents = {"delete": base, "create": head}
    found: dict[str, dict[tuple[Any, ...], str]] = {"delete": {}, "create": {}}
    for diff in diffs:
        if diff.action in found and diff.type in IDENTITY:
            [resource] = [r for r in documents[diff.action]["resources"] if r["urn"] == diff.urn]
            key = (diff.type, *(resource["inputs"].get(k) for k in IDENTITY[diff.type]))
            found[diff.action][key] = diff.name
    return sorted((found["delete"][k], found["create"][k]) for k in found["delete"].keys() & found["create"])


def state_renamed(document: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """The plan as the state reads after `pulumi state rename <urn> <new name>` for each old -> new name."""
    resources = []
    for resource in document["resources"]:
        new = renames.get(resource["name"])
        if new is not None:
            prefix, _, _ = resource["urn"].rpartition("::")
            resource = {**resource, "name": new, "urn": f"{prefix}::{new}"}
        resources.append(resource)
    return {**document, "resources": resources}


RULES_FROM_PODS = ("ingress-443", "ingress-53", "ingress-53-udp", "dns-ingress-53", "dns-ingress-53-udp")
RENAMES = {
    **{
        f"edge-prod-route-rtb-{table}-dallas-pod": f"edge-prod-route-rtb-{table}-192.168.0.0-16-pod"
        for table in ("0a1b2c3d4e5f60001", "0a1b2c3d4e5f60002")
    },
    **{
        f"edge-prod-{rule}-from-pod-dallas": f"edge-prod-{rule}-from-pod-192.168.0.0-16"
        for rule in RULES_FROM_PODS
    },
}
"""`pulumi state rename` before step 3's `pulumi up`: dallas's pod route and rules to the names of the
192.168.0.0/16 aggregate's (the guide lists the same pairs)."""


def test_step1_each_site_without_aggregates_updates_the_cluster(tmp_path: Path) -> None:
    """Without aggregates, the 4th site updates the cluster's remote networks and adds its own routes and
    rules: 14 operations on the hub, 2 of them cluster settings. The 15th also moves the DNS rules."""
    diffs = diff_resources(hub_plan(tmp_path, 3, aggregates=False), hub_plan(tmp_path, 4, aggregates=False))
    assert by_action(diffs) == {
        "create": Counter({RULE: 6, ROUTE: 2 * ROUTE_TABLES, POOL: 1, NODE_CONFIG: 1}),
        "replace": Counter(),
        "update": Counter({CLUSTER: 1, HYBRID: 1}),
        "delete": Counter(),
    }
    [cluster] = [d for d in diffs if d.type == CLUSTER]
    assert {c.path for c in cluster.changes} == {
        "remoteNetworkConfig.remoteNodeNetworks.cidrs[3]",
        "remoteNetworkConfig.remotePodNetworks.cidrs[0]",
    }
    # The 15th site: the cluster group's DNS rules (2 per site) would pass its 60 inbound rules, so they
    # leave it; the DNS group, on the cloud nodes, keeps them all.
    diffs = diff_resources(hub_plan(tmp_path, 14, aggregates=False), hub_plan(tmp_path, 15, aggregates=False))
    deleted = names(diffs, "delete", RULE)
    assert by_action(diffs)["delete"] == Counter({RULE: 2 * 14})
    assert all(re.fullmatch(r"edge-prod-ingress-53(-udp)?-from-pod-\w+", name) for name in deleted)
    added = names(diffs, "create", RULE)
    assert {n for n in added if "-53" in n} == {
        "edge-prod-dns-ingress-53-from-pod-store011",
        "edge-prod-dns-ingress-53-udp-from-pod-store011",
    }


def test_step2_the_sixteenth_site_without_aggregates_is_refused(tmp_path: Path) -> None:
    """15 sites plan (EKS's most); the 16th is refused at plan, naming the limit and the aggregates key."""
    hub_plan(tmp_path, 15, aggregates=False)
    with pytest.raises(ConfigError) as caught:
        hub_plan(tmp_path, 16, aggregates=False)
    rules = {p.path: p.rule for p in caught.value.problems if p.code == "too-many-remote-networks"}
    assert set(rules) == {"eks-hybrid:sites"} and len(caught.value.problems) == 2
    for kind, key in (("node", "nodeCidrs"), ("pod", "podCidrs")):
        [rule] = [p.rule for p in caught.value.problems if f"remote {kind} networks" in p.rule]
        assert f"16 remote {kind} networks, and EKS takes at most 15 per cluster" in rule
        assert f"eks-hybrid:remoteNetworks.{key}" in rule


def test_step3_introducing_aggregates_updates_the_running_cluster_in_place(tmp_path: Path) -> None:
    """Aggregates alone, on the running 3-site hub: the cluster and Palette's hybrid settings are updated in
    place; routes and rules move from per site to per aggregate, the new ones created before the old go."""
    base = hub_plan(tmp_path, 3, aggregates=False)
    head = hub_plan(tmp_path, 3, aggregates=True)
    diffs = diff_resources(base, head)
    assert by_action(diffs) == {
        # Per route table: 1 node and 3 pod aggregates. Rules: 443 from the node aggregate; 443, DNS over
        # TCP and UDP from each pod aggregate in the cluster group, DNS over TCP and UDP in the DNS group.
        "create": Counter({ROUTE: 4 * ROUTE_TABLES, RULE: 1 + 3 * 3 + 3 * 2}),
        "replace": Counter(),
        "update": Counter({CLUSTER: 1, HYBRID: 1}),
        # dallas's node and pod routes (the one transitGateway site); each site's 6 rules.
        "delete": Counter({ROUTE: 2 * ROUTE_TABLES, RULE: 3 * 6}),
    }
    [cluster] = [d for d in diffs if d.type == CLUSTER]
    assert {c.path.split(".")[0] for c in cluster.changes} == {"remoteNetworkConfig"}
    new_cluster = next(r for r in head["resources"] if r["type"] == CLUSTER)["inputs"]["remoteNetworkConfig"]
    assert new_cluster == {
        "remoteNodeNetworks": {"cidrs": AGGREGATES["nodeCidrs"]},
        "remotePodNetworks": {"cidrs": AGGREGATES["podCidrs"]},
    }
    assert names(diffs, "delete", ROUTE) == {
        f"edge-prod-route-rtb-0a1b2c3d4e5f6000{t}-dallas-{kind}" for t in (1, 2) for kind in ("node", "pod")
    }
    assert {n.rsplit("-", 1)[-1] for n in names(diffs, "delete", RULE)} == {"dallas", "chicago", "denver"}
    # An aggregate equal to a site's CIDR (dallas's pods, 192.168.0.0/16) would be created while the site's
    # route and rules still exist: AWS refuses the duplicates. The guide renames them in the state first.
    pairs = collisions(base, head)
    assert pairs == sorted(RENAMES.items())
    renamed = state_renamed(base, RENAMES)
    assert collisions(renamed, head) == []
    after = diff_resources(renamed, head)
    assert by_action(after) == {
        "create": Counter({ROUTE: 3 * ROUTE_TABLES, RULE: 16 - 5}),
        "replace": Counter(),
        "update": Counter({CLUSTER: 1, HYBRID: 1, RULE: 2}),
        "delete": Counter({ROUTE: 1 * ROUTE_TABLES, RULE: 18 - 5}),
    }
    # Of the renamed, only the DNS group's two rules change: their Name tag (in place).
    renamed_diffs = [d for d in after if d.name in RENAMES.values()]
    assert {d.name for d in renamed_diffs} == {
        "edge-prod-dns-ingress-53-from-pod-192.168.0.0-16",
        "edge-prod-dns-ingress-53-udp-from-pod-192.168.0.0-16",
    }
    assert {(d.action, c.path) for d in renamed_diffs for c in d.changes} == {("update", "tags.Name")}


def test_step4_past_fifty_vpn_sites_the_region_quotas_are_raised(tmp_path: Path) -> None:
    """52 sites (dallas and 49 new ones on the transit gateway's VPNs, chicago and denver on the VGW) plan;
    the 53rd, the 51st VPN connection, needs the raised quotas."""
    hub_plan(tmp_path, 52, aggregates=True)
    with pytest.raises(PlanError) as caught:
        hub_plan(tmp_path, 53, aggregates=True)
    assert {p.code for p in caught.value.problems} == {"over-quota"}
    rules = " ".join(p.rule for p in caught.value.problems)
    assert "51 Site-to-Site VPN connections" in rules and "vpnConnectionsPerRegion" in rules
    assert "customerGatewaysPerRegion" in rules
    # Raising them is a check's input, not a resource: the hub's plan is unchanged.
    assert (
        diff_resources(
            hub_plan(tmp_path, 52, aggregates=True), hub_plan(tmp_path, 52, aggregates=True, quotas=True)
        )
        == []
    )


@pytest.mark.parametrize(
    # Two plans of 100 sites take 2.5 s: the slow tier (`make test`) runs that case.
    "sites",
    [3, 16, pytest.param(100, marks=pytest.mark.slow)],
    ids=lambda n: f"{n}-sites",
)
def test_step5_a_site_inside_the_aggregates_costs_the_hub_the_same(tmp_path: Path, sites: int) -> None:
    """Whatever the estate's size, the next site inside the aggregates is its Cilium pool and node config on
    the hub: no cluster setting, route, rule or Palette setting changes."""
    before = hub_plan(tmp_path, sites, aggregates=True, quotas=True)
    after = hub_plan(tmp_path, sites + 1, aggregates=True, quotas=True)
    diffs = diff_resources(before, after)
    added = f"store{sites - EXAMPLE_SITES:03d}"
    assert by_action(diffs) == {
        "create": Counter({POOL: 1, NODE_CONFIG: 1}),
        "replace": Counter(),
        "update": Counter(),
        "delete": Counter(),
    }
    assert {d.name for d in diffs} == {
        f"edge-prod-cilium-pools-{added}-pool",
        f"edge-prod-cilium-pools-{added}-node-config",
    }


GUIDE_STEPS = (
    test_step1_each_site_without_aggregates_updates_the_cluster,
    test_step2_the_sixteenth_site_without_aggregates_is_refused,
    test_step3_introducing_aggregates_updates_the_running_cluster_in_place,
    test_step4_past_fifty_vpn_sites_the_region_quotas_are_raised,
    test_step5_a_site_inside_the_aggregates_costs_the_hub_the_same,
)


def test_the_guide_names_every_step_in_order() -> None:
    """Each `## Step n` heading of the guide is followed by the test that plays it, in this order."""
    text = GUIDE.read_text()
    headings = re.findall(r"^## Step (\d+)\b.*$", text, flags=re.MULTILINE)
    assert headings == [str(n) for n in range(1, len(GUIDE_STEPS) + 1)]
    sections = re.split(r"^## Step \d+\b", text, flags=re.MULTILINE)[1:]
    for section, test in zip(sections, GUIDE_STEPS, strict=True):
        assert f"`{test.__name__}`" in section, test.__name__
    for old, new in RENAMES.items():
        assert old in text and new in text
