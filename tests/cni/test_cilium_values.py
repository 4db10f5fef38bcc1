"""Cilium's values, checked key by key and against the values AWS's own CI installs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from eks_hybrid.components.cni import values
from tests.conftest import REFERENCE

PODS = ["172.18.0.0/16", "192.168.0.0/16"]
HYBRID_ONLY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {"key": "eks.amazonaws.com/compute-type", "operator": "In", "values": ["hybrid"]}
                    ]
                }
            ]
        }
    }
}


def test_agent_and_operator_run_only_on_hybrid_nodes() -> None:
    result = values.cilium_values(PODS, 25)
    assert result["affinity"] == HYBRID_ONLY
    assert result["operator"]["affinity"] == HYBRID_ONLY


def test_cluster_pool_ipam_over_the_remote_pod_networks() -> None:
    result = values.cilium_values(PODS, 26)
    assert result["ipam"] == {
        "mode": "cluster-pool",
        "operator": {"clusterPoolIPv4PodCIDRList": PODS, "clusterPoolIPv4MaskSize": 26},
    }


def test_operator_settings() -> None:
    operator = values.cilium_values(PODS, 25)["operator"]
    assert operator["unmanagedPodWatcher"] == {"restart": False}
    assert operator["tolerations"] == [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists"},
        {"key": "node.cilium.io/agent-not-ready", "operator": "Exists"},
    ]
    assert operator["replicas"] == 1


def test_no_envoy_and_topology_aware_load_balancing() -> None:
    result = values.cilium_values(PODS, 25)
    assert result["envoy"] == {"enabled": False}
    assert result["loadBalancer"] == {"serviceTopology": True}


@pytest.mark.parametrize("bgp", [True, False])
def test_bgp_control_plane_when_asked(bgp: bool) -> None:
    assert values.cilium_values(PODS, 25, bgp_control_plane=bgp)["bgpControlPlane"] == {"enabled": bgp}


def test_with_bgp_and_cluster_pool_the_operator_stays_on_hybrid_nodes_as_aws_supports() -> None:
    # AWS, "Configure CNI for hybrid nodes": "Cilium is not supported by AWS when running on nodes in AWS
    # Cloud"; each site stack declares its BGP objects once its nodes run the operator.
    result = values.cilium_values(PODS, 25, bgp_control_plane=True)
    assert result["operator"]["affinity"] == HYBRID_ONLY
    assert result["affinity"] == HYBRID_ONLY
    assert result["ipam"]["mode"] == "cluster-pool"


def test_placement_cloud_keeps_the_operator_of_0_2_on_cloud_capacity() -> None:
    result = values.cilium_values(PODS, 25, bgp_control_plane=True, placement="cloud")
    assert result["operator"]["affinity"] == values.cloud_affinity()
    assert result["affinity"] == HYBRID_ONLY  # the agents stay on hybrid nodes


@pytest.mark.parametrize("bgp", [True, False])
@pytest.mark.parametrize("ipam", ["clusterPool", "multiPool"])
def test_a_config_change_rolls_the_operator_and_the_agents(bgp: bool, ipam: values.Ipam) -> None:
    # AWS, "Configure Cilium BGP for hybrid nodes" (hybrid-nodes-cilium-bgp.adoc, Procedure step 1): enabling
    # BGP on an existing Cilium deployment needs the operator restarted (`operator.rollOutPods: true`); the
    # chart defaults both flags to false, so turning `bgpControlPlane` on would change only the ConfigMap.
    result = values.cilium_values(PODS, 25, bgp_control_plane=bgp, ipam=ipam)
    assert result["operator"]["rollOutPods"] is True
    assert result["rollOutCiliumPods"] is True


def test_turning_bgp_on_changes_the_rolled_out_configuration_only() -> None:
    # The operator stays where it is; what changes reaches the pods through the ConfigMap, which the
    # roll-out flags make the pods follow.
    off = dict(leaves(values.cilium_values(PODS, 25)))
    on = dict(leaves(values.cilium_values(PODS, 25, bgp_control_plane=True)))
    changed = {key for key in off.keys() | on.keys() if off.get(key) != on.get(key)}
    assert changed == {"bgpControlPlane.enabled"}
    assert on["operator.rollOutPods"] is on["rollOutCiliumPods"] is True


def test_exactly_these_top_level_keys() -> None:
    assert set(values.cilium_values(PODS, 25)) == {
        "affinity",
        "ipam",
        "loadBalancer",
        "operator",
        "envoy",
        "bgpControlPlane",
        "rollOutCiliumPods",
    }


def test_values_are_fresh_each_call() -> None:
    first = values.cilium_values(PODS, 25)
    first["operator"]["tolerations"].append({"key": "x"})
    assert len(values.cilium_values(PODS, 25)["operator"]["tolerations"]) == 2


def test_pod_cidrs_are_required() -> None:
    with pytest.raises(ValueError, match="at least one pod CIDR"):
        values.cilium_values([], 25)


# --- against AWS's CI values ----------------------------------------------------------------------------

# Keys AWS's CI sets that we leave to the chart, on purpose: CI pins AWS's ECR images by digest for its
# test matrix; we take the chart's own images, which for AWS's OCI chart are those same ECR images.
LEFT_TO_THE_CHART = {
    "image",
    "operator.image",
    "preflight.image",
}
# Keys both set to different values: none today. Any entry here needs its reason next to it.
DELIBERATE_DIFFERENCES: dict[str, str] = {}


def leaves(tree: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every leaf; lists are leaves (compared whole)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, tree


def reference() -> dict[str, Any]:
    path: Path = REFERENCE / "aws-e2e-cilium-values.yaml"
    if not path.is_file():
        pytest.fail(f"{path} is missing: it is part of the repository (see reference/README.md)")
    return yaml.safe_load(path.read_text())


def test_we_agree_with_aws_ci_on_every_key_both_set() -> None:
    ours = dict(leaves(values.cilium_values(PODS, 24)))
    theirs = dict(leaves(reference()))
    shared = set(ours) & set(theirs)
    assert shared >= {
        "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
        "ipam.mode",
        "operator.replicas",
        "operator.tolerations",
        "operator.unmanagedPodWatcher.restart",
        "envoy.enabled",
    }
    disagreements = {k: (ours[k], theirs[k]) for k in shared if ours[k] != theirs[k]}
    assert disagreements.keys() == DELIBERATE_DIFFERENCES.keys(), disagreements


def test_what_aws_ci_sets_and_we_do_not_is_only_image_pinning() -> None:
    theirs = {path for path, _ in leaves(reference())}
    ours = {path for path, _ in leaves(values.cilium_values(PODS, 24))}
    missing = {path for path in theirs - ours if not any(path.startswith(p + ".") for p in LEFT_TO_THE_CHART)}
    assert missing == set()


def test_what_we_add_to_aws_ci_follows_the_aws_docs() -> None:
    # The docs' values (hybrid-nodes-cni.adoc) add these to CI's; bgpControlPlane is the BGP opt-in, and the
    # roll-out flags follow the BGP page (hybrid-nodes-cilium-bgp.adoc, Procedure step 1).
    theirs = {path for path, _ in leaves(reference())}
    ours = {path for path, _ in leaves(values.cilium_values(PODS, 24))}
    assert ours - theirs == {
        "ipam.operator.clusterPoolIPv4PodCIDRList",
        "ipam.operator.clusterPoolIPv4MaskSize",
        "loadBalancer.serviceTopology",
        "operator.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
        "bgpControlPlane.enabled",
        "operator.rollOutPods",
        "rollOutCiliumPods",
    }


def test_multi_pool_differs_from_aws_ci_only_where_cilium_requires_it() -> None:
    # Multi-pool is outside AWS's support scope (AWS supports cluster-scope IPAM); these are the only keys
    # where it departs from AWS's CI values, each required by Cilium's multi-pool docs or by running the
    # operator where the CRDs it registers are needed before hybrid nodes exist.
    ours = dict(leaves(values.cilium_values(PODS, 24, ipam="multiPool", cilium_line="1.18")))
    theirs = dict(leaves(reference()))
    disagreements = {k for k in set(ours) & set(theirs) if ours[k] != theirs[k]}
    assert disagreements == {"ipam.mode"}
    added = set(ours) - set(theirs)
    assert added == {
        "loadBalancer.serviceTopology",
        "operator.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
        "bgpControlPlane.enabled",
        "operator.rollOutPods",
        "rollOutCiliumPods",
        "endpointRoutes.enabled",
        "enableIPv4Masquerade",
        "routingMode",
        "tunnelProtocol",
    }


# --- chart source and hybrid-config ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repository", "chart", "repo"),
    [
        ("https://helm.cilium.io/", "cilium", "https://helm.cilium.io/"),
        ("oci://public.ecr.aws/eks/cilium/cilium", "oci://public.ecr.aws/eks/cilium/cilium", None),
        ("oci://public.ecr.aws/eks/cilium/cilium/", "oci://public.ecr.aws/eks/cilium/cilium", None),
        ("oci://registry.example.com/charts", "oci://registry.example.com/charts/cilium", None),
    ],
)
def test_chart_source(repository: str, chart: str, repo: str | None) -> None:
    assert values.chart_source(repository) == values.ChartSource(chart=chart, repo=repo)


def test_chart_source_rejects_other_schemes() -> None:
    with pytest.raises(ValueError, match="not a Helm repository"):
        values.chart_source("ftp://example.com/charts")


def test_hybrid_config_data() -> None:
    assert values.hybrid_config_data("172.20.0.0/16", "10.100.0.0/16") == {
        "serviceCIDR": "172.20.0.0/16",
        "vpcCIDR": "10.100.0.0/16",
    }
