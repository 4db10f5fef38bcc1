"""A hub's `pulumi up` judges a Cilium change against its own previous outputs (its StackReference to itself,
`composition.previous_outputs`): the example hubs run as `pulumi up` runs them, once as a first deploy and
once over outputs an earlier update wrote."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from eks_hybrid.components.composition import build_current_stack
from eks_hybrid.components.composition.previous_outputs import PREVIOUS_OUTPUTS, own_stack_name
from eks_hybrid.components.config.secrets import PALETTE_API_KEY_ENV
from eks_hybrid.components.errors import PlanError
from eks_hybrid.offline.engine import OfflineRun
from eks_hybrid.stack_files import read_stack_file
from tests.conftest import STACKS, MockEngine

RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.fixture(autouse=True)
def _palette_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PALETTE_API_KEY_ENV, "pk-test")


def run_hub(
    engine: MockEngine,
    stack: str,
    previous: dict[str, Any] | None,
    edit: dict[str, Any] | None = None,
) -> OfflineRun:
    """The hub's program; `previous`: the outputs of its previous update (None: never deployed)."""
    file = read_stack_file(STACKS, stack)
    config = file.runtime_config()
    cilium = {**json.loads(config["eks-hybrid:cilium"]), **(edit or {})}
    config["eks-hybrid:cilium"] = json.dumps(cilium)
    references = {stack: (previous, [])} if previous is not None else {}
    return engine.run(
        build_current_stack,
        stack=stack,
        config=config,
        secret_keys=sorted(file.secret_keys),
        stack_references=references,
    )


def values(run: OfflineRun) -> dict[str, Any]:
    [release] = run.by_type(RELEASE)
    return release.inputs["values"]


def test_a_first_deploy_installs_its_lines_mode_and_records_it(mock_engine: MockEngine) -> None:
    run = run_hub(mock_engine, "example-hub", None)
    assert values(run)["routingMode"] == "tunnel" and values(run)["upgradeCompatibility"] == "1.18"
    assert (run.outputs["ciliumRoutingMode"], run.outputs["ciliumInstalledVersion"]) == ("tunnel", "1.18.5-0")
    [reference] = run.by_type("pulumi:pulumi:StackReference")
    # The mock engine names no organization: the bare stack name, which Pulumi resolves in its own.
    assert (reference.name, reference.inputs["name"]) == (PREVIOUS_OUTPUTS, "example-hub")


def test_the_self_reference_is_fully_qualified_when_the_engine_names_an_organization(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pulumi, "get_organization", lambda: "acme")
    monkeypatch.setattr(pulumi, "get_project", lambda: "eks-hybrid")
    monkeypatch.setattr(pulumi, "get_stack", lambda: "prod-hub")
    assert own_stack_name() == "acme/eks-hybrid/prod-hub"


def test_a_multi_pool_hub_created_on_1_17_keeps_native_routing_on_1_18(mock_engine: MockEngine) -> None:
    """The bump that flipped a live cluster to tunnel (the hub's outputs as eks-hybrid 0.2 wrote them)."""
    previous = {"ciliumChartVersion": "1.17.13-1", "ciliumIpamMode": "multiPool", "clusterName": "edge-prod"}
    run = run_hub(mock_engine, "example-hub", previous)
    chart = values(run)
    assert (chart["routingMode"], chart["autoDirectNodeRoutes"], chart["upgradeCompatibility"]) == (
        "native",
        True,
        "1.17",
    )
    assert "tunnelProtocol" not in chart
    assert (run.outputs["ciliumRoutingMode"], run.outputs["ciliumInstalledVersion"]) == (
        "native",
        "1.17.13-1",
    )


def test_asking_for_the_migration_switches_and_warns(mock_engine: MockEngine) -> None:
    previous = {
        "ciliumChartVersion": "1.17.13-1",
        "ciliumIpamMode": "multiPool",
        "ciliumRoutingMode": "native",
    }
    run = run_hub(mock_engine, "example-hub", previous, {"routingMode": "tunnel"})
    assert values(run)["routingMode"] == "tunnel" and run.outputs["ciliumRoutingMode"] == "tunnel"
    assert any(
        "[cilium-routing-mode-migration]" in w and "from routingMode native" in w for w in run.warnings
    )


def test_a_chart_that_cannot_keep_the_running_mode_is_refused(mock_engine: MockEngine) -> None:
    previous = {
        "ciliumChartVersion": "1.18.5-0",
        "ciliumIpamMode": "multiPool",
        "ciliumRoutingMode": "tunnel",
    }
    with pytest.raises(PlanError) as caught:
        run_hub(mock_engine, "example-hub", previous, {"chartVersion": "1.17.13-1"})
    [problem] = caught.value.problems
    assert (problem.file, problem.path, problem.code) == (
        "stacks/Pulumi.example-hub.yaml",
        "eks-hybrid:cilium.chartVersion",
        "cilium-routing-mode-flip",
    )
    assert "routingMode tunnel" in problem.rule and "switch it to native" in problem.rule


def test_a_jump_of_two_lines_is_refused(mock_engine: MockEngine) -> None:
    previous = {"ciliumChartVersion": "1.16.9", "ciliumIpamMode": "clusterPool"}
    with pytest.raises(PlanError) as caught:
        run_hub(mock_engine, "example-hub-ssm", previous, {"chartVersion": "1.18.5-0"})
    [problem] = caught.value.problems
    assert (problem.path, problem.code) == ("eks-hybrid:cilium.chartVersion", "cilium-line-jump")
    assert "then 1.17's, with a `pulumi up` after each" in problem.rule


def test_upgrade_compatibility_stays_the_version_first_installed(mock_engine: MockEngine) -> None:
    previous = {
        "ciliumChartVersion": "1.17.13-1",
        "ciliumIpamMode": "clusterPool",
        "ciliumRoutingMode": "tunnel",
        "ciliumInstalledVersion": "1.17.2",
    }
    run = run_hub(mock_engine, "example-hub-ssm", previous, {"chartVersion": "1.18.5-0"})
    assert values(run)["upgradeCompatibility"] == "1.17" and run.outputs["ciliumInstalledVersion"] == "1.17.2"
