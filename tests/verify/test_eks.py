"""The EKS cluster (moto: status and remoteNetworkConfig), its hybrid access entry (Stubber: moto has no
access entries) and the cluster security group (moto)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from eks_hybrid.verify.checks.eks import check_access_entry, check_cluster, check_security_group
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import EksIntent, cluster_networks, cluster_rules
from tests.cluster.hubs import hub_config as small_hub

from .conftest import REGION, only

ROLE = "arn:aws:iam::123456789012:role/edge-prod-node-identity-role"
NODES = ("10.200.0.0/16", "10.201.0.0/16")
PODS = ("172.18.0.0/16", "192.168.0.0/16")


def planned_rules(source: str = "pod", core_dns: str = "cloud") -> tuple[Any, ...]:
    """The rules the hub declares, from the program's planner (multi-pool: pods keep their addresses)."""
    nodes, pods = (
        dict(zip(("chicago", "dallas"), NODES, strict=True)),
        dict(zip(("chicago", "dallas"), PODS, strict=True)),
    )
    return cluster_rules(nodes, pods, pod_traffic=source, core_dns=core_dns)  # type: ignore[arg-type]


def intent(**changes: Any) -> EksIntent:
    values: dict[str, Any] = {
        "cluster_name": "edge-prod",
        "node_cidrs": NODES,
        "pod_cidrs": PODS,
        "hybrid_role_arn": ROLE,
        "security_group_id": None,
        "rules": planned_rules(),
    }
    return EksIntent(**{**values, **changes})


def create_cluster(nodes: list[str], pods: list[str]) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.100.1.0/24")["Subnet"]["SubnetId"]
    boto3.client("eks", region_name=REGION).create_cluster(
        name="edge-prod",
        roleArn="arn:aws:iam::123456789012:role/edge-prod-cluster-role",
        resourcesVpcConfig={"subnetIds": [subnet]},
        remoteNetworkConfig={
            "remoteNodeNetworks": [{"cidrs": nodes}],
            "remotePodNetworks": [{"cidrs": pods}],
        },
    )


def test_an_active_cluster_with_the_inventorys_remote_networks_passes(aws: Any) -> None:
    create_cluster(list(NODES), list(PODS))
    results = check_cluster(intent(), aws.cluster("edge-prod"))
    assert [(f.check, f.status) for f in results] == [
        ("cluster edge-prod status", Status.ok),
        ("cluster edge-prod remote node networks", Status.ok),
        ("cluster edge-prod remote pod networks", Status.ok),
    ]


def test_remote_networks_that_differ_from_the_inventory_fail(aws: Any) -> None:
    create_cluster(["10.200.0.0/16", "10.9.0.0/16"], list(PODS))
    nodes = only(check_cluster(intent(), aws.cluster("edge-prod")), "remote node networks")
    assert nodes.status is Status.fail
    assert nodes.detail == (
        "remoteNetworkConfig differs from eks-hybrid:sites: missing 10.201.0.0/16;"
        " not in the stack 10.9.0.0/16"
    )
    assert "update-cluster-config" in nodes.remedy


def test_a_cluster_that_does_not_exist_fails(aws: Any) -> None:
    [finding] = check_cluster(intent(), aws.cluster("edge-prod"))
    assert (finding.status, finding.detail) == (
        Status.fail,
        "EKS cluster edge-prod does not exist in this account and region",
    )


def test_a_cluster_not_active_fails() -> None:
    results = check_cluster(intent(), {"name": "edge-prod", "status": "FAILED", "remoteNetworkConfig": {}})
    status = only(results, "status")
    assert (status.status, status.detail) == (Status.fail, "status is FAILED, not ACTIVE")


def _entry(kind: str) -> dict[str, Any]:
    return {
        "accessEntry": {
            "clusterName": "edge-prod",
            "principalArn": ROLE,
            "kubernetesGroups": [],
            "accessEntryArn": (
                "arn:aws:eks:us-west-2:123456789012:access-entry/edge-prod/role/123456789012/x/1"
            ),
            "createdAt": datetime(2026, 11, 1, tzinfo=UTC),
            "modifiedAt": datetime(2026, 11, 1, tzinfo=UTC),
            "tags": {},
            "username": "system:node:{{SessionName}}",
            "type": kind,
        }
    }


@pytest.mark.parametrize(
    ("kind", "status", "detail"),
    [
        ("HYBRID_LINUX", Status.ok, "type HYBRID_LINUX"),
        ("STANDARD", Status.fail, "the access entry is of type STANDARD, not HYBRID_LINUX"),
    ],
)
def test_access_entry(stubbed: Any, kind: str, status: Status, detail: str) -> None:
    stubbed("eks").add_response(
        "describe_access_entry", _entry(kind), {"clusterName": "edge-prod", "principalArn": ROLE}
    )
    [finding] = check_access_entry(intent(), stubbed.reader.access_entry("edge-prod", ROLE))
    assert (finding.status, finding.detail) == (status, detail)


def test_a_missing_access_entry_fails(stubbed: Any) -> None:
    stubbed("eks").add_client_error(
        "describe_access_entry",
        "ResourceNotFoundException",
        "The specified access entry resource can't be found.",
    )
    [finding] = check_access_entry(intent(), stubbed.reader.access_entry("edge-prod", ROLE))
    assert finding.status is Status.fail
    assert finding.detail == "no access entry for the hybrid node role: nodes fail to join with Unauthorized"


class Group:
    def __init__(self) -> None:
        self.ec2 = boto3.client("ec2", region_name=REGION)
        vpc = self.ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
        self.id = self.ec2.create_security_group(GroupName="eks-cluster", Description="EKS", VpcId=vpc)[
            "GroupId"
        ]

    def allow(self, protocol: str, port: int, cidrs: list[str] = (), prefix_list: str | None = None) -> None:
        permission: dict[str, Any] = {"IpProtocol": protocol, "FromPort": port, "ToPort": port}
        permission["IpRanges"] = [{"CidrIp": c} for c in cidrs]
        if prefix_list:
            permission["PrefixListIds"] = [{"PrefixListId": prefix_list}]
        self.ec2.authorize_security_group_ingress(GroupId=self.id, IpPermissions=[permission])

    def prefix_list(self, cidrs: list[str], max_entries: int = 20) -> str:
        return self.ec2.create_managed_prefix_list(
            PrefixListName="eks-hybrid-remote",
            MaxEntries=max_entries,
            AddressFamily="IPv4",
            Entries=[{"Cidr": c} for c in cidrs],
        )["PrefixList"]["PrefixListId"]


def _sg_state(aws: Any, group: str) -> tuple[Any, Any]:
    rules = aws.security_group_rules(group)
    return rules, aws.prefix_lists(r["PrefixListId"] for r in rules if r.get("PrefixListId"))


def test_the_group_admits_what_the_hubs_rules_admit(aws: Any) -> None:
    group = Group()
    remote = [*NODES, *PODS]
    group.allow("tcp", 443, remote)
    group.allow("tcp", 53, ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])  # covering CIDRs count
    group.allow("udp", 53, prefix_list=group.prefix_list(remote))  # so do prefix lists
    results = check_security_group(intent(security_group_id=group.id), *_sg_state(aws, group.id))
    assert [(f.check.split(" from ")[1], f.status, f.detail) for f in results] == [
        ("10.200.0.0/16 (remote node)", Status.ok, "admits TCP 443"),
        ("10.201.0.0/16 (remote node)", Status.ok, "admits TCP 443"),
        ("172.18.0.0/16 (remote pod)", Status.ok, "admits TCP 443, TCP 53, UDP 53"),
        ("192.168.0.0/16 (remote pod)", Status.ok, "admits TCP 443, TCP 53, UDP 53"),
    ]


def test_missing_dns_rules_fail_naming_what_breaks(aws: Any) -> None:
    group = Group()
    group.allow("tcp", 443, [*NODES, *PODS])
    results = check_security_group(intent(security_group_id=group.id), *_sg_state(aws, group.id))
    finding = only(results, "from 172.18.0.0/16")
    assert finding.status is Status.fail
    assert finding.detail == (
        "no ingress rule admits TCP 53, UDP 53: hybrid pods cannot resolve names with CoreDNS in the cloud"
    )
    assert "eks-hybrid:cluster.coreDns: cloud" in finding.remedy


def test_with_coredns_on_hybrid_nodes_no_dns_rule_is_expected(aws: Any) -> None:
    group = Group()
    group.allow("tcp", 443, [*NODES, *PODS])
    hybrid = intent(security_group_id=group.id, rules=planned_rules(core_dns="hybrid"))
    assert not hybrid.dns_from_remote and intent().dns_from_remote
    results = check_security_group(hybrid, *_sg_state(aws, group.id))
    assert [(f.status, f.detail) for f in results] == [(Status.ok, "admits TCP 443")] * 4


def test_cluster_pool_expects_443_and_dns_from_the_node_cidrs_only(aws: Any) -> None:
    """Cluster-pool masquerades pods' traffic to the node's address: the planner's rules name node CIDRs."""
    group = Group()
    group.allow("tcp", 443, list(NODES))
    group.allow("udp", 53, list(NODES))
    results = check_security_group(
        intent(security_group_id=group.id, rules=planned_rules(source="node")), *_sg_state(aws, group.id)
    )
    assert [f.check.split(" from ")[1] for f in results] == [
        "10.200.0.0/16 (remote node)",
        "10.201.0.0/16 (remote node)",
    ]
    assert {f.detail for f in results} == {
        "no ingress rule admits TCP 53: hybrid pods cannot resolve names with CoreDNS in the cloud"
    }


def test_missing_443_fails(aws: Any) -> None:
    group = Group()
    group.allow("tcp", 443, list(PODS))
    results = check_security_group(
        intent(security_group_id=group.id, rules=planned_rules(core_dns="hybrid")), *_sg_state(aws, group.id)
    )
    finding = only(results, "from 10.200.0.0/16")
    assert finding.status is Status.fail
    assert finding.detail == "no ingress rule admits TCP 443: kubelets cannot reach the API server"
    assert finding.remedy == "the hub stack declares these rules: `pulumi refresh` and `pulumi up` the hub"
    assert only(results, "from 192.168.0.0/16").status is Status.ok


def test_a_group_that_does_not_exist_fails(aws: Any) -> None:
    [finding] = check_security_group(
        intent(security_group_id="sg-0000000000000dead"), *_sg_state_missing(aws)
    )
    assert finding.status is Status.fail
    assert finding.detail == "the cluster security group sg-0000000000000dead does not exist"


def _sg_state_missing(aws: Any) -> tuple[Any, Any]:
    return aws.security_group_rules("sg-0000000000000dead"), {}


def test_an_adopted_cluster_only_has_to_contain_the_inventory() -> None:
    cluster = {
        "status": "ACTIVE",
        "remoteNetworkConfig": {
            "remoteNodeNetworks": [{"cidrs": ["10.200.0.0/15", "10.9.0.0/16"]}],
            "remotePodNetworks": [{"cidrs": ["172.18.0.0/16"]}],
        },
    }
    results = check_cluster(intent(exact=False), cluster)
    assert only(results, "remote node networks").status is Status.ok  # 10.200/15 holds both node CIDRs
    pods = only(results, "remote pod networks")
    assert (pods.status, pods.detail) == (
        Status.fail,
        "remoteNetworkConfig differs from eks-hybrid:sites: missing 192.168.0.0/16",
    )


def test_with_aggregates_the_cluster_must_hold_the_aggregates(aws: Any) -> None:
    create_cluster(list(NODES), ["172.18.0.0/15"])
    aggregated = intent(
        node_cidrs=("10.200.0.0/14",),
        pod_cidrs=("172.18.0.0/15",),
        node_source="eks-hybrid:remoteNetworks.nodeCidrs",
        pod_source="eks-hybrid:remoteNetworks.podCidrs",
    )
    results = check_cluster(aggregated, aws.cluster("edge-prod"))
    assert only(results, "remote pod networks").status is Status.ok
    nodes = only(results, "remote node networks")
    assert nodes.detail == (
        "remoteNetworkConfig differs from eks-hybrid:remoteNetworks.nodeCidrs: missing 10.200.0.0/14; not in"
        " the stack 10.200.0.0/16, 10.201.0.0/16"
    )


def _cluster(**changes: Any) -> dict[str, Any]:
    return {**small_hub().cluster.model_dump(by_alias=True, exclude_none=True), **changes}


def test_verify_expects_443_from_every_source(aws: Any) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="eks", Description="EKS", VpcId=vpc)["GroupId"]
    bastion = ec2.create_security_group(GroupName="bastion", Description="bastion", VpcId=vpc)["GroupId"]
    hub = small_hub(cluster=_cluster(apiAccess={"cidrs": ["10.100.8.0/24"], "securityGroupIds": [bastion]}))
    networks, rules = cluster_networks(hub)
    api = [r for r in rules if r.role == "api"]
    assert [(r.cidr, r.security_group_id) for r in api] == [("10.100.8.0/24", None), (None, bastion)]
    intent = EksIntent("edge-test", networks.node_cidrs, networks.pod_cidrs, None, group, tuple(api))

    def results() -> list[tuple[str, Status, str]]:
        found = check_security_group(intent, aws.security_group_rules(group), {})
        return [(f.check.split(" from ")[1], f.status, f.detail) for f in found]

    assert results() == [
        (
            "10.100.8.0/24 (apiAccess)",
            Status.fail,
            "no ingress rule admits TCP 443: the deployer (pulumi up, kubectl) cannot reach the API server",
        ),
        (
            f"{bastion} (apiAccess)",
            Status.fail,
            "no ingress rule admits TCP 443: the deployer (pulumi up, kubectl) cannot reach the API server",
        ),
    ]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.100.0.0/16"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": bastion}]},
        ],
    )
    assert [status for _, status, _ in results()] == [Status.ok, Status.ok]
