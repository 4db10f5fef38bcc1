"""Type tokens and child names are public API: every resource the example stacks had under 0.1 keeps its
URN, or is renamed with an alias to it, so `pulumi up` with this version moves nothing.

`urns-0.1.0.json` was written from main@55424ab (0.1.0) before the library API changed, by
`eks-hybrid plan -s <stack> --offline-secrets --format json` per example stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid.components.composition.previous_outputs import PREVIOUS_OUTPUTS
from eks_hybrid.offline.recording import RecordedResource
from eks_hybrid.planner import Planner
from tests.conftest import copy_examples

BEFORE = json.loads((Path(__file__).parent / "urns-0.1.0.json").read_text())["stacks"]
# Resources that are new in 0.2 (not renames), by type and name, with why.
NEW_IN_0_2 = {
    # The SSM activation's expiry counts from this offset's creation time, kept in state, so that a plan
    # never depends on the clock (CHANGELOG 0.2.0).
    ("time:index/offset:Offset", "edge-lab-node-identity-activation-expiry"),
    # The opt-in post-deploy step (`eks-hybrid:verify`), on in the stacks planned here: a component named
    # like the stack's other top-level components and its command.
    ("eks-hybrid:verify:PostDeployVerify", "edge-prod"),
    ("command:local:Command", "edge-prod-verify"),
    ("eks-hybrid:verify:PostDeployVerify", "dallas"),
    ("command:local:Command", "dallas-verify"),
    # The hub applies each site's Cilium BGP peering with its router: the examples turn it on
    # for denver (example-hub, Cilium 1.18: cilium.io/v2) and both sites of example-hub-ssm (1.17: v2alpha1).
    *(
        (kind, f"{hub}-cilium-bgp{child}")
        for hub, version, sites in (
            ("edge-prod", "v2", ("denver",)),
            ("edge-lab", "v2alpha1", ("austin", "seattle")),
        )
        for kind, child in (
            ("eks-hybrid:cni:CiliumBgpPeering", ""),
            (f"kubernetes:cilium.io/{version}:CiliumBGPPeerConfig", "-peer-config"),
            (f"kubernetes:cilium.io/{version}:CiliumBGPAdvertisement", "-advertisement"),
            *(
                (f"kubernetes:cilium.io/{version}:CiliumBGPClusterConfig", f"-{site}-cluster-config")
                for site in sites
            ),
        )
    ),
    # example-hub-ssm runs Cilium's operator on hybrid nodes (cluster-pool + BGP, as AWS supports it), so
    # site austin declares its own BGP objects, per-site names, through its own Kubernetes provider, behind
    # its own wait for the CRDs (`eks-hybrid:cilium.operatorPlacement: cloud` keeps the hub's objects above).
    ("pulumi:providers:kubernetes", "austin-k8s"),
    ("pulumi-python:dynamic:Resource", "austin-cilium-crds"),
    ("eks-hybrid:cni:CiliumBgpPeering", "austin-cilium-bgp"),
    *(
        (f"kubernetes:cilium.io/v2alpha1:{kind}", f"austin-cilium-bgp-austin-{child}")
        for kind, child in (
            ("CiliumBGPPeerConfig", "peer-config"),
            ("CiliumBGPAdvertisement", "advertisement"),
            ("CiliumBGPClusterConfig", "cluster-config"),
        )
    ),
    # The wait for Cilium's CRDs to be Established, before the pools and BGP objects (both hubs).
    ("pulumi-python:dynamic:Resource", "edge-prod-cilium-crds"),
    ("pulumi-python:dynamic:Resource", "edge-lab-cilium-crds"),
    # The identity router/pod-routes.sh reads CiliumNodes with (example-hub's dallas and chicago).
    ("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "edge-prod-pod-routes-role"),
    ("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "edge-prod-pod-routes-binding"),
    ("aws:eks/accessEntry:AccessEntry", "edge-prod-pod-routes"),
    # The deployer's access to example-hub's private endpoint (eks-hybrid:cluster.apiAccess).
    (
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "edge-prod-ingress-443-from-api-10.100.8.0-24",
    ),
}
NEW_IN_0_2 |= {
    # The hub's read of its own previous outputs (a StackReference to itself), which upgrades are judged by.
    ("pulumi:pulumi:StackReference", PREVIOUS_OUTPUTS),
}
NEW_IN_0_2 |= {
    # The cloud nodes' DNS group with its rules and the launch template that puts it (and the cluster
    # security group) on them, so the cluster security group has room for 15 sites.
    (kind, f"{hub}{suffix}")
    for hub in ("edge-prod", "edge-lab")
    for kind, suffix in (
        ("aws:ec2/launchTemplate:LaunchTemplate", "-cloud-nodes-template"),
        ("aws:ec2/securityGroup:SecurityGroup", "-dns"),
    )
}
NEW_IN_0_2 |= {
    (
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        f"{hub}-dns-ingress-53{udp}-from-{role}-{site}",
    )
    for hub, role, sites in (
        ("edge-prod", "pod", ("chicago", "dallas", "denver")),
        ("edge-lab", "node", ("austin", "seattle")),
    )
    for site in sites
    for udp in ("", "-udp")
}
NEW_IN_0_2 |= {
    # Each hub reads its own previous update's outputs (composition/previous_outputs.py) to judge a Cilium
    # upgrade against what it deployed: a read, named alike in every stack.
    ("pulumi:pulumi:StackReference", "eks-hybrid-previous-outputs"),
}
# Stacks planned with the opt-in post-deploy step on, so its URNs are pinned too.
WITH_VERIFY = ("example-hub", "example-dallas")


def _verify_after_deploy(config: dict[str, Any]) -> None:
    config["eks-hybrid:verify"] = True


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[RecordedResource, ...]]:
    stacks = copy_examples(
        tmp_path_factory.mktemp("urns"), {stack: _verify_after_deploy for stack in WITH_VERIFY}
    )
    planner = Planner(stacks, offline_secrets=True)
    return {stack: planner.plan(stack).run.resources for stack in BEFORE}


@pytest.mark.parametrize("stack", sorted(BEFORE))
def test_every_urn_of_0_1_is_kept_or_aliased(plans, stack):
    resources = plans[stack]
    current = {r.urn for r in resources}
    aliased = {alias: r.urn for r in resources for alias in r.aliases}
    lost = [urn for urn in BEFORE[stack] if urn not in current and urn not in aliased]
    assert lost == []
    # A resource the 0.1 plan did not have is new only by name: it carries the alias of its old name.
    added = [
        r.urn
        for r in resources
        if r.urn not in BEFORE[stack]
        and not set(r.aliases) & set(BEFORE[stack])
        and (r.type, r.name) not in NEW_IN_0_2
    ]
    assert added == []


def test_the_post_deploy_steps_urns(plans):
    # Type tokens and child names are public API: the step's, pinned.
    def urns(stack: str) -> list[str]:
        return sorted(r.urn for r in plans[stack] if "verify" in r.type or r.type.startswith("command:"))

    assert urns("example-hub") == [
        "urn:pulumi:example-hub::eks-hybrid::eks-hybrid:verify:PostDeployVerify$command:local:Command::"
        "edge-prod-verify",
        "urn:pulumi:example-hub::eks-hybrid::eks-hybrid:verify:PostDeployVerify::edge-prod",
    ]
    assert urns("example-dallas") == [
        "urn:pulumi:example-dallas::eks-hybrid::eks-hybrid:verify:PostDeployVerify$command:local:Command::"
        "dallas-verify",
        "urn:pulumi:example-dallas::eks-hybrid::eks-hybrid:verify:PostDeployVerify::dallas",
    ]
    assert urns("example-chicago") == []


@pytest.mark.parametrize("stack", sorted(BEFORE))
def test_aliases_never_point_at_a_live_resource_or_at_the_same_urn_twice(plans, stack):
    resources = plans[stack]
    current = {r.urn for r in resources}
    aliases = [alias for r in resources for alias in r.aliases]
    assert not set(aliases) & current
    assert len(aliases) == len(set(aliases))


def _renamed(resource: RecordedResource) -> bool:
    """An alias of ours: not one of those pulumi-kubernetes gives every RBAC object, to the same name at
    the kind's older API versions (`rbac.authorization.k8s.io/v1alpha1`, `v1beta1`)."""
    kind = resource.type.rsplit(":", 1)[-1]
    group = resource.type.split(":")[1].rsplit("/", 1)[0]
    older = {f"kubernetes:{group}/{version}:{kind}" for version in ("v1alpha1", "v1beta1")}

    def sdk_alias(alias: str) -> bool:
        types, name = alias.rsplit("::", 1)
        return name == resource.name and types.rsplit("::", 1)[-1].rsplit("$", 1)[-1] in older

    return any(not sdk_alias(alias) for alias in resource.aliases)


def test_the_renames_are_the_deliberate_ones(plans):
    # 0.2.0 names routes and security group rules by the keys the caller gives (route table, site or
    # aggregate, role), no longer by ids and CIDRs that may be Outputs; nothing else was renamed.
    # Since then, a site's pool no longer says the site twice (`dallas-workers`, was `dallas-dallas-workers`).
    renamed = {stack: sorted(r.name for r in resources if _renamed(r)) for stack, resources in plans.items()}
    assert renamed["example-dallas"] == ["dallas-tgw-route-node", "dallas-tgw-route-pod", "dallas-workers"]
    assert renamed["example-chicago"] == [
        "chicago-vpn-route-node",
        "chicago-vpn-route-pod",
        "chicago-workers",
    ]
    assert renamed["example-austin"] == ["austin-arm", "austin-workers"]
    assert "edge-prod-tgw-route-vpc" in renamed["example-hub"]
    assert "edge-prod-ingress-443-from-node-dallas" in renamed["example-hub"]
    assert "edge-prod-route-rtb-0a1b2c3d4e5f60001-dallas-pod" in renamed["example-hub"]
    assert sum(len(names) for names in renamed.values()) == 17 + 11 + 2 + 2 + 4 + 5
    for resources in plans.values():
        for r in resources:
            if _renamed(r):
                assert r.type in {
                    "pulumi-python:dynamic:Resource",
                    "aws:ec2/route:Route",
                    "aws:ec2transitgateway/route:Route",
                    "aws:ec2/vpnConnectionRoute:VpnConnectionRoute",
                    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                }


def test_the_check_sees_a_rename_without_an_alias(plans):
    resources = plans["example-dallas"]
    current = {r.urn for r in resources}
    lost = [urn for urn in BEFORE["example-dallas"] if urn not in current]
    assert sorted(urn.rsplit("::", 1)[1] for urn in lost) == [
        "dallas-dallas-workers",
        "dallas-tgw-route-10.200.0.0-16",
        "dallas-tgw-route-192.168.0.0-16",
    ]
