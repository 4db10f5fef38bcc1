"""`docs/aws-deployer-policy.json`: what the identity running `pulumi up` needs, for every AWS resource
and data source the stacks use, and nothing AWS does not know.

Per resource type, the actions are those the AWS provider (terraform-provider-aws, under pulumi-aws)
calls to create, read, update, tag and delete it; `parliament` checks every action and condition key
against AWS's own service definitions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import parliament
import pytest

from eks_hybrid.planner import StackPlan

from .conftest import REPO

POLICY = json.loads((REPO / "docs" / "aws-deployer-policy.json").read_text())

_TAGS = ("ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags")
_ROLE_READ = ("iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies")

ACTIONS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "aws:ec2transitgateway/transitGateway:TransitGateway": (
        "ec2:CreateTransitGateway",
        "ec2:DescribeTransitGateways",
        "ec2:ModifyTransitGateway",
        "ec2:DeleteTransitGateway",
        "iam:CreateServiceLinkedRole",  # AWSServiceRoleForVPCTransitGateway, on the first attachment
        *_TAGS,
    ),
    "aws:ec2transitgateway/routeTable:RouteTable": (
        "ec2:CreateTransitGatewayRouteTable",
        "ec2:DescribeTransitGatewayRouteTables",
        "ec2:DeleteTransitGatewayRouteTable",
        *_TAGS,
    ),
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": (
        "ec2:CreateTransitGatewayVpcAttachment",
        "ec2:DescribeTransitGatewayVpcAttachments",
        "ec2:ModifyTransitGatewayVpcAttachment",
        "ec2:DeleteTransitGatewayVpcAttachment",
        "ec2:DescribeTransitGateways",
        *_TAGS,
    ),
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": (
        "ec2:AssociateTransitGatewayRouteTable",
        "ec2:DisassociateTransitGatewayRouteTable",
        "ec2:GetTransitGatewayRouteTableAssociations",
        "ec2:DescribeTransitGatewayAttachments",
    ),
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": (
        "ec2:EnableTransitGatewayRouteTablePropagation",
        "ec2:DisableTransitGatewayRouteTablePropagation",
        "ec2:GetTransitGatewayRouteTablePropagations",
        "ec2:DescribeTransitGatewayAttachments",
    ),
    "aws:ec2transitgateway/route:Route": (
        "ec2:CreateTransitGatewayRoute",
        "ec2:DeleteTransitGatewayRoute",
        "ec2:SearchTransitGatewayRoutes",
    ),
    "aws:ec2/route:Route": (
        "ec2:CreateRoute",
        "ec2:ReplaceRoute",
        "ec2:DeleteRoute",
        "ec2:DescribeRouteTables",
    ),
    "aws:ec2/vpnGateway:VpnGateway": (
        "ec2:CreateVpnGateway",
        "ec2:DescribeVpnGateways",
        "ec2:DeleteVpnGateway",
        *_TAGS,
    ),
    "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment": (
        "ec2:AttachVpnGateway",
        "ec2:DetachVpnGateway",
        "ec2:DescribeVpnGateways",
    ),
    "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation": (
        "ec2:EnableVgwRoutePropagation",
        "ec2:DisableVgwRoutePropagation",
        "ec2:DescribeRouteTables",
    ),
    "aws:ec2/customerGateway:CustomerGateway": (
        "ec2:CreateCustomerGateway",
        "ec2:DescribeCustomerGateways",
        "ec2:DeleteCustomerGateway",
        *_TAGS,
    ),
    "aws:ec2/vpnConnection:VpnConnection": (
        "ec2:CreateVpnConnection",
        "ec2:DescribeVpnConnections",
        "ec2:ModifyVpnConnection",
        "ec2:ModifyVpnConnectionOptions",
        "ec2:ModifyVpnTunnelOptions",
        "ec2:DeleteVpnConnection",
        "ec2:DescribeTransitGatewayAttachments",
        *_TAGS,
    ),
    "aws:ec2/vpnConnectionRoute:VpnConnectionRoute": (
        "ec2:CreateVpnConnectionRoute",
        "ec2:DeleteVpnConnectionRoute",
        "ec2:DescribeVpnConnections",
    ),
    "aws:directconnect/gatewayAssociation:GatewayAssociation": (
        "directconnect:CreateDirectConnectGatewayAssociation",
        "directconnect:DescribeDirectConnectGatewayAssociations",
        "directconnect:UpdateDirectConnectGatewayAssociation",
        "directconnect:DeleteDirectConnectGatewayAssociation",
        "directconnect:DescribeDirectConnectGateways",
        "ec2:DescribeVpnGateways",
    ),
    # The cloud nodes' DNS group: the provider revokes the egress rule AWS adds to a new group, and waits
    # for network interfaces to let go of it before deleting it.
    "aws:ec2/securityGroup:SecurityGroup": (
        "ec2:CreateSecurityGroup",
        "ec2:DescribeSecurityGroups",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteSecurityGroup",
        *_TAGS,
    ),
    # The cloud node group's launch template (its security groups and disk).
    "aws:ec2/launchTemplate:LaunchTemplate": (
        "ec2:CreateLaunchTemplate",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:ModifyLaunchTemplate",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DeleteLaunchTemplate",
        *_TAGS,
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "ec2:DescribeSecurityGroups",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:ModifySecurityGroupRules",
        "ec2:DescribeSecurityGroupRules",
        *_TAGS,
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "ec2:DescribeSecurityGroups",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:ModifySecurityGroupRules",
        "ec2:DescribeSecurityGroupRules",
        *_TAGS,
    ),
    "aws:eks/cluster:Cluster": (
        "eks:CreateCluster",
        "eks:DescribeCluster",
        "eks:UpdateClusterConfig",
        "eks:UpdateClusterVersion",
        "eks:DescribeUpdate",
        "eks:DeleteCluster",
        "eks:TagResource",
        "eks:UntagResource",
        "eks:ListTagsForResource",
        "iam:PassRole",  # the cluster role, to eks.amazonaws.com
        "iam:CreateServiceLinkedRole",  # AWSServiceRoleForAmazonEKS
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        "eks:CreateNodegroup",
        "eks:DescribeNodegroup",
        "eks:UpdateNodegroupConfig",
        "eks:UpdateNodegroupVersion",
        "eks:DescribeUpdate",
        "eks:DeleteNodegroup",
        "eks:TagResource",
        "iam:PassRole",  # the node role, to eks.amazonaws.com
        "iam:CreateServiceLinkedRole",  # AWSServiceRoleForAmazonEKSNodegroup
        "iam:GetRole",
        # EKS reads the launch template with the caller's permissions (inferred: AWS's managed node group
        # pages name only RunInstances and CreateTags, for templates with TagSpecification, not used here).
        "ec2:DescribeLaunchTemplateVersions",
    ),
    "aws:eks/accessEntry:AccessEntry": (
        "eks:CreateAccessEntry",
        "eks:DescribeAccessEntry",
        "eks:UpdateAccessEntry",
        "eks:DeleteAccessEntry",
        "eks:ListAccessEntries",
        "eks:ListAssociatedAccessPolicies",
        "eks:TagResource",
    ),
    "aws:iam/role:Role": (
        "iam:CreateRole",
        "iam:UpdateRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:ListInstanceProfilesForRole",
        *_ROLE_READ,
    ),
    "aws:iam/rolePolicy:RolePolicy": ("iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListAttachedRolePolicies",
    ),
    "aws:rolesanywhere/trustAnchor:TrustAnchor": (
        "rolesanywhere:CreateTrustAnchor",
        "rolesanywhere:GetTrustAnchor",
        "rolesanywhere:UpdateTrustAnchor",
        "rolesanywhere:EnableTrustAnchor",
        "rolesanywhere:DisableTrustAnchor",
        "rolesanywhere:DeleteTrustAnchor",
        "rolesanywhere:TagResource",
        "rolesanywhere:UntagResource",
        "rolesanywhere:ListTagsForResource",
    ),
    "aws:rolesanywhere/profile:Profile": (
        "rolesanywhere:CreateProfile",
        "rolesanywhere:GetProfile",
        "rolesanywhere:UpdateProfile",
        "rolesanywhere:EnableProfile",
        "rolesanywhere:DisableProfile",
        "rolesanywhere:DeleteProfile",
        "rolesanywhere:TagResource",
        "rolesanywhere:ListTagsForResource",
        "iam:PassRole",  # the hybrid node role, to rolesanywhere.amazonaws.com
    ),
    "aws:ssm/activation:Activation": (
        "ssm:CreateActivation",
        "ssm:DescribeActivations",
        "ssm:DeleteActivation",
        "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource",
        "ssm:ListTagsForResource",
        "iam:PassRole",  # the hybrid node role, to ssm.amazonaws.com
    ),
    # Data sources (invokes).
    "aws:index/getCallerIdentity:getCallerIdentity": ("sts:GetCallerIdentity",),
    "aws:index/getPartition:getPartition": (),
    "aws:index/getRegion:getRegion": (),
    "aws:eks/getCluster:getCluster": ("eks:DescribeCluster",),  # cluster.mode: existing
    # A public endpoint limited to some ranges: the VPC's NAT gateways, against cloudEgressCidrs.
    "aws:ec2/getNatGateways:getNatGateways": ("ec2:DescribeNatGateways",),
    "aws:ec2/getNatGateway:getNatGateway": ("ec2:DescribeNatGateways",),
}


def _allowed() -> dict[str, list[dict]]:
    by_action: dict[str, list[dict]] = {}
    for statement in POLICY["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            by_action.setdefault(action, []).append(statement)
    return by_action


@pytest.fixture(scope="module")
def declared_types(example_plans: Mapping[str, StackPlan]) -> set[str]:
    names = ("example-hub", "example-hub-ssm", "example-dallas", "example-chicago", "example-denver")
    return {r.type for name in names for r in example_plans[name].run.resources if r.type.startswith("aws:")}


def test_every_aws_type_the_examples_declare_is_mapped(declared_types):
    unmapped = sorted(declared_types - set(ACTIONS_BY_TYPE))
    assert unmapped == [], "add the type's actions here and to docs/aws-deployer-policy.json"


def test_the_policy_allows_every_mapped_action():
    allowed = _allowed()
    missing = sorted({a for actions in ACTIONS_BY_TYPE.values() for a in actions} - set(allowed))
    assert missing == []


def test_the_policy_allows_nothing_unmapped():
    used = {a for actions in ACTIONS_BY_TYPE.values() for a in actions}
    extra = sorted(set(_allowed()) - used)
    assert extra == [], "an action no resource needs"


def test_roles_are_passed_only_to_their_services():
    [statement] = _allowed()["iam:PassRole"]
    services = statement["Condition"]["StringEquals"]["iam:PassedToService"]
    assert sorted(services) == ["eks.amazonaws.com", "rolesanywhere.amazonaws.com", "ssm.amazonaws.com"]
    [linked] = _allowed()["iam:CreateServiceLinkedRole"]
    names = linked["Condition"]["StringEquals"]["iam:AWSServiceName"]
    assert sorted(names) == [
        "eks-nodegroup.amazonaws.com",
        "eks.amazonaws.com",
        "transitgateway.amazonaws.com",
    ]


def test_parliament_knows_every_action_and_condition():
    policy = parliament.analyze_policy_string(json.dumps(POLICY))
    # RESOURCE_STAR only: AWS generates the ids (tgw-..., vpn-..., trust anchor UUIDs) at creation.
    assert [(f.issue, f.detail) for f in policy.findings if f.issue != "RESOURCE_STAR"] == []
