"""The opt-in post-deploy step: `eks-hybrid:verify` in a stack adds a `local.Command` that runs verify
after everything else the stack declares, with the stack's outputs (secrets left out)."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from components.config.verify import VerifyConfig
from components.errors import ConfigError
from components.postdeploy import run_stamp, verify_command
from eks_hybrid.planner import Planner

from ..conftest import STACKS, copy_examples
from .conftest import example_document, hub_config


def enable(value: Any) -> Any:
    def edit(config: dict[str, Any]) -> None:
        config["eks-hybrid:verify"] = value

    return edit


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Planner:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    stacks = copy_examples(
        tmp_path,
        {
            "example-hub-ssm": enable(True),
            "example-hub": enable(True),
            "example-dallas": enable({"skip": ["kubernetes"]}),
        },
    )
    return Planner(stacks, offline_secrets=True)


def command(plan: Any) -> Any:
    [found] = [r for r in plan.run.resources if r.type == "command:local:Command"]
    return found


def test_a_hub_runs_verify_last_with_its_outputs_but_no_secret(plans: Planner) -> None:
    plan = plans.plan("example-hub-ssm")
    step = command(plan)
    expected = (
        f"{shlex.quote(sys.executable)} -m eks_hybrid.cli verify --stack example-hub-ssm --stacks-dir stacks"
    )
    assert step.name == "edge-lab-verify"
    assert step.inputs["create"] == step.inputs["update"] == expected
    assert step.inputs["triggers"] == ["2026-11-18T11:06:40+00:00"]
    outputs = json.loads(step.inputs["environment"]["EKS_HYBRID_OUTPUTS"])
    assert outputs["clusterName"] == "edge-lab" and "ssmActivationId" in outputs
    assert "ssmActivationCode" not in outputs
    [component] = [r for r in plan.run.resources if r.type == "eks-hybrid:verify:PostDeployVerify"]
    assert step.parent == component.urn
    # Depending on a component waits for its children: the step runs after every one of them.
    waits_for = "\n".join(component.dependencies)
    for parent in (
        "eks-hybrid:network:TransitGatewayHub$",
        "eks-hybrid:cluster:HybridCluster$",
        "eks-hybrid:identity:NodeIdentity$",
        "eks-hybrid:palette:PaletteHub$",
    ):
        assert parent in waits_for


def test_a_site_passes_its_hubs_outputs_and_its_skips(plans: Planner) -> None:
    step = command(plans.plan("example-dallas"))
    assert step.inputs["create"].endswith(
        "verify --stack example-dallas --stacks-dir stacks --skip kubernetes"
    )
    environment = step.inputs["environment"]
    assert "tunnelPresharedKeys" not in json.loads(environment["EKS_HYBRID_OUTPUTS"])
    hub = json.loads(environment["EKS_HYBRID_HUB_OUTPUTS"])
    assert hub["sites"]["dallas"] == {
        "nodeCidr": "10.200.0.0/16",
        "podCidr": "192.168.0.0/16",
        "routeVia": "transitGateway",
    }
    assert "transitGatewayRouteTableId" in hub and "paletteCloudConfigUid" in hub


def test_stacks_without_it_declare_no_step() -> None:
    planner = Planner(STACKS, offline_secrets=True)
    for name in ("example-hub", "example-chicago"):
        assert not [r for r in planner.plan(name).run.resources if r.type == "command:local:Command"]


@pytest.mark.parametrize(
    ("raw", "enabled", "skip"),
    [
        (True, True, []),
        ("true", True, []),  # Pulumi hands programs boolean config as text
        (False, False, []),
        ({}, False, []),
        ({"skip": ["kubernetes", "palette"]}, True, ["kubernetes", "palette"]),
        ({"enabled": False, "skip": ["quotas"]}, False, ["quotas"]),
    ],
)
def test_the_config_key(raw: Any, enabled: bool, skip: list[str]) -> None:
    config = VerifyConfig.model_validate(raw)
    assert (config.enabled, config.skip) == (enabled, skip)


def test_an_unknown_area_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        hub_config(lambda document: document.__setitem__("eks-hybrid:verify", {"skip": ["dns"]}))
    assert "eks-hybrid:verify.skip[0]" in str(caught.value)
    assert example_document("example-hub").get("eks-hybrid:verify") is None


def test_the_stamp_changes_every_run_unless_pinned() -> None:
    now = datetime(2026, 11, 29, 7, 0, 5, tzinfo=UTC)
    assert run_stamp({}, now) == "2026-11-29T07:00:05+00:00"
    assert run_stamp({"SOURCE_DATE_EPOCH": "1795000000"}, now) == "2026-11-18T11:06:40+00:00"
    assert verify_command("prod hub", "/opt/py 3/python") == (
        "'/opt/py 3/python' -m eks_hybrid.cli verify --stack 'prod hub' --stacks-dir stacks"
    )
