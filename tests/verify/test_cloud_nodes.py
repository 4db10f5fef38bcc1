"""The cloud nodes' DNS group (exactly the DNS rules the hub plans), the cloud node group's launch template
(both groups), and the VPC's NAT gateways against cloudEgressCidrs: moto for AWS, the example hubs' offline
plans for what the hub declares and exports."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from eks_hybrid.components.cluster.planning import cloud_node_group_name
from eks_hybrid.components.domain.hub_outputs import HubOutput
from eks_hybrid.planner import StackPlan
from eks_hybrid.verify import run_checks
from eks_hybrid.verify.aws import AwsReader
from eks_hybrid.verify.checks.eks import check_cloud_egress, check_dns_group
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import CloudEgressIntent, DnsGroupIntent, Intent, dns_group_rules, hub_intent
from eks_hybrid.verify.outputs import HubOutputs
from eks_hybrid.verify.runner import Sources

from .conftest import REGION, hub_config, only

CLUSTER = "edge-prod"


@pytest.fixture(scope="module")
def planned(example_plans: Mapping[str, StackPlan]) -> dict[str, Any]:
    return dict(example_plans["example-hub"].run.outputs)


def test_the_hub_exports_its_dns_group_and_an_older_hubs_outputs_still_read(
    example_plans: Mapping[str, StackPlan], planned: dict[str, Any]
) -> None:
    # The group the cloud node group's launch template carries beside the cluster security group.
    template = example_plans["example-hub"].run.named(f"{CLUSTER}-cloud-nodes-template")
    cluster_group, dns_group = template.inputs["vpcSecurityGroupIds"]
    assert cluster_group == planned[HubOutput.CLUSTER_SECURITY_GROUP_ID]
    assert planned[HubOutput.DNS_SECURITY_GROUP_ID] == dns_group
    assert HubOutputs.from_outputs(planned).dns_security_group_id == dns_group
    older = {k: v for k, v in planned.items() if k != HubOutput.DNS_SECURITY_GROUP_ID}
    assert HubOutputs.from_outputs(older).dns_security_group_id is None


def test_the_dns_groups_intent_is_the_rules_the_plan_declares(
    example_plans: Mapping[str, StackPlan], planned: dict[str, Any]
) -> None:
    intent = hub_intent("example-hub", hub_config(), HubOutputs.from_outputs(planned))
    assert intent.eks is not None and intent.eks.dns_group is not None
    dns = intent.eks.dns_group
    assert dns.security_group_id == planned[HubOutput.DNS_SECURITY_GROUP_ID]
    assert dns.node_group == f"{CLUSTER}-cloud-nodes"
    declared = sorted(
        (r.inputs["cidrIpv4"], r.inputs["ipProtocol"], r.inputs["fromPort"])
        for r in example_plans["example-hub"].run.resources
        if r.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
        and r.name.startswith(f"{CLUSTER}-dns-")
    )
    assert len(declared) == 6  # TCP and UDP 53 from each of the three sites' pod CIDRs
    assert sorted((r.cidr, r.protocol, r.port) for r in dns.rules) == declared
    older = {k: v for k, v in planned.items() if k != HubOutput.DNS_SECURITY_GROUP_ID}
    older_intent = hub_intent("example-hub", hub_config(), HubOutputs.from_outputs(older))
    assert older_intent.eks is not None and older_intent.eks.dns_group is None
    assert not [f for f in older_intent.unchecked if "dns" in f.detail.lower()]  # no failure for it


def _hybrid_dns(document: dict[str, Any]) -> None:
    document["eks-hybrid:cluster"]["coreDns"] = "hybrid"


def test_with_coredns_on_hybrid_nodes_the_dns_group_holds_no_rule() -> None:
    assert dns_group_rules(hub_config(_hybrid_dns)) == ()


class Account:
    """A VPC with the cluster security group, the DNS group (no rule, as the hub creates it), the cluster
    and its cloud node group on a launch template."""

    def __init__(self) -> None:
        self.ec2 = boto3.client("ec2", region_name=REGION)
        self.vpc = self.ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
        self.subnet = self.ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.100.1.0/24")["Subnet"]["SubnetId"]
        self.cluster_group = self._group("eks-cluster")
        self.dns = self._group(f"{CLUSTER}-dns")
        # As the hub creates it: the provider removes the egress rule AWS adds to a new group.
        self.ec2.revoke_security_group_egress(
            GroupId=self.dns,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )

    def _group(self, name: str) -> str:
        return str(
            self.ec2.create_security_group(GroupName=name, Description=name, VpcId=self.vpc)["GroupId"]
        )

    def allow(self, protocol: str, port: int, cidrs: list[str]) -> None:
        self.ec2.authorize_security_group_ingress(
            GroupId=self.dns,
            IpPermissions=[
                {
                    "IpProtocol": protocol,
                    "FromPort": port,
                    "ToPort": port,
                    "IpRanges": [{"CidrIp": c} for c in cidrs],
                }
            ],
        )

    def allow_planned(self, rules: Any) -> None:
        for rule in rules:
            self.allow(rule.protocol, rule.port, [rule.cidr])

    def cluster_with_node_group(self, groups: list[str], launch_template: bool = True) -> None:
        eks = boto3.client("eks", region_name=REGION)
        eks.create_cluster(
            name=CLUSTER,
            roleArn="arn:aws:iam::123456789012:role/edge-prod-cluster-role",
            resourcesVpcConfig={"subnetIds": [self.subnet]},
        )
        extra: dict[str, Any] = {}
        if launch_template:
            template = self.ec2.create_launch_template(
                LaunchTemplateName=f"{CLUSTER}-cloud-nodes-template-1a2b3c4",
                LaunchTemplateData={"SecurityGroupIds": groups},
            )["LaunchTemplate"]
            extra["launchTemplate"] = {"id": template["LaunchTemplateId"], "version": "1"}
        for name, tag in (
            (f"{CLUSTER}-cloud-nodes-1a2b3c4", cloud_node_group_name(CLUSTER)),
            (f"{CLUSTER}-cloud-nodes-batch", "batch"),  # a prefix alike, not ours: not checked
        ):
            eks.create_nodegroup(
                clusterName=CLUSTER,
                nodegroupName=name,
                subnets=[self.subnet],
                nodeRole="arn:aws:iam::123456789012:role/edge-prod-node-role",
                tags={"Name": tag},
                **extra,
            )


def _unreachable(*_: Any) -> Any:
    raise AssertionError("not reached")


def _eks_findings(aws: AwsReader, account: Account, dns_group: DnsGroupIntent | None) -> list[Any]:
    intent = hub_intent("example-hub", hub_config(), HubOutputs())
    assert intent.eks is not None
    eks = intent.eks.__class__(
        **{
            **intent.eks.__dict__,
            "security_group_id": account.cluster_group,
            "hybrid_role_arn": None,
            "dns_group": dns_group,
        }
    )
    only_eks = Intent(stack="example-hub", role="hub", region=REGION, eks=eks)
    sources = Sources(
        aws=lambda: aws, palette=_unreachable, kubernetes=_unreachable, now=lambda: datetime.now(UTC)
    )
    return [
        f for f in run_checks(only_eks, sources) if f.check.startswith((account.dns, "node group", "cloud"))
    ]


def _dns_intent(account: Account) -> DnsGroupIntent:
    return DnsGroupIntent(account.dns, dns_group_rules(hub_config()), cloud_node_group_name(CLUSTER))


def test_the_planned_dns_rules_and_a_template_with_both_groups_pass(aws: AwsReader) -> None:
    account = Account()
    dns = _dns_intent(account)
    account.allow_planned(dns.rules)
    account.cluster_with_node_group([account.cluster_group, account.dns])
    results = _eks_findings(aws, account, dns)
    assert {f.status for f in results} == {Status.ok}, results
    assert len([f for f in results if f.check.startswith(account.dns)]) == 3  # one per site's pod CIDR
    [template] = [f for f in results if f.check.startswith("node group")]
    assert template.check == f"node group {CLUSTER}-cloud-nodes-1a2b3c4 security groups"
    assert f"{account.cluster_group} (the cluster security group), {account.dns} (the DNS group)" in (
        template.detail
    )


def test_a_missing_and_an_extra_dns_rule_each_fail_with_their_remedy(aws: AwsReader) -> None:
    account = Account()
    dns = _dns_intent(account)
    account.allow_planned(r for r in dns.rules if not (r.protocol == "udp" and r.source == "dallas"))
    account.allow("tcp", 22, ["0.0.0.0/0"])
    results = check_dns_group(dns, aws.security_group_rules(account.dns))
    failed = [f for f in results if f.status is Status.fail]
    assert len(failed) == 2, results
    dallas = only(failed, "(DNS, remote pod)")
    assert dallas.detail == (
        "no ingress rule admits UDP 53: hybrid pods cannot resolve names with CoreDNS in the cloud"
    )
    assert "`pulumi up` the hub" in dallas.remedy
    [extra] = [f for f in failed if " rule sgr-" in f.check]
    assert extra.detail.startswith("ingress TCP 22 from 0.0.0.0/0 is not a rule the hub plans")
    rule_id = extra.check.rsplit(" ", 1)[1]
    assert (
        f"aws ec2 revoke-security-group-ingress --group-id {account.dns} --security-group-rule-ids {rule_id}"
        in extra.remedy
    )


def test_a_dns_group_that_is_gone_fails(aws: AwsReader) -> None:
    dns = DnsGroupIntent(
        "sg-0123456789abcdef0", dns_group_rules(hub_config()), cloud_node_group_name(CLUSTER)
    )
    [finding] = check_dns_group(dns, aws.security_group_rules(dns.security_group_id))
    assert finding.status is Status.fail and "does not exist" in finding.detail


def test_with_coredns_on_hybrid_nodes_any_rule_is_extra(aws: AwsReader) -> None:
    account = Account()
    empty = DnsGroupIntent(
        account.dns, dns_group_rules(hub_config(_hybrid_dns)), cloud_node_group_name(CLUSTER)
    )
    [ok] = check_dns_group(empty, aws.security_group_rules(account.dns))
    assert ok.status is Status.ok and "has no rules" in ok.detail
    account.allow("udp", 53, ["172.18.0.0/16"])
    [extra] = check_dns_group(empty, aws.security_group_rules(account.dns))
    assert extra.status is Status.fail and extra.detail.startswith("ingress UDP 53 from 172.18.0.0/16")


def test_a_template_without_the_dns_group_fails(aws: AwsReader) -> None:
    account = Account()
    dns = _dns_intent(account)
    account.allow_planned(dns.rules)
    account.cluster_with_node_group([account.cluster_group])
    [template] = [f for f in _eks_findings(aws, account, dns) if f.check.startswith("node group")]
    assert template.status is Status.fail
    assert f"lacks the DNS group {account.dns}" in template.detail
    assert "`pulumi up` the hub" in template.remedy


def test_a_node_group_without_a_launch_template_fails(aws: AwsReader) -> None:
    account = Account()
    dns = _dns_intent(account)
    account.allow_planned(dns.rules)
    account.cluster_with_node_group([], launch_template=False)
    [template] = [f for f in _eks_findings(aws, account, dns) if f.check.startswith("node group")]
    assert template.status is Status.fail
    assert template.detail.startswith("the node group has no launch template")


def test_a_hub_deployed_before_the_dns_group_gets_one_skipped_line(aws: AwsReader) -> None:
    account = Account()
    account.cluster_with_node_group([account.cluster_group])
    [skipped] = _eks_findings(aws, account, None)
    assert skipped.status is Status.ok and skipped.check == "cloud nodes' DNS security group"
    assert skipped.detail.startswith(f"skipped: the hub exports no {HubOutput.DNS_SECURITY_GROUP_ID}")


def _public(document: dict[str, Any]) -> None:
    cluster = document["eks-hybrid:cluster"]
    cluster.pop("apiAccess", None)
    cluster["endpointAccess"] = "public"
    cluster["publicAccessCidrs"] = ["203.0.113.0/24", "192.0.2.10/32"]
    cluster["cloudEgressCidrs"] = ["192.0.2.10/32"]


def test_the_cloud_egress_is_checked_only_when_the_public_endpoint_is_limited() -> None:
    assert hub_intent("example-hub", hub_config(), HubOutputs()).eks.cloud_egress is None  # type: ignore[union-attr]
    intent = hub_intent("example-hub", hub_config(_public), HubOutputs())
    assert intent.eks is not None
    assert intent.eks.cloud_egress == CloudEgressIntent(
        vpc_id=hub_config().cluster.vpc_id,
        endpoint_access="public",
        public_access_cidrs=("203.0.113.0/24", "192.0.2.10/32"),
        cloud_egress_cidrs=("192.0.2.10/32",),
    )


def test_a_nat_gateway_outside_the_cloud_egress_is_a_warning_with_its_remedy(aws: AwsReader) -> None:
    account = Account()
    address = account.ec2.allocate_address(Domain="vpc")
    nat = account.ec2.create_nat_gateway(SubnetId=account.subnet, AllocationId=address["AllocationId"])
    nat_id = nat["NatGateway"]["NatGatewayId"]
    egress = CloudEgressIntent(account.vpc, "public", ("203.0.113.0/24", "192.0.2.10/32"), ("192.0.2.10/32",))
    [warning] = check_cloud_egress(egress, aws.nat_gateways(account.vpc))
    assert warning.status is Status.warn and warning.check == f"NAT gateways {nat_id}"
    assert warning.detail.startswith(
        f"NAT gateway {nat_id} in the VPC leaves from {address['PublicIp']}/32, not in cloudEgressCidrs"
    )
    assert warning.remedy.startswith("add it to cloudEgressCidrs and publicAccessCidrs")
    inside = CloudEgressIntent(
        account.vpc, "public", ("203.0.113.0/24", f"{address['PublicIp']}/32"), (f"{address['PublicIp']}/32",)
    )
    [ok] = check_cloud_egress(inside, aws.nat_gateways(account.vpc))
    assert ok.status is Status.ok and nat_id in ok.detail
