"""AWS's support boundary in the plan output, and the identity router/pod-routes.sh reads CiliumNodes with:
a ClusterRole limited to reading ciliumnodes, bound to a group, and an EKS access entry mapping the
configured principal to it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid.components.cni.pod_routes_access import access_entry_command
from eks_hybrid.components.cni.values import aws_support_notes, cilium_values, operator_placement
from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain.labels import POD_ROUTES_CLUSTER_ROLE, POD_ROUTES_GROUP
from eks_hybrid.components.errors import RuleError
from eks_hybrid.components.onprem.bundle import render_site
from eks_hybrid.components.onprem.pod_routes import pod_routes_script
from eks_hybrid.planner import Planner
from tests.conftest import copy_examples
from tests.onprem.sites import static_site

PRINCIPAL = "arn:aws:iam::123456789012:role/edge-prod-pod-routes"
SUPPORT = f"[{Code.CILIUM_OUTSIDE_AWS_SUPPORT}]"


def _without_principal(config: dict[str, Any]) -> None:
    del config["eks-hybrid:cilium"]["podRoutesPrincipalArn"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    planner = Planner(copy_examples(Path(tmp_path_factory.mktemp("examples"))), offline_secrets=True)
    edited = Planner(
        copy_examples(Path(tmp_path_factory.mktemp("edited")), {"example-hub": _without_principal}),
        offline_secrets=True,
    )
    return {
        "example-hub": planner.plan("example-hub").run,
        "example-hub-ssm": planner.plan("example-hub-ssm").run,
        "example-hub without principal": edited.plan("example-hub").run,
    }


# --- AWS's support boundary ---------------------------------------------------------------------------


def test_cluster_pool_with_the_operator_on_hybrid_nodes_is_all_inside_awss_support():
    assert aws_support_notes("clusterPool", "hybrid") == []
    multi = aws_support_notes("multiPool", "cloud")
    assert len(multi) == 2
    assert "multi-pool IPAM is outside AWS's support" in multi[0] and "Beta" in multi[0]
    assert "not supported by AWS when running on nodes in AWS Cloud" in multi[1]
    kept = aws_support_notes("clusterPool", "cloud")
    assert len(kept) == 1 and "eks-hybrid:cilium.operatorPlacement" in kept[0]
    assert all(note.endswith(SUPPORT) for note in multi + kept)


@pytest.mark.parametrize(
    ("ipam", "configured", "placement"),
    [
        ("clusterPool", None, "hybrid"),
        ("clusterPool", "hybrid", "hybrid"),
        ("clusterPool", "cloud", "cloud"),
        ("multiPool", None, "cloud"),
        ("multiPool", "cloud", "cloud"),
    ],
)
def test_the_operator_runs_where_the_configuration_says(ipam, configured, placement):
    # The BGP control plane no longer moves it: cluster-pool + BGP keeps it on hybrid nodes.
    assert operator_placement(ipam, configured) == placement
    for bgp in (False, True):
        values = cilium_values(["192.168.0.0/16"], 25, bgp_control_plane=bgp, ipam=ipam, placement=configured)
        on_cloud = "eks-hybrid/capacity" in str(values["operator"]["affinity"])
        assert on_cloud == (placement == "cloud")
        assert on_cloud == any("AWS Cloud" in note for note in aws_support_notes(ipam, placement))


def test_multi_pool_with_the_operator_on_hybrid_nodes_is_refused():
    with pytest.raises(RuleError) as raised:
        operator_placement("multiPool", "hybrid")
    assert raised.value.reason.code == Code.OPERATOR_PLACEMENT
    assert "cloud node group" in str(raised.value)


def test_the_example_plans_say_which_configuration_leaves_awss_support(runs):
    hub = [w for w in runs["example-hub"].warnings if SUPPORT in w]
    assert len(hub) == 2 and "multi-pool" in hub[0]
    # cluster-pool + BGP: the operator on hybrid nodes, as AWS supports it.
    assert [w for w in runs["example-hub-ssm"].warnings if SUPPORT in w] == []


# --- pod-routes.sh's identity ------------------------------------------------------------------------


def test_the_hub_maps_the_routers_principal_to_a_group_that_only_reads_ciliumnodes(runs):
    run = runs["example-hub"]
    role = run.named("edge-prod-pod-routes-role")
    assert role.inputs["metadata"]["name"] == POD_ROUTES_CLUSTER_ROLE
    assert role.inputs["rules"] == [
        {"apiGroups": ["cilium.io"], "resources": ["ciliumnodes"], "verbs": ["get", "list", "watch"]}
    ]
    binding = run.named("edge-prod-pod-routes-binding")
    assert binding.inputs["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": POD_ROUTES_CLUSTER_ROLE,
    }
    assert binding.inputs["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": POD_ROUTES_GROUP}
    ]
    entry = run.named("edge-prod-pod-routes")
    assert entry.type == "aws:eks/accessEntry:AccessEntry"
    assert entry.inputs["principalArn"] == PRINCIPAL
    assert entry.inputs["type"] == "STANDARD"
    assert entry.inputs["kubernetesGroups"] == [POD_ROUTES_GROUP]
    # No access policy: Kubernetes RBAC alone authorizes it.
    policies = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
    assert not [r for r in run.resources if r.type == policies]
    # Both in-cluster objects go through the cluster's provider.
    provider = run.named("edge-prod-k8s").urn
    assert role.provider.startswith(provider) and binding.provider.startswith(provider)
    assert not [w for w in run.warnings if f"[{Code.POD_ROUTES_IDENTITY}]" in w]


def test_without_a_principal_the_plan_says_how_to_map_one(runs):
    run = runs["example-hub without principal"]
    assert not [r for r in run.resources if r.name == "edge-prod-pod-routes"]
    run.named("edge-prod-pod-routes-role")  # the RBAC is still there for a hand-made access entry
    (note,) = [w for w in run.warnings if f"[{Code.POD_ROUTES_IDENTITY}]" in w]
    assert "chicago, dallas" in note
    assert access_entry_command("edge-prod", "us-west-2") in note


def test_a_hub_whose_sites_all_peer_over_bgp_declares_no_reader(runs):
    run = runs["example-hub-ssm"]
    assert not [r for r in run.resources if "pod-routes" in r.name]


def test_the_access_entry_command_is_the_documented_one():
    assert access_entry_command("edge-prod", "us-west-2", PRINCIPAL) == (
        "aws eks create-access-entry --region us-west-2 --cluster-name edge-prod --principal-arn"
        f" {PRINCIPAL} --type STANDARD --kubernetes-groups {POD_ROUTES_GROUP}"
    )


def test_the_script_and_the_readme_name_the_identity_and_how_to_get_credentials():
    site = static_site()
    script = pod_routes_script(site)
    comments = " ".join(line[2:] for line in script.splitlines() if line.startswith("# "))
    assert POD_ROUTES_GROUP in comments and "podRoutesPrincipalArn" in comments
    assert "IAM Roles Anywhere" in comments and "aws eks get-token" in comments
    command = (
        f"aws eks update-kubeconfig --region {site.region} --name {site.cluster_name}"
        " --kubeconfig /etc/eks-hybrid/kubeconfig"
    )
    assert f"#   {command}" in script
    subprocess.run(["sh", "-n"], input=script, text=True, check=True)
    readme = render_site(site).file("README.md").content
    assert POD_ROUTES_GROUP in readme and command in readme
