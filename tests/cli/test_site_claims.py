"""Two site stacks claiming one site of one hub are refused before either is planned, naming both files;
with `plan --all`, each site of a hub's inventory that no stack claims is noted (text and JSON)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import PlanError
from eks_hybrid.diff.sources import plan_directory
from eks_hybrid.planner import Planner
from eks_hybrid.site_claims import claim_conflicts, unclaimed_sites
from eks_hybrid.stack_files import read_stack_file

from ..conftest import STACKS

runner = CliRunner()


def config_of(name: str) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((STACKS / f"Pulumi.{name}.yaml").read_text())["config"]
    return config


def write(directory: Path, name: str, config: dict[str, Any]) -> None:
    (directory / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))


@pytest.fixture
def twice(tmp_path: Path) -> Path:
    """example-hub, example-dallas and a copy of dallas naming the hub by its full reference."""
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("example-hub", "example-dallas"):
        shutil.copy(STACKS / f"Pulumi.{name}.yaml", stacks)
    copy = config_of("example-dallas")
    copy["eks-hybrid:hub"] = "acme/eks-hybrid/example-hub"
    write(stacks, "dallas-again", copy)
    return stacks


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stacks `Planner.plan` is asked for, in order."""
    calls: list[str] = []
    plan = Planner.plan

    def recording(self: Planner, name: str) -> Any:
        calls.append(name)
        return plan(self, name)

    monkeypatch.setattr(Planner, "plan", recording)
    return calls


def claim_message(stacks: Path) -> str:
    return (
        f"site 'dallas' of hub example-hub is claimed by 2 stacks ({stacks}/Pulumi.dallas-again.yaml,"
        f" {stacks}/Pulumi.example-dallas.yaml)"
    )


def test_all_refuses_both_claims_in_text_before_planning_either(twice: Path, planned: list[str]) -> None:
    result = runner.invoke(app, ["plan", "--all", "--stacks-dir", str(twice), "--offline-secrets"])
    assert result.exit_code == 2, result.output
    assert planned == ["example-hub"]  # neither site was planned, not even the first one
    for name in ("dallas-again", "example-dallas"):
        line = f"{twice}/Pulumi.{name}.yaml: eks-hybrid:site.name: {claim_message(twice)}"
        assert line in result.stderr
    assert result.stderr.count("[site-claimed-twice]") == 2
    assert result.stdout.startswith("example-hub (hub stack, ")
    assert "dallas-vpn" not in result.stdout


def test_all_refuses_both_claims_in_json(twice: Path) -> None:
    result = runner.invoke(
        app, ["plan", "--all", "--stacks-dir", str(twice), "--offline-secrets", "--format", "json"]
    )
    assert result.exit_code == 2, result.output
    document = json.loads(result.stdout)
    assert [stack["stack"] for stack in document["stacks"]] == ["example-hub"]
    assert set(document["errors"]) == {"dallas-again", "example-dallas"}
    for name, error in document["errors"].items():
        [problem] = error["problems"]
        assert problem["code"] == Code.SITE_CLAIMED_TWICE
        assert problem["file"] == f"{twice}/Pulumi.{name}.yaml"
        assert problem["path"] == "eks-hybrid:site.name"
        assert problem["rule"].startswith(claim_message(twice))


def test_stacks_named_together_are_refused_but_each_alone_plans(twice: Path, planned: list[str]) -> None:
    both = ["--stack", "example-dallas", "--stack", f"{twice}/Pulumi.dallas-again.yaml"]
    result = runner.invoke(app, ["plan", *both, "--stacks-dir", str(twice), "--offline-secrets"])
    assert result.exit_code == 2, result.output
    assert planned == [] and result.stderr.count("[site-claimed-twice]") == 2
    alone = runner.invoke(
        app, ["plan", "--stack", "dallas-again", "--stacks-dir", str(twice), "--offline-secrets"]
    )
    assert alone.exit_code == 0, alone.output
    assert "site-claimed-twice" not in alone.output
    # The same file given twice, by name and by path, is one claim.
    same = ["--stack", "example-dallas", "--stack", f"{twice}/Pulumi.example-dallas.yaml"]
    once = runner.invoke(app, ["plan", *same, "--stacks-dir", str(twice), "--offline-secrets"])
    assert once.exit_code == 0, once.output


def test_diff_of_a_directory_refuses_the_same_pair(twice: Path, planned: list[str]) -> None:
    plans = plan_directory(twice)
    assert set(plans.stacks) == {"example-hub"}
    assert set(plans.errors) == {"dallas-again", "example-dallas"}
    assert all(claim_message(twice) in message for message in plans.errors.values())
    assert "example-dallas" not in planned and "dallas-again" not in planned


def test_claims_of_one_site_in_two_hubs_or_two_directories_are_distinct(tmp_path: Path) -> None:
    for directory in ("a", "b"):
        (tmp_path / directory).mkdir()
    other_hub = config_of("example-dallas")
    other_hub["eks-hybrid:hub"] = "example-hub-ssm"
    write(tmp_path / "a", "dallas", config_of("example-dallas"))
    write(tmp_path / "a", "dallas-ssm", other_hub)
    write(tmp_path / "b", "dallas", config_of("example-dallas"))
    stacks = [
        read_stack_file(tmp_path / "a", "dallas"),
        read_stack_file(tmp_path / "a", "dallas-ssm"),
        read_stack_file(tmp_path / "b", "dallas"),
    ]
    assert claim_conflicts(stacks) == {}
    write(tmp_path / "a", "dallas-2", config_of("example-dallas"))
    refused = claim_conflicts([*stacks, read_stack_file(tmp_path / "a", "dallas-2")])
    assert set(refused) == {(tmp_path / "a" / f"Pulumi.{n}.yaml").resolve() for n in ("dallas", "dallas-2")}
    assert all(isinstance(error, PlanError) for error in refused.values())


def test_all_notes_inventory_sites_without_a_stack_and_keeps_the_exit_status(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("example-hub", "example-chicago"):
        shutil.copy(STACKS / f"Pulumi.{name}.yaml", stacks)
    text = runner.invoke(app, ["plan", "--all", "--stacks-dir", str(stacks), "--offline-secrets"])
    assert text.exit_code == 0, text.output
    hub_file = f"{stacks}/Pulumi.example-hub.yaml"
    for site in ("dallas", "denver"):
        assert (
            f"note: {hub_file}: eks-hybrid:sites.{site}: no site stack among those planned claims site"
            f" '{site}' of hub example-hub (eks-hybrid:site.name) [site-without-stack]"
        ) in text.stderr
    assert "sites.chicago" not in text.stderr
    as_json = runner.invoke(
        app, ["plan", "--all", "--stacks-dir", str(stacks), "--offline-secrets", "--format", "json"]
    )
    assert as_json.exit_code == 0, as_json.output
    notes = json.loads(as_json.stdout)["notes"]
    unclaimed = [n for n in notes if n["code"] == "site-without-stack"]
    assert [(n["code"], n["hub"], n["site"], n["file"]) for n in unclaimed] == [
        ("site-without-stack", "example-hub", site, hub_file) for site in ("dallas", "denver")
    ]
    assert notes[: len(unclaimed)] == unclaimed  # then the pairs of sites that may not reach each other
    # Planning stacks one by one says nothing of the others: no note, and no `notes` key.
    each = ["--stack", "example-hub", "--stack", "example-chicago", "--stacks-dir", str(stacks)]
    named = runner.invoke(app, ["plan", *each, "--offline-secrets", "--format", "json"])
    assert named.exit_code == 0, named.output
    assert "notes" not in json.loads(named.stdout) and "site-without-stack" not in named.stderr


def test_every_example_inventory_site_but_seattle_has_a_stack() -> None:
    stacks = [read_stack_file(STACKS, path.name[len("Pulumi.") : -len(".yaml")]) for path in STACKS.iterdir()]
    assert claim_conflicts(stacks) == {}
    assert [(note.hub, note.site) for note in unclaimed_sites(stacks)] == [("example-hub-ssm", "seattle")]


def test_two_sites_of_one_hub_naming_one_pool_are_both_refused(tmp_path: Path, planned: list[str]) -> None:
    """A hub's Palette pools are addressed by name under its one AWS cloud config: two sites naming a pool
    alike would share (and take over) one Palette pool."""
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("example-hub", "example-dallas"):
        shutil.copy(STACKS / f"Pulumi.{name}.yaml", stacks)
    chicago = config_of("example-chicago")
    chicago["eks-hybrid:site"]["nodePools"][0]["name"] = "dallas-workers"
    write(stacks, "example-chicago", chicago)

    result = runner.invoke(
        app, ["plan", "--all", "--stacks-dir", str(stacks), "--offline-secrets", "--format", "json"]
    )
    assert result.exit_code == 2, result.output
    document = json.loads(result.stdout)
    assert [stack["stack"] for stack in document["stacks"]] == ["example-hub"]
    assert planned == ["example-hub"]
    for name in ("example-chicago", "example-dallas"):
        [problem] = document["errors"][name]["problems"]
        assert problem["code"] == Code.POOL_NAME_TAKEN
        assert problem["path"] == "eks-hybrid:site.nodePools[0].name"
        assert problem["rule"].startswith(
            "node pool 'dallas-workers' is named by sites 'chicago', 'dallas' of hub example-hub"
        )

    # Each site's own pool name plans.
    chicago["eks-hybrid:site"]["nodePools"][0]["name"] = "chicago-workers"
    write(stacks, "example-chicago", chicago)
    assert claim_conflicts([read_stack_file(stacks, n) for n in ("example-dallas", "example-chicago")]) == {}
