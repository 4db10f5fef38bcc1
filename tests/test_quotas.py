"""AWS quotas at plan time: 15, 20 and 100 sites, counted from the plan the hub would declare.

Every figure is checked twice: from `hub_quota_uses` (what `pulumi up` is refused on) and from the resources
the mock engine records, so the count cannot drift from what is declared.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from eks_hybrid.components.composition.hub import build_hub
from eks_hybrid.components.config import HubConfig, validate_stack
from eks_hybrid.components.config._quotas import hub_quota_problems, hub_quota_uses
from eks_hybrid.components.errors import ConfigError, PlanError
from eks_hybrid.offline import mocks
from eks_hybrid.offline.engine import OfflineRun
from tests.cluster.hubs import hub_config
from tests.conftest import MockEngine, declared

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC_ROUTE = "aws:ec2/route:Route"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
POOL = "kubernetes:cilium.io/v2alpha1:CiliumPodIPPool"
AGGREGATES = {"nodeCidrs": ["10.128.0.0/9"], "podCidrs": ["100.64.0.0/10"]}


API = 1
DNS_GROUP = "inbound rules of the cloud nodes' DNS security group"
"""The deployer's 443 rule: `hub_config` gives `eks-hybrid:cluster.apiAccess` one CIDR."""


def sites(count: int, *, aggregated: bool = False, bgp: bool = False) -> dict[str, dict[str, Any]]:
    """`count` sites on the transit gateway, CIDRs inside AGGREGATES when `aggregated`, else RFC 1918;
    with `bgp`, each with the router its nodes peer with."""
    inventory = {}
    for i in range(count):
        pod = f"100.{64 + i // 16}.{(i % 16) * 16}.0/20" if aggregated else f"192.168.{i * 8}.0/21"
        inventory[f"store{i:03d}"] = {"nodeCidr": f"10.{128 + i}.0.0/16", "podCidr": pod}
        if bgp:
            inventory[f"store{i:03d}"]["bgpPeer"] = {"address": f"10.{128 + i}.0.1", "asn": 65000 + i}
    return inventory


def hub(count: int, *, aggregated: bool = False, **overrides: Any) -> HubConfig:
    extra: dict[str, Any] = {"remoteNetworks": AGGREGATES} if aggregated else {}
    return hub_config(sites=sites(count, aggregated=aggregated), **extra, **overrides)


def plan(engine: MockEngine, config: HubConfig) -> OfflineRun:
    return engine.run(lambda: build_hub(config), stack="scale")


def plan_refused(engine: MockEngine, config: HubConfig, stack: str) -> tuple[OfflineRun, PlanError]:
    """Plan `config`, which must be refused; the run shows what was declared before the refusal."""
    return engine.run_refused(lambda: build_hub(config), stack=stack)


def uses(config: HubConfig) -> dict[str, tuple[int, int]]:
    return {use.quota: (use.used, use.limit) for use in hub_quota_uses(config)}


def assert_within_every_quota(run: OfflineRun, config: HubConfig) -> None:
    """Every quota, counted from the recorded resources and from the planner, agrees and fits."""
    counted = uses(config)
    assert not hub_quota_problems(config, "f")
    assert all(used <= limit for used, limit in counted.values()), counted
    # EKS: at most 15 remote node and 15 remote pod networks.
    remote = run.named(f"{config.cluster.name}-eks").inputs["remoteNetworkConfig"]
    assert len(remote["remoteNodeNetworks"]["cidrs"]) == counted["remote node networks per cluster"][0] <= 15
    assert len(remote["remotePodNetworks"]["cidrs"]) == counted["remote pod networks per cluster"][0] <= 15
    # Security groups: 60 inbound and 60 outbound each by default, EKS's own default rule counted on each
    # side of the cluster security group; the DNS group (its rules named `<cluster>-dns-...`) apart.
    dns = [r for r in run.by_type(INGRESS) if r.name.startswith(f"{config.cluster.name}-dns-")]
    inbound = 1 + len(run.by_type(INGRESS)) - len(dns)
    outbound = 1 + len(run.by_type(EGRESS))
    assert (inbound, outbound, len(dns)) == (
        counted["inbound rules of the cluster security group"][0],
        counted["outbound rules of the cluster security group"][0],
        counted[DNS_GROUP][0],
    )
    assert max(inbound, outbound, len(dns)) <= config.quotas.security_group_rules
    # VPC route tables: 50 routes each, the local route counted.
    per_table = Counter(r.inputs["routeTableId"] for r in run.by_type(VPC_ROUTE))
    assert set(per_table) == set(config.cluster.route_table_ids)
    assert max(per_table.values()) + 1 == counted["routes in each VPC route table"][0]
    assert counted["routes in each VPC route table"][0] <= config.quotas.routes_per_route_table
    # Transit gateway: the hub's route plus each static site's two (its site stack adds those).
    hub_tgw_routes = len(run.by_type(TGW_ROUTE))
    assert (
        hub_tgw_routes + 2 * len(config.sites) == counted["routes in the transit gateway's route tables"][0]
    )


def test_the_old_plan_grew_six_egress_rules_per_site_the_new_one_none() -> None:
    # Each site used to add 443 in from its node and pod CIDRs plus six egress rules (10250 to the node
    # CIDR, five webhook ports to the pod CIDR): 8 rules a site, and the tenth site failed at apply. The
    # egress rules added nothing: the group keeps EKS's allow-all egress.
    for count in (2, 9, 14):
        counted = uses(hub(count))
        assert counted["outbound rules of the cluster security group"] == (1, 60)
        # 443 from node and pod CIDRs, DNS (TCP, UDP) from pod CIDRs: 4 a site with multi-pool.
        assert counted["inbound rules of the cluster security group"] == (1 + API + 4 * count, 60)
    # One site keeps cluster-pool, whose masquerading makes all pod traffic arrive from the node CIDR.
    assert uses(hub(1))["inbound rules of the cluster security group"] == (1 + API + 3, 60)


def test_a_15_site_hub_plans_at_default_quotas_with_dns_in_a_group_of_its_own(
    mock_engine: MockEngine,
) -> None:
    # 15 sites, the most EKS takes without aggregates. In the cluster security group: 443 from 15 node and
    # 15 pod CIDRs, EKS's own rule and the deployer's, 32 of 60. DNS over TCP and UDP from the 15 pod CIDRs,
    # 30 rules, in the DNS group the cloud nodes carry (all in one group, they were 62 of 60: refused).
    config = hub(15)
    counted = uses(config)
    assert counted["inbound rules of the cluster security group"] == (1 + API + 30, 60)
    assert counted[DNS_GROUP] == (30, 60)
    assert counted["security groups on each cloud node's network interfaces"] == (2, 5)
    run = plan(mock_engine, config)
    assert_within_every_quota(run, config)
    # The cloud nodes carry both groups, through their launch template.
    [template] = run.by_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert len(template.inputs["vpcSecurityGroupIds"]) == 2
    [nodes] = run.by_type("aws:eks/nodeGroup:NodeGroup")
    assert "launchTemplate" in nodes.inputs and "diskSize" not in nodes.inputs


def test_the_cluster_security_group_keeps_the_dns_rules_while_they_fit() -> None:
    # At 14 sites every rule fits one group (1 + 56 + the deployer's = 58): the DNS rules stay in the cluster
    # security group too, so the update that gives the cloud nodes their DNS group removes nothing.
    assert uses(hub(14))["inbound rules of the cluster security group"] == (1 + API + 56, 60)
    assert uses(hub(14))[DNS_GROUP] == (28, 60)


def test_each_group_is_still_refused_past_its_own_quota() -> None:
    # 15 sites and 29 deployer CIDRs fill the cluster security group exactly: 1 + 30 + 29 = 60.
    def deployers(count: int) -> dict[str, Any]:
        cidrs = [f"10.100.{i}.0/24" for i in range(count)]
        return {
            **hub(1).cluster.model_dump(by_alias=True, mode="json", exclude_none=True),
            "apiAccess": {"cidrs": cidrs},
        }

    assert not hub_quota_problems(hub(15, cluster=deployers(29)), "f")
    [problem] = hub_quota_problems(hub(15, cluster=deployers(30)), "stacks/Pulumi.scale.yaml")
    assert problem.rule.startswith("61 inbound rules of the cluster security group, over AWS's quota of 60")
    assert "eks-hybrid:remoteNetworks" in problem.rule and "apiAccess" in problem.rule
    # The DNS group against an account whose quota is lower than AWS's default (30 rules of 29).
    found = {
        p.rule.split(",")[0] for p in hub_quota_problems(hub(15, quotas={"securityGroupRules": 29}), "f")
    }
    assert found == {
        "32 inbound rules of the cluster security group",
        f"30 {DNS_GROUP}",
    }


def test_an_over_quota_refusal_comes_before_anything_is_declared(mock_engine: MockEngine) -> None:
    run, error = plan_refused(mock_engine, hub(15, quotas={"securityGroupRules": 29}), "scale")
    assert declared(run) == []
    assert [p.path for p in error.problems] == ["eks-hybrid:sites", "eks-hybrid:sites"]


@pytest.mark.parametrize(
    ("overrides", "inbound"),
    [
        ({"cluster": {"coreDns": "hybrid"}}, 1 + API + 30),  # no DNS rules: CoreDNS runs on hybrid nodes
        # The account raised the quota: the DNS rules still leave the cluster security group past AWS's
        # default (the component decides from the default, the plan counts against the raised value).
        ({"quotas": {"securityGroupRules": 100}}, 1 + API + 30),
        ({"aggregated": True}, 1 + API + 4),  # one node and one pod aggregate
    ],
)
def test_a_15_site_hub_plans_within_every_quota(
    mock_engine: MockEngine, overrides: dict[str, Any], inbound: int
) -> None:
    aggregated = bool(overrides.pop("aggregated", False))
    config = hub(15, aggregated=aggregated, **overrides)
    run = plan(mock_engine, config)
    assert_within_every_quota(run, config)
    assert uses(config)["inbound rules of the cluster security group"][0] == inbound
    assert uses(config)["remote node networks per cluster"][0] == (1 if aggregated else 15)


def test_a_15_site_cluster_pool_hub_on_bgp_counts_dns_from_the_node_cidrs(mock_engine: MockEngine) -> None:
    # Cluster-pool masquerades pod traffic to the node's address: 443 and DNS from the node CIDRs only.
    config = hub_config(sites=sites(15, bgp=True), cilium={"ipam": "clusterPool", "bgpControlPlane": True})
    assert uses(config)["inbound rules of the cluster security group"] == (1 + API + 45, 60)
    run = plan(mock_engine, config)
    assert_within_every_quota(run, config)
    # The operator runs on hybrid nodes (cluster-pool): each site stack declares its BGP objects, not the hub.
    assert [r for r in run.resources if r.type.endswith(":CiliumBGPClusterConfig")] == []


def test_a_20_site_hub_without_aggregates_is_refused_naming_the_limit() -> None:
    document = {
        "aws:region": "us-west-2",
        "eks-hybrid:role": "hub",
        "eks-hybrid:cluster": hub(1).cluster.model_dump(by_alias=True, mode="json", exclude_none=True),
        "eks-hybrid:sites": sites(20),
        "eks-hybrid:credentials": {"provider": "ssm", "ssm": {}},
    }
    with pytest.raises(ConfigError) as caught:
        validate_stack(document, "stacks/Pulumi.scale.yaml")
    found = [(p.path, p.rule) for p in caught.value.problems]
    assert [path for path, _ in found] == ["eks-hybrid:sites", "eks-hybrid:sites"]
    for (_, rule), kind in zip(found, ("node", "pod"), strict=True):
        assert f"20 sites' {kind} CIDRs would be 20 remote {kind} networks" in rule
        assert "EKS takes at most 15 per cluster" in rule
        assert f"eks-hybrid:remoteNetworks.{kind}Cidrs" in rule


def test_a_100_site_hub_with_aggregates_plans_within_every_quota(mock_engine: MockEngine) -> None:
    # 100 stores, each a Site-to-Site VPN on the transit gateway. AWS's default of 50 VPN connections and 50
    # customer gateways per Region would stop the 51st store's stack, so this account raised both (they are
    # adjustable); every other quota holds at its default.
    raised = {"vpnConnectionsPerRegion": 100, "customerGatewaysPerRegion": 100}
    config = hub(100, aggregated=True, quotas=raised)
    run = plan(mock_engine, config)
    assert_within_every_quota(run, config)
    counted = uses(config)
    assert counted["inbound rules of the cluster security group"] == (5 + API, 60)
    assert counted["routes in each VPC route table"] == (3, 50)
    assert counted["routes in the transit gateway's route tables"] == (201, 10_000)
    assert counted["transit gateway attachments"] == (101, 5_000)
    # Cilium still keeps each store in its own pod CIDR: one pool per site.
    assert len(run.by_type(POOL)) == 100


def test_a_100_site_hub_at_the_default_vpn_quota_is_refused() -> None:
    found = {p.rule.split(",")[0] for p in hub_quota_problems(hub(100, aggregated=True), "f")}
    assert found == {
        "100 Site-to-Site VPN connections in the Region (at least)",
        "100 customer gateways in the Region (at least)",
    }


def test_attachment_subnets_in_one_zone_are_refused_before_anything_is_declared(
    mock_engine: MockEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def one_zone(mocks_: mocks.OfflineMocks, args: dict[str, Any]) -> dict[str, Any]:
        return {"id": args["id"], "availabilityZone": "us-west-2a", "vpcId": "vpc-0123456789abcdef0"}

    monkeypatch.setitem(mocks._INVOKES, "aws:ec2/getSubnet:getSubnet", one_zone)
    run, error = plan_refused(mock_engine, hub(2), "zones")
    assert declared(run) == []
    [problem] = error.problems
    assert problem.path == "eks-hybrid:cluster.subnetIds"
    assert "are all in us-west-2a: a transit gateway VPC attachment takes one subnet per" in problem.rule


def test_explicit_attachment_subnets_are_the_attachments(mock_engine: MockEngine) -> None:
    dedicated = ["subnet-0a1b2c3d4e5f6aaa1", "subnet-0a1b2c3d4e5f6aaa2"]
    config = hub(2, transitGateway={"subnetIds": dedicated})
    run = plan(mock_engine, config)
    assert run.named(f"{config.cluster.name}-vpc-attachment").inputs["subnetIds"] == dedicated
    assert (
        run.named(f"{config.cluster.name}-eks").inputs["vpcConfig"]["subnetIds"] == config.cluster.subnet_ids
    )


def test_a_nat_gateway_outside_the_cloud_egress_is_named_at_deploy_time(
    mock_engine: MockEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At deploy time the hub reads the VPC's NAT gateways: one leaving from an address cloudEgressCidrs
    # does not list is named (a warning: it may serve other subnets than the cloud nodes').
    def two_gateways(mocks_: mocks.OfflineMocks, args: dict[str, Any]) -> dict[str, Any]:
        return {"id": args["vpcId"], "ids": ["nat-0aaaaaaaaaaaaaaa1", "nat-0aaaaaaaaaaaaaaa2"]}

    def gateway(mocks_: mocks.OfflineMocks, args: dict[str, Any]) -> dict[str, Any]:
        ip = {"nat-0aaaaaaaaaaaaaaa1": "192.0.2.10", "nat-0aaaaaaaaaaaaaaa2": "192.0.2.99"}[args["id"]]
        return {"id": args["id"], "publicIp": ip}

    monkeypatch.setitem(mocks._INVOKES, "aws:ec2/getNatGateways:getNatGateways", two_gateways)
    monkeypatch.setitem(mocks._INVOKES, "aws:ec2/getNatGateway:getNatGateway", gateway)
    config = hub(2)
    public = {
        "endpoint_access": "public",
        "public_access_cidrs": ["203.0.113.0/24", "192.0.2.10/32"],
        "cloud_egress_cidrs": ["192.0.2.10/32"],
        "api_access": None,
    }
    config = config.model_copy(update={"cluster": config.cluster.model_copy(update=public)})
    run = plan(mock_engine, config)
    nat = [w for w in run.warnings if "NAT gateway" in w]
    assert len(nat) == 1 and "nat-0aaaaaaaaaaaaaaa2 in the VPC leaves from 192.0.2.99/32" in nat[0]
