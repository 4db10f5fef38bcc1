"""Quota headroom: counts from the API documents (moto for security group rules); limits and per-site
increments from the plan's quota arithmetic (`components.config._quotas`) over the example hub's config."""

from __future__ import annotations

from typing import Any

import boto3

from eks_hybrid.components.config._quotas import EKS_QUOTAS, VPC_QUOTAS
from eks_hybrid.verify.checks.quotas import check_quotas, rule_count
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import QuotaIntent, quota_limits

from .conftest import REGION, hub_config, only


def intent(edit: Any = None, **changes: Any) -> QuotaIntent:
    values: dict[str, Any] = {
        "cluster_name": "edge-prod",
        "security_group_id": "sg-0a1b2c3d4e5f60001",
        "route_table_ids": ("rtb-0a1b2c3d4e5f60001",),
        "transit_gateway_id": "tgw-0a1b2c3d4e5f60001",
        "site_count": 3,
        **quota_limits(hub_config(edit)),
    }
    return QuotaIntent(**{**values, **changes})


def cluster(nodes: int, pods: int) -> dict[str, Any]:
    return {
        "name": "edge-prod",
        "remoteNetworkConfig": {
            "remoteNodeNetworks": [{"cidrs": [f"10.{i}.0.0/16" for i in range(nodes)]}],
            "remotePodNetworks": [{"cidrs": [f"172.{16 + i}.0.0/16" for i in range(pods)]}],
        },
    }


def rules(ingress: int, egress: int) -> list[dict[str, Any]]:
    return [
        {"IsEgress": False, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv4": "10.0.0.0/16"}
    ] * (ingress) + [
        {"IsEgress": True, "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"}
    ] * egress


def table(routes: int, propagated: int = 0) -> dict[str, Any]:
    static = [
        {"DestinationCidrBlock": f"10.{i}.0.0/16", "Origin": "CreateRoute", "State": "active"}
        for i in range(routes)
    ]
    learned = [
        {"DestinationCidrBlock": f"172.{i}.0.0/16", "Origin": "EnableVgwRoutePropagation", "State": "active"}
        for i in range(propagated)
    ]
    return {"RouteTableId": "rtb-0a1b2c3d4e5f60001", "Routes": static + learned}


def run(quotas: QuotaIntent | None = None, **state: Any) -> list[Any]:
    defaults: dict[str, Any] = {
        "cluster": cluster(3, 3),
        "rules": rules(13, 1),
        "prefix_lists": {},
        "route_tables": {"rtb-0a1b2c3d4e5f60001": table(7)},
        "tgw_route_counts": {"tgw-rtb-0a1b2c3d4e5f60001": 7},
    }
    return check_quotas(quotas or intent(), **{**defaults, **state})


def test_headroom_everywhere_passes() -> None:
    results = run()
    assert [f.status for f in results] == [Status.ok] * 6
    assert only(results, "remote node networks").detail == "3 of 15 used; the next site adds 1"
    # Multi-pool with CoreDNS in the cloud: 443 from the node and pod CIDRs, DNS (TCP, UDP) from the pod CIDR.
    assert only(results, "inbound rules").detail == "13 of 60 used; the next site adds 4"
    assert only(results, "outbound rules").detail == "1 of 60 used; the next site adds none"


def test_the_15th_remote_network_warns_that_the_next_site_crosses_the_limit() -> None:
    nodes = only(run(cluster=cluster(15, 3)), "remote node networks")
    assert nodes.status is Status.warn
    assert nodes.detail == (
        "15 of 15 used; the next site adds 1: the next site would cross the remote node networks per cluster"
        f" limit ({EKS_QUOTAS})"
    )
    assert nodes.remedy == "set eks-hybrid:remoteNetworks aggregates (nodeCidrs)"


def test_security_group_rules_near_60_warn_and_say_the_quota_can_be_raised() -> None:
    inbound = only(run(rules=rules(57, 1)), "inbound rules")
    assert inbound.status is Status.warn
    assert inbound.detail.startswith("57 of 60 used; the next site adds 4")
    assert "raise the quota and set eks-hybrid:quotas.securityGroupRules" in inbound.remedy


def test_the_stacks_raised_quota_is_the_limit() -> None:
    raised = intent(lambda d: d.__setitem__("eks-hybrid:quotas", {"securityGroupRules": 120}))
    assert (
        only(run(raised, rules=rules(57, 1)), "inbound rules").detail
        == "57 of 120 used; the next site adds 4"
    )
    over = only(run(rules=rules(61, 1)), "inbound rules")
    assert (over.status, over.detail) == (
        Status.fail,
        f"61 is over the inbound rules of the cluster security group limit of 60 ({VPC_QUOTAS} (EKS's own"
        " self-referencing rule counted; the DNS rules too while they fit 60))",
    )
    assert over.remedy.startswith("the account's quota is higher than the stack says")


def test_with_aggregates_the_next_site_adds_no_network_rule_or_vpc_route() -> None:
    def aggregated(document: dict[str, Any]) -> None:
        document["eks-hybrid:remoteNetworks"] = {
            "nodeCidrs": ["10.200.0.0/14"],
            "podCidrs": ["172.18.0.0/15", "192.168.0.0/16"],
        }

    results = run(
        intent(aggregated),
        cluster=cluster(15, 15),
        rules=rules(60, 1),
        route_tables={"rtb-0a1b2c3d4e5f60001": table(50)},
    )
    assert [f.status for f in results] == [Status.ok] * 6
    assert only(results, "rtb-0a1b2c3d4e5f60001").detail == "50 of 50 used; the next site adds none"


def test_propagated_routes_do_not_count_against_the_route_table_quota() -> None:
    routes = only(
        run(route_tables={"rtb-0a1b2c3d4e5f60001": table(49, propagated=40)}), "rtb-0a1b2c3d4e5f60001"
    )
    assert routes.status is Status.warn
    assert routes.detail.startswith("49 of 50 used; the next site adds 2")
    assert routes.remedy.startswith(
        "set eks-hybrid:remoteNetworks aggregates for the transit gateway's sites"
    )
    assert only(run(route_tables={"rtb-0a1b2c3d4e5f60001": table(10, 40)}), "rtb-").status is Status.ok


def test_transit_gateway_routes_count_across_its_route_tables() -> None:
    tgw = only(run(tgw_route_counts={"a": 9_000, "b": 999}), "tgw-0a1b2c3d4e5f60001")
    assert tgw.check == "tgw-0a1b2c3d4e5f60001 routes (2 route tables)"
    assert (tgw.status, tgw.detail.split(":")[0]) == (Status.warn, "9999 of 10000 used; the next site adds 2")


def test_a_prefix_list_rule_counts_as_its_max_entries_as_aws_counts_it(aws: Any) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="eks", Description="EKS", VpcId=vpc)["GroupId"]
    listed = ec2.create_managed_prefix_list(
        PrefixListName="remote", MaxEntries=30, AddressFamily="IPv4", Entries=[{"Cidr": "10.200.0.0/16"}]
    )["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": listed}],
            },
            {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.200.0.0/16"}]},
        ],
    )
    found = aws.security_group_rules(group)
    lists = aws.prefix_lists(r["PrefixListId"] for r in found if r.get("PrefixListId"))
    assert rule_count(found, lists, egress=False) == 31
    assert rule_count(found, lists, egress=True) == 1  # the default allow-all egress rule
