"""The opt-in post-deploy step: `eks-hybrid:verify` in a stack adds a `local.Command` that runs verify
after everything else the stack declares, with the stack's outputs (secrets left out), and inputs that are
a function of the stack's config alone (no interpreter path, project path or clock)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pydantic import SecretStr

from eks_hybrid.components.config._stack_args import config_digest
from eks_hybrid.components.config.verify import VERIFY_AREAS, VerifyArea, VerifyConfig
from eks_hybrid.components.domain.hub_outputs import hub_sites
from eks_hybrid.components.errors import ArgumentsError, ConfigError
from eks_hybrid.components.postdeploy import (
    POST_DEPLOY_VERIFY,
    PROJECT_VIRTUALENV,
    STACKS_DIR,
    VERIFY_EXECUTABLE,
    PostDeployVerify,
    PostDeployVerifyArgs,
    verify_command,
)
from eks_hybrid.planner import Planner, StackPlan
from eks_hybrid.verify.findings import AREAS

from ..conftest import REPO, STACKS, MockEngine, copy_examples
from .conftest import example_document, hub_config


def enable(value: Any) -> Any:
    def edit(config: dict[str, Any]) -> None:
        config["eks-hybrid:verify"] = value

    return edit


@pytest.fixture
def plans(tmp_path: Path) -> Planner:
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
    expected = ".venv/bin/eks-hybrid verify --stack example-hub-ssm --stacks-dir stacks"
    assert step.name == "edge-lab-verify"
    assert step.inputs["create"] == step.inputs["update"] == expected
    assert "dir" not in step.inputs  # pulumi-command runs it where `pulumi up` runs: the project directory
    config = hub_config(enable(True), name="example-hub-ssm")
    assert step.inputs["triggers"] == [config_digest(config)]
    outputs = json.loads(step.inputs["environment"]["EKS_HYBRID_OUTPUTS"])
    assert outputs["clusterName"] == "edge-lab" and "ssmActivationId" in outputs
    assert "ssmActivationCode" not in outputs
    [component] = [r for r in plan.run.resources if r.type == "eks-hybrid:verify:PostDeployVerify"]
    assert step.parent == component.urn
    # Depending on a component waits for its children, and the step itself (a child does not inherit its
    # parent's depends_on) waits for every resource the stack declares.
    declared = {
        r.urn
        for r in plan.run.resources
        if r.custom and r.urn != step.urn and not r.type.startswith(("pulumi:", "command:"))
    }
    assert declared and declared <= set(step.dependencies)
    waits_for = "\n".join(step.dependencies)
    for parent in (
        "eks-hybrid:network:TransitGatewayHub$",
        "eks-hybrid:cluster:HybridCluster$",
        "eks-hybrid:cluster:HybridCluster$aws:eks/accessEntry:AccessEntry",
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
    assert hub_sites(hub)["dallas"] == {
        "nodeCidr": "10.200.0.0/16",
        "podCidr": "192.168.0.0/16",
        "routeVia": "transitGateway",
        "tunnelInsideCidrs": ["169.254.10.0/30", "169.254.10.4/30"],
    }
    assert "transitGatewayRouteTableId" in hub and "paletteCloudConfigUid" in hub
    assert hub["ciliumIpamMode"] == "multiPool"  # the site's pod CIDR check reads it


def test_no_secret_reaches_the_steps_inputs(plans: Planner) -> None:
    """The example hub generates its CA: its private key is a secret export, and stays out."""
    step = command(plans.plan("example-hub"))
    outputs = json.loads(step.inputs["environment"]["EKS_HYBRID_OUTPUTS"])
    assert "rootCaCertificate" in outputs and "rootCaPrivateKey" not in outputs
    assert "PRIVATE KEY" not in json.dumps(step.inputs)
    assert "apiKey" not in json.dumps(step.inputs)


def test_the_steps_inputs_depend_on_the_config_alone(
    tmp_path: Path, plans: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planned from another directory, another interpreter and another clock: the same inputs, none of
    which names this machine's paths."""
    first = command(plans.plan("example-hub")).inputs
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")
    monkeypatch.setattr(sys, "executable", "/somewhere/else/python3")
    again = Planner(plans.stacks_dir, offline_secrets=True)
    assert command(again.plan("example-hub")).inputs == first
    text = json.dumps(first)
    for machine_specific in (str(REPO), str(tmp_path), sys.prefix, os.path.expanduser("~")):
        assert machine_specific not in text


def test_a_config_change_changes_the_trigger_and_secrets_do_not() -> None:
    base = hub_config()
    resized = hub_config(lambda d: d["eks-hybrid:cluster"]["nodeGroup"].__setitem__("desiredSize", 3))
    assert config_digest(base) != config_digest(resized)

    def keyed(value: str) -> Any:
        assert base.palette is not None
        palette = base.palette.model_copy(update={"api_key": SecretStr(value)})
        return base.model_copy(update={"palette": palette})

    one, other = keyed("palette-key-one-0123456789"), keyed("palette-key-two-0123456789")
    assert config_digest(one) == config_digest(other) == config_digest(base)


def test_the_command_is_the_virtualenv_pulumi_yaml_declares() -> None:
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["runtime"]["options"]["virtualenv"] == PROJECT_VIRTUALENV
    assert project["stackConfigDir"] == STACKS_DIR
    assert VERIFY_EXECUTABLE == ".venv/bin/eks-hybrid"
    assert "-e ." in (REPO / "requirements.txt").read_text().splitlines()  # installs the console script
    assert verify_command("prod hub", ["kubernetes"], executable="eks-hybrid") == (
        "eks-hybrid verify --stack 'prod hub' --stacks-dir stacks --skip kubernetes"
    )


def test_stacks_without_it_declare_no_step(example_plans: Mapping[str, StackPlan]) -> None:
    for name in ("example-hub", "example-chicago"):
        assert not [r for r in example_plans[name].run.resources if r.type == "command:local:Command"]


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


@pytest.mark.parametrize(
    ("stack", "line"),
    [
        ("example-hub", "  # eks-hybrid:verify: true"),
        ("example-dallas", "  # eks-hybrid:verify: {skip: [kubernetes]}"),
    ],
)
def test_the_example_stacks_show_the_opt_in_commented_out(stack: str, line: str) -> None:
    """The docs' example-stack lines (docs/guides/verify.md): the opt-in is in the files, off; uncommented it
    is a valid value (the `plans` fixture plans both stacks with it)."""
    text = (STACKS / f"Pulumi.{stack}.yaml").read_text()
    assert line in text.splitlines()
    value = yaml.safe_load(line.replace("# ", "", 1).strip())["eks-hybrid:verify"]
    assert VerifyConfig.model_validate(value).enabled
    assert example_document(stack).get("eks-hybrid:verify") is None


# --- the component on its own: TypedDict Args of Inputs, checked, named by the caller ---------------------


def test_the_component_takes_outputs_and_names_its_step_by_its_own_name(mock_engine: MockEngine) -> None:
    def program() -> None:
        cluster = pulumi.Output.from_input("edge-prod")
        PostDeployVerify(
            "edge",
            PostDeployVerifyArgs(
                stack=pulumi.Output.from_input("prod-hub"),
                outputs={"clusterName": cluster, "tunnelPresharedKeys": pulumi.Output.secret(["k1", "k2"])},
                hub_outputs={"region": "us-west-2", "ssmActivationCode": "code"},
                skip=["kubernetes", pulumi.Output.from_input("palette")],
                config_digest="sha256:00",
                executable="eks-hybrid",
            ),
        )

    run = mock_engine.run(program)
    [component] = [r for r in run.resources if r.type == POST_DEPLOY_VERIFY]
    step = run.named("edge-verify")
    assert (component.type, step.type, step.parent) == (
        "eks-hybrid:verify:PostDeployVerify",
        "command:local:Command",
        component.urn,
    )
    assert step.inputs["create"] == (
        "eks-hybrid verify --stack prod-hub --stacks-dir stacks --skip kubernetes --skip palette"
    )
    assert json.loads(step.inputs["environment"]["EKS_HYBRID_OUTPUTS"]) == {"clusterName": "edge-prod"}
    assert json.loads(step.inputs["environment"]["EKS_HYBRID_HUB_OUTPUTS"]) == {"region": "us-west-2"}
    assert step.inputs["triggers"] == ["sha256:00"]


def test_bad_arguments_are_refused_naming_them_before_anything_is_declared(mock_engine: MockEngine) -> None:
    caught: list[ArgumentsError] = []

    def program() -> None:
        try:
            PostDeployVerify(
                "edge",
                PostDeployVerifyArgs(
                    stack="",
                    outputs={},
                    skip=["dns"],
                    executable=" ",  # type: ignore[list-item]
                ),
            )
        except ArgumentsError as error:
            caught.append(error)

    run = mock_engine.run(program)
    assert [r for r in run.resources if r.custom] == []
    [error] = caught
    assert {(p.file, p.path) for p in error.problems} == {
        ("PostDeployVerify 'edge'", "stack"),
        ("PostDeployVerify 'edge'", "skip[0]"),
        ("PostDeployVerify 'edge'", "executable"),
    }
    assert "'dns' is not an area verify checks (routes, transit-gateway" in str(error)


def test_the_areas_are_the_ones_verify_reports() -> None:
    assert VERIFY_AREAS == AREAS
    assert set(VerifyArea.__args__) == set(VERIFY_AREAS)  # type: ignore[attr-defined]
