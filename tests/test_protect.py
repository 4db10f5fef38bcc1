"""`protect`: what an outage hinges on cannot be deleted by a stray `pulumi up`/`destroy`, unless the
stack says `eks-hybrid:protect: false` (Pulumi refuses to delete or replace a protected resource)."""

from __future__ import annotations

import pytest
import yaml

from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.errors import ConfigError
from eks_hybrid.planner import Planner

from .conftest import STACKS, copy_examples

# Per stack: the resources whose loss cuts sites off, by name.
PROTECTED = {
    "example-hub": {
        "edge-prod-eks",  # the cluster: every hybrid node and Palette's import hang on it
        "edge-prod-tgw",  # every transitGateway site
        "edge-prod-vpc-attachment",
        "edge-prod-vgw",  # chicago (VPN on the VGW) and denver (Direct Connect)
        "edge-prod-vgw-attachment",
    },
    "example-hub-ssm": {"edge-lab-eks", "edge-lab-tgw", "edge-lab-vpc-attachment"},
    "example-dallas": {"dallas-vpn"},
    "example-chicago": {"chicago-vpn"},
    "example-denver": {"denver-dx-association"},
}


@pytest.mark.parametrize("stack", sorted(PROTECTED))
def test_exactly_the_vital_resources_are_protected(example_plans, stack):
    run = example_plans[stack].run
    assert {r.name for r in run.resources if r.protect} == PROTECTED[stack]


def test_plan_json_shows_protection(example_plans):
    document = example_plans["example-dallas"].to_json()
    vpn = next(r for r in document["resources"] if r["name"] == "dallas-vpn")
    gateway = next(r for r in document["resources"] if r["name"] == "dallas-customer-gateway")
    assert (vpn["protect"], gateway["protect"]) == (True, False)


def test_protect_false_protects_nothing(tmp_path):
    stacks = copy_examples(
        tmp_path,
        {
            "example-hub": lambda config: config.update({"eks-hybrid:protect": False}),
            # As Pulumi hands a boolean to the program: the text "false".
            "example-denver": lambda config: config.update({"eks-hybrid:protect": "false"}),
        },
    )
    planner = Planner(stacks, offline_secrets=True)
    for name in ("example-hub", "example-denver"):
        assert not [r.name for r in planner.plan(name).run.resources if r.protect]
    # A stack that does not say stays protected.
    assert {r.name for r in planner.plan("example-dallas").run.resources if r.protect} == {"dallas-vpn"}


def test_protect_must_be_a_boolean():
    document = yaml.safe_load((STACKS / "Pulumi.example-dallas.yaml").read_text())["config"]
    with pytest.raises(ConfigError) as caught:
        validate_stack({**document, "eks-hybrid:protect": "sometimes"}, "stacks/Pulumi.x.yaml")
    [problem] = caught.value.problems
    assert (problem.path, problem.rule) == ("eks-hybrid:protect", "must be true or false (got 'sometimes')")


def test_the_hubs_other_resources_inherit_no_protection(example_plans):
    run = example_plans["example-hub"].run
    routes = [r for r in run.resources if r.type == "aws:ec2/route:Route"]
    assert routes and not any(r.protect for r in routes)
