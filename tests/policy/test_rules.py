"""Each policy rule with a case that passes and a case that fails."""

from __future__ import annotations

import importlib
import inspect
import json
from typing import Any

import pytest

from eks_hybrid.policy import rules
from eks_hybrid.policy.rules import Resource

CLUSTER = "aws:eks/cluster:Cluster"


def cluster(**inputs: Any) -> Resource:
    base: dict[str, Any] = {
        "accessConfig": {"authenticationMode": "API"},
        "vpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": False},
        "remoteNetworkConfig": {
            "remoteNodeNetworks": {"cidrs": ["10.200.0.0/16"]},
            "remotePodNetworks": {"cidrs": ["192.168.0.0/16"]},
        },
        "tags": {"eks-hybrid:hub": "edge"},
    }
    return Resource(CLUSTER, "urn:pulumi:s::p::aws:eks/cluster:Cluster::c", {**base, **inputs})


def names(violations: list[rules.Violation]) -> list[str]:
    return [v.rule for v in violations]


def test_remote_cidrs_private():
    assert rules.remote_cidrs_private(cluster()) == []
    cgnat = {"remoteNodeNetworks": {"cidrs": ["100.64.0.0/16"]}, "remotePodNetworks": {"cidrs": []}}
    assert rules.remote_cidrs_private(cluster(remoteNetworkConfig=cgnat)) == []
    public = {
        "remoteNodeNetworks": [{"cidrs": ["8.8.0.0/16"]}],
        "remotePodNetworks": [{"cidrs": ["10.1.0.0/16"]}],
    }
    [violation] = rules.remote_cidrs_private(cluster(remoteNetworkConfig=public))
    assert "8.8.0.0/16" in violation.message


def test_remote_cidrs_disjoint():
    assert rules.remote_cidrs_disjoint(cluster()) == []
    overlapping = {
        "remoteNodeNetworks": {"cidrs": ["10.200.0.0/16"]},
        "remotePodNetworks": {"cidrs": ["10.200.128.0/17"]},
    }
    [violation] = rules.remote_cidrs_disjoint(cluster(remoteNetworkConfig=overlapping))
    assert "node network 10.200.0.0/16 overlaps remote pod network 10.200.128.0/17" in violation.message
    service = {"ipFamily": "ipv4", "serviceIpv4Cidr": "192.168.0.0/24"}
    [violation] = rules.remote_cidrs_disjoint(cluster(kubernetesNetworkConfig=service))
    assert violation.message == "remote pod network 192.168.0.0/16 overlaps service network 192.168.0.0/24"


def test_endpoint_not_public_and_private():
    assert rules.endpoint_not_public_and_private(cluster()) == []
    both = {"endpointPrivateAccess": True, "endpointPublicAccess": True}
    assert names(rules.endpoint_not_public_and_private(cluster(vpcConfig=both))) == [
        "endpoint-not-public-and-private"
    ]
    default_public = {"endpointPrivateAccess": True}  # the provider defaults endpointPublicAccess to true
    assert rules.endpoint_not_public_and_private(cluster(vpcConfig=default_public))


def test_public_endpoint_restricted():
    office = {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}
    assert rules.public_endpoint_restricted(cluster(vpcConfig=office)) == []
    open_world = {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}
    assert names(rules.public_endpoint_restricted(cluster(vpcConfig=open_world))) == [
        "public-endpoint-restricted"
    ]
    assert rules.public_endpoint_restricted(cluster(vpcConfig=open_world), allow_open=True) == []
    implicit = {"endpointPublicAccess": True}
    [violation] = rules.public_endpoint_restricted(cluster(vpcConfig=implicit), allow_open=True)
    assert "no publicAccessCidrs" in violation.message


def test_authentication_mode_not_config_map():
    assert rules.authentication_mode_not_config_map(cluster()) == []
    assert (
        rules.authentication_mode_not_config_map(
            cluster(accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
        )
        == []
    )
    assert names(
        rules.authentication_mode_not_config_map(cluster(accessConfig={"authenticationMode": "CONFIG_MAP"}))
    )
    assert names(rules.authentication_mode_not_config_map(cluster(accessConfig={})))


def iam(type_token: str, key: str, *statements: dict[str, Any]) -> Resource:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return Resource(type_token, f"urn:pulumi:s::p::{type_token}::x", {key: document})


def test_no_wildcard_iam_action():
    good = {"Effect": "Allow", "Action": ["eks:DescribeCluster"], "Resource": "*"}
    assert rules.no_wildcard_iam_action(iam("aws:iam/rolePolicy:RolePolicy", "policy", good)) == []
    deny_all = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    assert rules.no_wildcard_iam_action(iam("aws:iam/rolePolicy:RolePolicy", "policy", deny_all)) == []
    star = {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}
    [violation] = rules.no_wildcard_iam_action(iam("aws:iam/rolePolicy:RolePolicy", "policy", star))
    assert "statement All allows *" in violation.message
    service = {"Effect": "Allow", "Action": ["ssm:*"], "Resource": "*"}
    assert names(rules.no_wildcard_iam_action(iam("aws:iam/role:Role", "assumeRolePolicy", service)))
    not_action = {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}
    assert names(rules.no_wildcard_iam_action(iam("aws:iam/policy:Policy", "policy", not_action)))


def test_the_rules_tags_are_the_librarys() -> None:
    """The rules module stays standard-library only (the pack's virtualenv), so it repeats these names."""
    from eks_hybrid.components import ownership

    assert rules.OWNER_TAGS == ownership.OWNER_TAGS
    assert (rules.NODE_CIDR_TAG, rules.POD_CIDR_TAG) == (ownership.NODE_CIDR_TAG, ownership.POD_CIDR_TAG)


def test_owner_tagged():
    assert rules.owner_tagged(cluster()) == []
    site = Resource("aws:ec2/vpnConnection:VpnConnection", "u", {"tags": {"eks-hybrid:site": "dallas"}})
    assert rules.owner_tagged(site) == []
    [violation] = rules.owner_tagged(cluster(tags={"environment": "prod"}))
    assert violation.level == "advisory"
    assert rules.owner_tagged(Resource("aws:ec2/route:Route", "u", {})) == []  # takes no tags


def test_taggable_types_are_exactly_the_pulumi_aws_classes_that_take_tags():
    for type_token in rules.TAGGABLE_TYPES:
        module, kind = type_token.split(":")[1].split("/")[0], type_token.rsplit(":", 1)[-1]
        resource_class = getattr(importlib.import_module(f"pulumi_aws.{module}"), kind)
        assert "tags" in inspect.signature(resource_class._internal_init).parameters, type_token


def route(table: str, cidr: str) -> Resource:
    return Resource(
        rules.VPC_ROUTE, f"urn:route:{table}:{cidr}", {"routeTableId": table, "destinationCidrBlock": cidr}
    )


def test_vpc_routes_cover_remote_networks():
    covered = [cluster(), route("rtb-1", "10.200.0.0/16"), route("rtb-1", "192.168.0.0/16")]
    assert rules.vpc_routes_cover_remote_networks(covered) == []
    aggregate = [cluster(), route("rtb-1", "10.0.0.0/8"), route("rtb-1", "192.168.0.0/16")]
    assert rules.vpc_routes_cover_remote_networks(aggregate) == []
    missing = [*covered, route("rtb-2", "10.200.0.0/16")]
    [violation] = rules.vpc_routes_cover_remote_networks(missing)
    assert "route table rtb-2 has no route for remote network 192.168.0.0/16" in violation.message
    assert rules.vpc_routes_cover_remote_networks(missing, routed_elsewhere=["192.168.0.0/16"]) == []
    propagated = [
        *missing,
        Resource(rules.VGW_PROPAGATION, "p", {"routeTableId": "rtb-2", "vpnGatewayId": "vgw"}),
    ]
    assert rules.vpc_routes_cover_remote_networks(propagated) == []


def vpn(static: bool, *routes: str) -> list[Resource]:
    tags = {rules.NODE_CIDR_TAG: "10.200.0.0/16", rules.POD_CIDR_TAG: "192.168.0.0/16"}
    parent = "urn:site"
    connection = Resource(rules.VPN_CONNECTION, "urn:vpn", {"staticRoutesOnly": static, "tags": tags}, parent)
    return [connection] + [
        Resource(rules.TGW_ROUTE, f"urn:r:{cidr}", {"destinationCidrBlock": cidr}, parent) for cidr in routes
    ]


def test_vpn_static_routes_cover_site():
    assert rules.vpn_static_routes_cover_site(vpn(True, "10.200.0.0/16", "192.168.0.0/16")) == []
    assert rules.vpn_static_routes_cover_site(vpn(False)) == []  # BGP: the router advertises them
    [violation] = rules.vpn_static_routes_cover_site(vpn(True, "10.200.0.0/16"))
    assert "no static route for 192.168.0.0/16" in violation.message
    assert rules.vpn_static_routes_cover_site(vpn(True, "10.200.0.0/16"), site_cidrs=["10.200.0.0/16"]) == []


@pytest.mark.parametrize("rule", rules.RESOURCE_RULES)
def test_resource_rules_ignore_other_types(rule):
    assert rule(Resource("aws:ec2/route:Route", "u", {"destinationCidrBlock": "8.8.8.8/32"})) == []


def test_control_plane_one_minor_judges_from_the_stacks_own_previous_outputs() -> None:
    def reference(stack: str, name: str, deployed: str | None) -> Resource:
        outputs = {"kubernetesVersion": deployed} if deployed else {}
        return Resource(
            "pulumi:pulumi:StackReference",
            f"urn:pulumi:{stack}::p::pulumi:pulumi:StackReference::eks-hybrid-previous-outputs",
            {"name": name, "outputs": outputs},
        )

    def hub(version: str) -> Resource:
        return Resource(CLUSTER, "urn:pulumi:s::p::aws:eks/cluster:Cluster::c", {"version": version})

    one_up = [reference("s", "organization/p/s", "1.34"), hub("1.35")]
    assert rules.control_plane_one_minor(one_up) == []
    two_up = [reference("s", "organization/p/s", "1.33"), hub("1.35")]
    assert names(rules.control_plane_one_minor(two_up)) == ["control-plane-one-minor"]
    assert names(rules.check_resources(two_up)).count("control-plane-one-minor") == 1
    down = [reference("s", "s", "1.35"), hub("1.34")]
    assert "cannot downgrade" in rules.control_plane_one_minor(down)[0].message
    # A first deploy (no earlier output) and another stack's outputs (a site's hub) do not constrain it.
    assert rules.control_plane_one_minor([reference("s", "s", None), hub("1.35")]) == []
    assert rules.control_plane_one_minor([reference("s", "other/p/hub", "1.30"), hub("1.35")]) == []
