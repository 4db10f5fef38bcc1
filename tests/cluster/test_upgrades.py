"""The EKS side of upgrades: the control plane moves one minor at a time from what the hub deployed, and
the cloud node group runs a managed version within its skew, updated after the control plane."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from eks_hybrid.components.codes import Code
from eks_hybrid.components.composition.hub import build_hub
from eks_hybrid.components.config import HubConfig, validate_stack
from eks_hybrid.components.config.source import stack_file_label
from eks_hybrid.components.domain.hub_outputs import HubOutput
from eks_hybrid.components.domain.versions import (
    EKS_UPDATE_CLUSTER_GUIDE,
    control_plane_change_problem,
    node_group_skew_problem,
)
from eks_hybrid.components.errors import ConfigError, PlanError
from eks_hybrid.offline.engine import OfflineRun
from tests.cluster.hubs import hub_config
from tests.conftest import STACKS, MockEngine, declared

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
CLUSTER = "aws:eks/cluster:Cluster"
TODAY = date(2026, 12, 6)


# --- the rules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deployed", "requested"),
    [(None, "1.35"), ("", "1.35"), ("1.35", "1.35"), ("1.34", "1.35"), ("1.35", "1.36"), ("1.9", "1.10")],
)
def test_a_first_deploy_the_same_minor_or_one_up_is_allowed(deployed: str | None, requested: str) -> None:
    assert control_plane_change_problem(deployed, requested) is None


def test_more_than_one_minor_up_is_refused_naming_both_versions_the_step_and_the_rule() -> None:
    reason = control_plane_change_problem("1.33", "1.35")
    assert reason is not None and reason.code is Code.CONTROL_PLANE_MINOR_SKIP
    assert "runs Kubernetes 1.33, and 1.35 is more than one minor version later" in reason.text
    assert "EKS updates one minor version at a time" in reason.text
    assert EKS_UPDATE_CLUSTER_GUIDE in reason.text
    assert "set 1.34, run `pulumi up`" in reason.text
    # Minors compare as numbers, not text.
    skip = control_plane_change_problem("1.9", "1.11")
    assert skip is not None and skip.code is Code.CONTROL_PLANE_MINOR_SKIP
    major = control_plane_change_problem("1.36", "2.0")
    assert major is not None and major.code is Code.CONTROL_PLANE_MINOR_SKIP


def test_a_downgrade_is_refused() -> None:
    reason = control_plane_change_problem("1.35", "1.34")
    assert reason is not None and reason.code is Code.CONTROL_PLANE_DOWNGRADE
    assert "runs Kubernetes 1.35 and 1.34 is older: EKS cannot downgrade a cluster" in reason.text
    assert EKS_UPDATE_CLUSTER_GUIDE in reason.text


def test_versions_that_do_not_parse_are_left_to_the_per_key_checks() -> None:
    assert control_plane_change_problem("latest", "1.35") is None
    assert control_plane_change_problem("1.35", "next") is None


@pytest.mark.parametrize("group", ["1.35", "1.34", "1.33", "1.32"])
def test_the_node_group_may_be_up_to_three_minors_behind(group: str) -> None:
    assert node_group_skew_problem("1.35", group) is None


def test_the_node_group_is_never_newer_nor_four_behind() -> None:
    newer = node_group_skew_problem("1.34", "1.35")
    assert newer is not None and "managed node groups cannot be on a newer version" in newer
    behind = node_group_skew_problem("1.35", "1.31")
    assert behind is not None and "4 minor versions behind" in behind and "1.32 to 1.35" in behind
    assert EKS_UPDATE_CLUSTER_GUIDE in behind


# --- the hub plan: judged from the hub's own previous outputs --------------------------------------------


def plan(engine: MockEngine, config: HubConfig, deployed: str | None = None) -> OfflineRun:
    """Plan `config` as stack `up`, whose previous update exported `deployed` as its Kubernetes version
    (none: a first deploy)."""
    previous = {"up": ({HubOutput.KUBERNETES_VERSION: deployed}, [])} if deployed else None
    return engine.run(lambda: build_hub(config), stack="up", stack_references=previous)


def refused(engine: MockEngine, config: HubConfig, deployed: str) -> tuple[OfflineRun, PlanError]:
    return engine.run_refused(
        lambda: build_hub(config),
        stack="up",
        stack_references={"up": ({HubOutput.KUBERNETES_VERSION: deployed}, [])},
    )


def test_a_first_deploy_and_a_one_minor_update_plan(mock_engine: MockEngine) -> None:
    config = hub_config(cluster={"kubernetesVersion": "1.35"})
    for deployed in (None, "1.34", "1.35"):
        run = plan(mock_engine, config, deployed)
        [cluster] = run.by_type(CLUSTER)
        assert cluster.inputs["version"] == "1.35"


def test_a_two_minor_jump_is_refused_at_plan_naming_file_key_versions_and_rule(
    mock_engine: MockEngine,
) -> None:
    run, error = refused(mock_engine, hub_config(cluster={"kubernetesVersion": "1.35"}), "1.33")
    assert declared(run) == []  # only the read of the previous outputs
    [problem] = error.problems
    assert problem.code is Code.CONTROL_PLANE_MINOR_SKIP
    assert problem.file == stack_file_label("up")
    assert problem.path == "eks-hybrid:cluster.kubernetesVersion"
    assert "1.33" in problem.rule and "1.35" in problem.rule
    assert "EKS updates one minor version at a time" in problem.rule
    assert f"{stack_file_label('up')}: eks-hybrid:cluster.kubernetesVersion:" in str(error)


def test_a_downgrade_is_refused_at_plan(mock_engine: MockEngine) -> None:
    run, error = refused(mock_engine, hub_config(cluster={"kubernetesVersion": "1.34"}), "1.35")
    assert declared(run) == []
    assert [p.code for p in error.problems] == [Code.CONTROL_PLANE_DOWNGRADE]


# --- the cloud node group's managed version --------------------------------------------------------------


def test_the_node_group_follows_the_control_plane_after_it(mock_engine: MockEngine) -> None:
    run = plan(mock_engine, hub_config(cluster={"kubernetesVersion": "1.35"}), "1.34")
    [group] = run.by_type(NODE_GROUP)
    [cluster] = run.by_type(CLUSTER)
    assert group.inputs["version"] == "1.35"
    # Its update waits for the cluster's: `pulumi up` registers it only once the cluster's step is done.
    assert cluster.urn in group.dependencies


def test_the_node_group_may_stay_behind_for_a_later_update(mock_engine: MockEngine) -> None:
    config = hub_config(cluster={"kubernetesVersion": "1.35", "nodeGroup": {"kubernetesVersion": "1.34"}})
    [group] = plan(mock_engine, config, "1.34").by_type(NODE_GROUP)
    assert group.inputs["version"] == "1.34"


def stack_document(cluster: dict[str, Any]) -> dict[str, Any]:
    """example-hub's stack file with `cluster` merged into its eks-hybrid:cluster."""
    document = yaml.safe_load((STACKS / "Pulumi.example-hub.yaml").read_text())["config"]
    document["eks-hybrid:cluster"] = {**document["eks-hybrid:cluster"], **cluster}
    return dict(document)


def test_a_node_group_version_outside_its_skew_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_stack(
            stack_document({"kubernetesVersion": "1.35", "nodeGroup": {"kubernetesVersion": "1.31"}}),
            "stacks/Pulumi.up.yaml",
            today=TODAY,
        )
    found = [(p.path, p.code) for p in caught.value.problems]
    assert found == [("eks-hybrid:cluster.nodeGroup.kubernetesVersion", Code.NODE_GROUP_VERSION_SKEW)]
    # A YAML float is read as the version it spells, as kubernetesVersion is.
    validate_stack(
        stack_document({"kubernetesVersion": "1.35", "nodeGroup": {"kubernetesVersion": 1.33}}),
        "stacks/Pulumi.up.yaml",
        today=TODAY,
    )
