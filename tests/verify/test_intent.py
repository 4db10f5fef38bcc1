"""The intent: what the example stacks say should exist, from their configs and their outputs (the outputs
of offline plans of the same stacks: the shape `pulumi stack output --json` prints)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from eks_hybrid.planner import StackPlan
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import Target, hub_intent, site_intent
from eks_hybrid.verify.outputs import HubOutputs, SiteOutputs

from .conftest import hub_config, site_config


@pytest.fixture(scope="module")
def plans(example_plans: Mapping[str, StackPlan]) -> dict[str, Any]:
    return {name: example_plans[name] for name in ("example-hub", "example-dallas")}


@pytest.fixture(scope="module")
def planned(plans: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: dict(plan.run.outputs) for name, plan in plans.items()}


@pytest.fixture(scope="module")
def planned_resources(plans: dict[str, Any]) -> dict[str, Any]:
    return {name: plan.run.resources for name, plan in plans.items()}


def test_the_hub_expects_every_sites_cidrs_in_every_table(
    planned: dict[str, Any], planned_resources: dict[str, Any]
) -> None:
    outputs = planned["example-hub"]
    intent = hub_intent("example-hub", hub_config(), HubOutputs.model_validate(outputs))
    assert intent.unchecked == ()
    assert len(intent.routes) == 2 * 3 * 2
    dallas = [r for r in intent.routes if r.site == "dallas"]
    assert {r.targets for r in dallas} == {(Target("transitGateway", outputs["transitGatewayId"]),)}
    chicago = [r for r in intent.routes if r.site == "chicago"]
    assert {(r.targets, r.owner) for r in chicago} == {((), "site chicago's stack (routeVia: site)")}
    assert [(t.site, t.cidr, t.attachment_id) for t in intent.tgw_routes] == [
        ("vpc", "10.100.0.0/16", outputs["vpcAttachmentId"]),
        ("dallas", "10.200.0.0/16", None),
        ("dallas", "192.168.0.0/16", None),
    ]
    assert {t.route_table_id for t in intent.tgw_routes} == {outputs["transitGatewayRouteTableId"]}
    assert intent.eks is not None and intent.eks.node_cidrs == (
        "10.200.0.0/16",
        "10.201.0.0/16",
        "10.202.0.0/16",
    )
    assert intent.identity is not None and intent.identity.trust_anchor_arn == outputs["trustAnchorArn"]
    assert intent.palette_hub is not None and intent.palette_hub.cluster_uid == outputs["paletteClusterUid"]
    assert (
        intent.kubernetes is not None and intent.kubernetes.ipam == outputs["ciliumIpamMode"] == "multiPool"
    )
    assert intent.kubernetes.pools == {
        "chicago": "eks-hybrid-chicago",
        "dallas": "eks-hybrid-dallas",
        "denver": "eks-hybrid-denver",
    }
    # The rules the program declares (multi-pool: pods keep their addresses; CoreDNS in the cloud).
    # Named by site (the keys the program gives HybridCluster), sorted by key.
    nodes = {"chicago": "10.201.0.0/16", "dallas": "10.200.0.0/16", "denver": "10.202.0.0/16"}
    pods = {"chicago": "172.18.0.0/16", "dallas": "192.168.0.0/16", "denver": "172.19.0.0/16"}
    assert [(rule.key, rule.cidr) for rule in intent.eks.rules] == [
        (f"ingress-443-from-node-{site}", cidr) for site, cidr in nodes.items()
    ] + [(f"ingress-443-from-pod-{site}", cidr) for site, cidr in pods.items()] + [
        (f"ingress-53{proto}-from-pod-{site}", cidr) for site, cidr in pods.items() for proto in ("", "-udp")
    ] + [("ingress-443-from-api-10.100.8.0-24", "10.100.8.0/24")]  # the deployer (apiAccess)
    # ... which are the rules the program declares in the cluster security group, by name and CIDR (the
    # DNS group's, named `edge-prod-dns-...`, are the cloud nodes').
    declared = {
        r.name.removeprefix("edge-prod-"): r.inputs["cidrIpv4"]
        for r in planned_resources["example-hub"]
        if r.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
        and not r.name.startswith("edge-prod-dns-")
    }
    assert declared == {rule.key: rule.cidr for rule in intent.eks.rules}
    assert intent.eks.dns_from_remote
    quotas = intent.quotas
    assert quotas is not None
    # What one more site adds, by the plan's arithmetic: a node and a pod network, 443 from both and DNS
    # (TCP and UDP) from its pod CIDR, two routes per VPC table and two TGW routes.
    assert [
        (q.quota, q.limit, q.next_site)
        for q in (
            quotas.remote_node_networks,
            quotas.remote_pod_networks,
            quotas.inbound_rules,
            quotas.outbound_rules,
            quotas.vpc_routes,
            quotas.tgw_routes,
        )
    ] == [
        ("remote node networks per cluster", 15, 1),
        ("remote pod networks per cluster", 15, 1),
        ("inbound rules of the cluster security group", 60, 4),
        ("outbound rules of the cluster security group", 60, 0),
        ("routes in each VPC route table", 50, 2),
        ("routes in the transit gateway's route tables", 10_000, 2),
    ]


PODS = ("172.18.0.0-16", "172.19.0.0-16", "192.168.0.0-16")
AGGREGATES = {"nodeCidrs": ["10.200.0.0/14"], "podCidrs": ["172.18.0.0/15", "192.168.0.0/16"]}


def aggregated(document: dict[str, Any]) -> None:
    document["eks-hybrid:remoteNetworks"] = AGGREGATES
    document["eks-hybrid:quotas"] = {"securityGroupRules": 120, "routesPerRouteTable": 200}


def test_with_aggregates_the_cluster_palette_and_hub_routes_use_them(planned: dict[str, Any]) -> None:
    outputs = HubOutputs.model_validate(planned["example-hub"])
    intent = hub_intent("example-hub", hub_config(aggregated), outputs)
    assert intent.eks is not None and intent.palette_hub is not None
    assert (intent.eks.node_cidrs, intent.eks.pod_cidrs) == (
        ("10.200.0.0/14",),
        ("172.18.0.0/15", "192.168.0.0/16"),
    )
    assert (intent.palette_hub.node_cidrs, intent.palette_hub.pod_cidrs) == (
        intent.eks.node_cidrs,
        intent.eks.pod_cidrs,
    )
    assert (intent.eks.node_source, intent.eks.pod_source) == (
        "eks-hybrid:remoteNetworks.nodeCidrs",
        "eks-hybrid:remoteNetworks.podCidrs",
    )
    assert {rule.cidr for rule in intent.eks.rules if rule.role != "api"} == {
        "10.200.0.0/14",
        "172.18.0.0/15",
        "192.168.0.0/16",
    }
    # Each site's CIDR is still checked, served by the aggregate the hub declares; a routeVia: site site's
    # must not be served by the transit gateway (the aggregate would send it there, and no further).
    dallas = {r.owner for r in intent.routes if r.site == "dallas"}
    assert dallas == {
        "the hub stack (as its eks-hybrid:remoteNetworks aggregate 10.200.0.0/14)",
        "the hub stack (as its eks-hybrid:remoteNetworks aggregate 192.168.0.0/16)",
    }
    tgw = Target("transitGateway", planned["example-hub"]["transitGatewayId"])
    assert {(r.targets, r.avoid) for r in intent.routes if r.site == "chicago"} == {((), (tgw,))}
    # The TGW keeps one route per site CIDR.
    assert [t.cidr for t in intent.tgw_routes if t.site == "dallas"] == ["10.200.0.0/16", "192.168.0.0/16"]
    # Quotas: the stack's raised values, and a next site inside the aggregates adds no remote network, no
    # rule and no VPC route; the TGW still gets its two.
    quotas = intent.quotas
    assert quotas is not None
    assert (quotas.inbound_rules.limit, quotas.vpc_routes.limit) == (120, 200)
    assert [
        q.next_site
        for q in (
            quotas.remote_node_networks,
            quotas.remote_pod_networks,
            quotas.inbound_rules,
            quotas.vpc_routes,
            quotas.tgw_routes,
        )
    ] == [0, 0, 0, 0, 2]


def test_coredns_on_hybrid_nodes_expects_no_dns_rules(planned: dict[str, Any]) -> None:
    def hybrid_dns(document: dict[str, Any]) -> None:
        document["eks-hybrid:cluster"]["coreDns"] = "hybrid"

    intent = hub_intent(
        "example-hub", hub_config(hybrid_dns), HubOutputs.model_validate(planned["example-hub"])
    )
    assert intent.eks is not None and not intent.eks.dns_from_remote
    assert {rule.port for rule in intent.eks.rules} == {443}
    assert intent.quotas is not None and intent.quotas.inbound_rules.next_site == 2


def test_a_cluster_pool_hub_expects_rules_from_node_cidrs_and_checks_cluster_pool_allocations(
    example_plans: Mapping[str, StackPlan],
) -> None:
    """example-hub-ssm: one BGP site, cluster-pool IPAM, so pods' traffic reaches the VPC from the node."""
    outputs = dict(example_plans["example-hub-ssm"].run.outputs)
    config = hub_config(name="example-hub-ssm")
    intent = hub_intent("example-hub-ssm", config, HubOutputs.model_validate(outputs))
    assert intent.kubernetes is not None and intent.kubernetes.ipam == "clusterPool"
    assert intent.eks is not None
    assert {(rule.role, rule.port, rule.protocol) for rule in intent.eks.rules} == {
        ("node", 443, "tcp"),
        ("node", 53, "tcp"),
        ("node", 53, "udp"),
    }
    # cluster-pool is set explicitly (every site on BGP): the next site adds 443 and DNS (TCP, UDP) from
    # its node CIDR only.
    assert intent.quotas is not None and intent.quotas.inbound_rules.next_site == 3


def test_the_ipam_mode_is_the_hubs_export_and_its_config_only_without_one(planned: dict[str, Any]) -> None:
    exported = {**planned["example-hub"], "ciliumIpamMode": "clusterPool"}
    intent = hub_intent("example-hub", hub_config(), HubOutputs.model_validate(exported))
    assert intent.kubernetes is not None and intent.kubernetes.ipam == "clusterPool"
    legacy = {k: v for k, v in planned["example-hub"].items() if k != "ciliumIpamMode"}
    intent = hub_intent("example-hub", hub_config(), HubOutputs.model_validate(legacy))
    assert intent.kubernetes is not None and intent.kubernetes.ipam == "multiPool"


def test_outputs_the_hub_does_not_export_are_reported_not_guessed() -> None:
    intent = hub_intent("example-hub", hub_config(), HubOutputs())
    assert intent.routes == () and intent.tgw_routes == ()
    assert all(f.status is Status.error for f in intent.unchecked)
    assert [f.detail for f in intent.unchecked] == [
        "stack example-hub exports no transitGatewayId",
        "stack example-hub exports no transitGatewayRouteTableId",
        "stack example-hub exports no hybridNodeRoleArn",
        "stack example-hub exports no clusterSecurityGroupId",
        "stack example-hub exports no trustAnchorArn",
        "stack example-hub exports no paletteClusterUid",
    ]


def test_a_tgw_vpn_site_expects_its_attachment_and_its_pools(planned: dict[str, Any]) -> None:
    site_outputs = planned["example-dallas"]
    intent = site_intent(
        "example-dallas",
        site_config("example-dallas"),
        SiteOutputs.model_validate(site_outputs),
        planned["example-hub"],
    )
    assert {(r.cidr, r.targets[0].kind, r.owner) for r in intent.routes} == {
        ("10.200.0.0/16", "transitGateway", "the hub stack"),
        ("192.168.0.0/16", "transitGateway", "the hub stack"),
    }
    assert {t.attachment_id for t in intent.tgw_routes} == {site_outputs["transitGatewayAttachmentId"]}
    [vpn] = intent.vpns
    assert (vpn.connection_id, vpn.on, vpn.static_routes) == (
        site_outputs["vpnConnectionId"],
        "transitGateway",
        (),
    )
    assert intent.palette_pools is not None
    assert intent.palette_pools.pools == (("dallas-workers", ("edge-8f3a2b1c", "edge-8f3a2b1d")),)
    assert intent.kubernetes is not None
    assert (intent.kubernetes.only_site, intent.kubernetes.expected_nodes) == ("dallas", 2)
    assert (intent.kubernetes.ipam, intent.kubernetes.pools["dallas"]) == ("multiPool", "eks-hybrid-dallas")


def test_a_vgw_vpn_site_relying_on_propagation_expects_propagated_routes_and_static_vpn_routes(
    planned: dict[str, Any],
) -> None:
    hub = planned["example-hub"]
    outputs = SiteOutputs(vpn_connection_id="vpn-0a1b2c3d4e5f60001")
    intent = site_intent("example-chicago", site_config("example-chicago"), outputs, hub)
    assert {r.targets for r in intent.routes} == {(Target("vpnGateway", hub["vpnGatewayId"]),)}
    assert all("propagation" in r.owner for r in intent.routes)
    assert intent.vpns[0].static_routes == ("10.201.0.0/16", "172.18.0.0/16")
    assert intent.tgw_routes == ()


def test_a_direct_connect_site_routes_its_own_cidrs_to_the_vgw(planned: dict[str, Any]) -> None:
    hub = planned["example-hub"]
    intent = site_intent("example-denver", site_config("example-denver"), SiteOutputs(), hub)
    assert {(r.targets, r.owner) for r in intent.routes} == {
        ((Target("vpnGateway", hub["vpnGatewayId"]),), "this site stack")
    }
    assert intent.vpns == () and intent.unchecked == ()


def test_a_site_missing_from_the_hubs_inventory_is_refused(planned: dict[str, Any]) -> None:
    hub = {**planned["example-hub"], "siteInventory": "{}"}
    with pytest.raises(ValueError, match="site 'dallas' is not in hub stack example-hub's inventory"):
        site_intent("example-dallas", site_config("example-dallas"), SiteOutputs(), hub)


def test_the_second_site_of_a_default_hub_counts_the_switch_to_multi_pool(planned: dict[str, Any]) -> None:
    """One site without an explicit IPAM mode is cluster-pool; a second makes it multi-pool, which moves
    443 and DNS to the pod CIDRs: the plan's arithmetic counts that, a fixed per-site figure would not."""

    def dallas_only(document: dict[str, Any]) -> None:
        document["eks-hybrid:sites"] = {"dallas": document["eks-hybrid:sites"]["dallas"]}

    config = hub_config(dallas_only)
    assert config.cilium_ipam == "clusterPool"
    intent = hub_intent("example-hub", config, HubOutputs.model_validate(planned["example-hub"]))
    # 443 and DNS from dallas's node CIDR, 443 from the deployer's (apiAccess)
    assert intent.eks is not None and len(intent.eks.rules) == 4
    # After: 443 from two node and two pod CIDRs, DNS (TCP, UDP) from two pod CIDRs = 8 rules.
    assert intent.quotas is not None and intent.quotas.inbound_rules.next_site == 8 - 3
