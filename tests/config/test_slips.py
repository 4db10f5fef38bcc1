"""The slips a careful user still makes get the fix, not just the rule: a key or value in other letter case,
a number in quotes, a site's routing set in the hub (its key named), a hub that is not there (the hubs that
are, listed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.errors import ConfigError, PlanError
from eks_hybrid.planner import Planner

from ..conftest import STACKS, copy_examples


def _problem(stack: str, edit: Any) -> Any:
    config = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())["config"]
    edit(config)
    with pytest.raises(ConfigError) as caught:
        validate_stack(config, f"stacks/Pulumi.{stack}.yaml")
    [problem] = caught.value.problems
    return problem


def test_a_key_in_other_letter_case_is_named() -> None:
    problem = _problem(
        "example-dallas",
        lambda c: c["eks-hybrid:site"].update(NODEPOOLS=c["eks-hybrid:site"].pop("nodePools")),
    )
    assert problem.rule == "unknown key 'NODEPOOLS'; did you mean 'nodePools'? (keys are case-sensitive)"


@pytest.mark.parametrize(
    ("stack", "edit", "meant"),
    [
        (
            "example-dallas",
            lambda c: c["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"].update(routing="Static"),
            "static",
        ),
        (
            "example-hub",
            lambda c: c["eks-hybrid:sites"]["dallas"].update(routeVia="TRANSITGATEWAY"),
            "transitGateway",
        ),
    ],
)
def test_a_value_in_other_letter_case_is_named(stack: str, edit: Any, meant: str) -> None:
    assert _problem(stack, edit).rule.endswith(f": did you mean {meant}? (values are case-sensitive)")


def test_a_value_that_is_no_case_slip_gets_no_guess() -> None:
    rule = _problem(
        "example-dallas",
        lambda c: c["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"].update(routing="ospf"),
    ).rule
    assert rule == "must be static or bgp (got 'ospf')"


@pytest.mark.parametrize(
    ("stack", "edit"),
    [
        (
            "example-dallas",
            lambda c: c["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["customerGateway"].update(
                bgpAsn="65010"
            ),
        ),
        ("example-hub", lambda c: c["eks-hybrid:cilium"].update(clusterAsn="64512")),
    ],
)
def test_a_quoted_number_is_told_to_lose_its_quotes(stack: str, edit: Any) -> None:
    assert _problem(stack, edit).rule.endswith(": remove the quotes (YAML reads a quoted number as text)")


def test_a_missing_hub_lists_the_hubs_there(tmp_path: Path) -> None:
    stacks = copy_examples(
        tmp_path, {"example-dallas": lambda c: c.update({"eks-hybrid:hub": "example-hubb"})}
    )
    with pytest.raises(PlanError) as caught:
        Planner(stacks, offline_secrets=True).plan("example-dallas")
    [problem] = caught.value.problems
    assert problem.path == "eks-hybrid:hub"
    assert problem.rule.endswith("(the hub stacks there: example-hub, example-hub-ssm)")


def test_a_routing_mismatch_names_the_hubs_key(tmp_path: Path) -> None:
    stacks = copy_examples(
        tmp_path, {"example-hub": lambda c: c["eks-hybrid:sites"]["dallas"].update(routeVia="site")}
    )
    with pytest.raises(PlanError) as caught:
        Planner(stacks, offline_secrets=True).plan("example-dallas")
    [problem] = caught.value.problems
    assert "set eks-hybrid:sites.dallas.routeVia to transitGateway in hub stack example-hub" in problem.rule
