"""The CrossGuard pack wraps the same rules; its validate functions run on hand-built arguments."""

from __future__ import annotations

import sys

import pytest
import yaml
from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..conftest import REPO

POLICY = REPO / "policy"


@pytest.fixture(scope="module")
def pack():
    sys.path.insert(0, str(POLICY))
    try:
        import pack as module  # policy/pack.py: the policies, without the PolicyPack that serves them
    finally:
        sys.path.remove(str(POLICY))
    return module


def args(type_token: str, props: dict, config: dict | None = None) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        type_token, props, f"urn:pulumi:s::p::{type_token}::x", "x", None, None, config
    )


def run(policy, validation_args) -> list[str]:
    reported: list[str] = []
    policy.validate(validation_args, lambda message, urn=None: reported.append(message))
    return reported


def test_the_pack_folder():
    project = yaml.safe_load((POLICY / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert "pulumi-policy==1.21.0" in (POLICY / "requirements.txt").read_text()
    main = (POLICY / "__main__.py").read_text()
    assert "PolicyPack(" in main and "PolicyPack(" not in (POLICY / "pack.py").read_text().split('"""', 2)[2]


def test_every_rule_is_a_policy(pack):
    policies = {p.name: p for p in pack.policies()}
    assert set(policies) == {
        "remote-cidrs-private",
        "remote-cidrs-disjoint",
        "endpoint-not-public-and-private",
        "authentication-mode-not-config-map",
        "no-wildcard-iam-action",
        "owner-tagged",
        "public-endpoint-restricted",
        "vpc-routes-cover-remote-networks",
        "vpn-static-routes-cover-site",
        "control-plane-one-minor",
    }
    assert policies["owner-tagged"].enforcement_level == EnforcementLevel.ADVISORY
    assert policies["remote-cidrs-private"].enforcement_level == EnforcementLevel.MANDATORY


def test_resource_policies_report_through_crossguard(pack):
    policies = {p.name: p for p in pack.policies()}
    cluster = "aws:eks/cluster:Cluster"
    assert (
        run(
            policies["authentication-mode-not-config-map"],
            args(cluster, {"accessConfig": {"authenticationMode": "API"}}),
        )
        == []
    )
    assert run(
        policies["authentication-mode-not-config-map"],
        args(cluster, {"accessConfig": {"authenticationMode": "CONFIG_MAP"}}),
    )
    open_world = {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}}
    assert run(policies["public-endpoint-restricted"], args(cluster, open_world))
    assert (
        run(
            policies["public-endpoint-restricted"],
            args(cluster, open_world, {"allowOpenPublicEndpoint": True}),
        )
        == []
    )


def test_stack_policies_report_through_crossguard(pack):
    from pulumi_policy import PolicyResource, PolicyResourceOptions

    def resource(type_token: str, props: dict) -> PolicyResource:
        options = PolicyResourceOptions(False, [], False, [], None, [])  # type: ignore[arg-type]
        return PolicyResource(
            type_token, props, f"urn:{type_token}:{props}", "x", options, None, None, [], {}
        )

    cluster = resource(
        "aws:eks/cluster:Cluster",
        {
            "remoteNetworkConfig": {
                "remoteNodeNetworks": {"cidrs": ["10.200.0.0/16"]},
                "remotePodNetworks": {"cidrs": []},
            }
        },
    )
    routed = resource(
        "aws:ec2/route:Route", {"routeTableId": "rtb-1", "destinationCidrBlock": "10.200.0.0/16"}
    )
    unrouted = resource(
        "aws:ec2/route:Route", {"routeTableId": "rtb-2", "destinationCidrBlock": "10.9.0.0/16"}
    )
    policy = next(p for p in pack.policies() if p.name == "vpc-routes-cover-remote-networks")
    assert run(policy, StackValidationArgs([cluster, routed])) == []
    assert run(policy, StackValidationArgs([cluster, routed, unrouted]))
    assert (
        run(policy, StackValidationArgs([cluster, routed, unrouted], {"siteRoutedCidrs": ["10.200.0.0/16"]}))
        == []
    )


def test_the_control_plane_policy_reads_the_hubs_own_previous_outputs(pack):
    from pulumi_policy import PolicyResource, PolicyResourceOptions

    options = PolicyResourceOptions(False, [], False, [], None, [])  # type: ignore[arg-type]
    prefix = "urn:pulumi:example-hub::eks-hybrid::"

    def stack(deployed: str, requested: str) -> StackValidationArgs:
        reference = PolicyResource(
            "pulumi:pulumi:StackReference",
            {"name": "organization/eks-hybrid/example-hub", "outputs": {"kubernetesVersion": deployed}},
            f"{prefix}pulumi:pulumi:StackReference::eks-hybrid-previous-outputs",
            "eks-hybrid-previous-outputs",
            options,
            None,
            None,
            [],
            {},
        )
        cluster = PolicyResource(
            "aws:eks/cluster:Cluster",
            {"version": requested},
            f"{prefix}aws:eks/cluster:Cluster::edge-prod-eks",
            "edge-prod-eks",
            options,
            None,
            None,
            [],
            {},
        )
        return StackValidationArgs([reference, cluster])

    policy = next(p for p in pack.policies() if p.name == "control-plane-one-minor")
    assert run(policy, stack("1.34", "1.35")) == []
    [message] = run(policy, stack("1.33", "1.35"))
    assert "EKS updates one minor version at a time" in str(message)
    assert run(policy, stack("1.35", "1.34"))
