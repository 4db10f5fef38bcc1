"""verify never changes anything: the AWS adapter refuses writes before they are sent, and
`docs/aws-verify-policy.json` (read-only) allows exactly the operations the adapter sends."""

from __future__ import annotations

import json
from typing import Any

import boto3
import parliament
import pytest

from eks_hybrid.verify.aws import AwsReader, ReadOnlyViolation

from ..conftest import REPO
from .conftest import REGION

POLICY = json.loads((REPO / "docs" / "aws-verify-policy.json").read_text())
ALLOWED = sorted(a for statement in POLICY["Statement"] for a in statement["Action"])


def test_a_write_is_refused_before_it_is_sent(aws: AwsReader) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    table = ec2.create_route_table(VpcId=ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"])
    table_id = table["RouteTable"]["RouteTableId"]
    with pytest.raises(ReadOnlyViolation, match="verify is read-only and refused to call CreateRoute"):
        aws.client("ec2").create_route(
            RouteTableId=table_id, DestinationCidrBlock="10.200.0.0/16", GatewayId="vgw-0a1b2c3d4e5f60001"
        )
    routes = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]["Routes"]
    assert [r["DestinationCidrBlock"] for r in routes] == ["10.100.0.0/16"]  # nothing reached moto


def test_the_policy_allows_exactly_what_the_adapter_calls(aws: AwsReader, stubbed: Any) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    listed = ec2.create_managed_prefix_list(
        PrefixListName="p", MaxEntries=2, AddressFamily="IPv4", Entries=[{"Cidr": "10.200.0.0/16"}]
    )["PrefixList"]["PrefixListId"]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    table = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)["TransitGatewayRouteTable"]
    aws.route_tables(["rtb-0a1b2c3d4e5f60001"])
    aws.tgw_route_counts(tgw)
    aws.tgw_routes(table["TransitGatewayRouteTableId"])
    aws.vpn_connections(["vpn-0a1b2c3d4e5f60001"])
    aws.security_group_rules(group)
    aws.prefix_lists([listed])
    aws.cluster("edge-prod")
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.100.1.0/24")["Subnet"]["SubnetId"]
    template = ec2.create_launch_template(
        LaunchTemplateName="t", LaunchTemplateData={"SecurityGroupIds": [group]}
    )
    eks = boto3.client("eks", region_name=REGION)
    eks.create_cluster(
        name="edge-prod",
        roleArn="arn:aws:iam::123456789012:role/c",
        resourcesVpcConfig={"subnetIds": [subnet]},
    )
    eks.create_nodegroup(
        clusterName="edge-prod",
        nodegroupName="edge-prod-cloud-nodes-1a2b3c4",
        subnets=[subnet],
        nodeRole="arn:aws:iam::123456789012:role/n",
        tags={"Name": "edge-prod-cloud-nodes"},
    )
    aws.node_groups_named("edge-prod", "edge-prod-cloud-nodes")
    aws.launch_template_version(template["LaunchTemplate"]["LaunchTemplateId"], "1")
    aws.nat_gateways(vpc)

    reader = stubbed.reader
    stubbed("eks").add_client_error("describe_access_entry", "ResourceNotFoundException")
    stubbed("rolesanywhere").add_client_error("get_trust_anchor", "ResourceNotFoundException")
    stubbed("rolesanywhere").add_client_error("get_profile", "ResourceNotFoundException")
    stubbed("ssm").add_response("describe_activations", {"ActivationList": []})
    reader.access_entry("edge-prod", "arn:aws:iam::123456789012:role/r")
    reader.trust_anchor("arn:aws:rolesanywhere:us-west-2:123456789012:trust-anchor/0f1e2d3c")
    reader.roles_anywhere_profile("arn:aws:rolesanywhere:us-west-2:123456789012:profile/1a2b3c4d")
    reader.activation("3b9a6e2e-0d1c-4f5a-9b8e-7c6d5e4f3a2b")

    assert sorted(set(aws.operations) | set(reader.operations)) == ALLOWED


def test_parliament_knows_every_action() -> None:
    policy = parliament.analyze_policy_string(json.dumps(POLICY))
    assert [(f.issue, f.detail) for f in policy.findings if f.issue != "RESOURCE_STAR"] == []
    assert all(a.split(":")[1].startswith(("Describe", "Get", "List", "Search")) for a in ALLOWED)
