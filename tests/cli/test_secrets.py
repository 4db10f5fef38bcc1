"""Secrets for a real run: none committed as ciphertext, a missing Palette key caught before anything is
declared, and `plan` saying which secrets a real run needs and where it would find them."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.components.composition import build_current_stack
from eks_hybrid.components.config.secrets import PALETTE_API_KEY_ENV
from eks_hybrid.components.errors import ConfigError
from eks_hybrid.components.palette._credentials import ENV_API_KEY
from eks_hybrid.stack_files import read_stack_file

from ..conftest import REPO, STACKS, copy_examples

runner = CliRunner()
KEY_PATH = "eks-hybrid:palette.apiKey"
# Every example manages Palette objects (the hubs' imported clusters, the sites' node pools).
EXAMPLES_WITH_PALETTE = sorted(p.name for p in STACKS.glob("Pulumi.*.yaml"))
BOTH_WAYS = ("pulumi config set --secret --path 'eks-hybrid:palette.apiKey'", "export PALETTE_API_KEY")


def plan(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["plan", *args], env=env)


def _secure_values(value: object) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_secure_values(v) for v in value.values())
    if isinstance(value, list):
        return any(_secure_values(v) for v in value)
    return False


@pytest.mark.parametrize("path", sorted(STACKS.glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_committed_stack_files_hold_no_ciphertext(path):
    document = yaml.safe_load(path.read_text())
    # A stack file names no key material either: `pulumi stack init` writes the stack's own.
    assert not {"encryptionsalt", "secretsprovider", "encryptedkey"} & set(document)
    holding = [key for key, value in document["config"].items() if _secure_values(value)]
    assert holding == []


def test_the_env_variable_is_the_providers():
    assert PALETTE_API_KEY_ENV == ENV_API_KEY == "PALETTE_API_KEY"


@pytest.mark.parametrize("stack", ["example-hub", "example-hub-ssm", "example-dallas", "example-chicago"])
def test_a_missing_palette_key_is_a_problem_naming_both_ways(stack):
    result = plan("--stack", stack, "--stacks-dir", str(STACKS))
    assert result.exit_code == 2
    assert result.stdout == ""  # nothing planned
    assert f"stacks/Pulumi.{stack}.yaml: {KEY_PATH}: a real run needs a Palette API key" in result.stderr
    for way in (*BOTH_WAYS, "--offline-secrets"):
        assert way in result.stderr


def test_offline_secrets_makes_the_plan_a_preview_that_lists_the_missing_key():
    result = plan("--stack", "example-dallas", "--stacks-dir", str(STACKS), "--offline-secrets")
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.stdout.splitlines() if KEY_PATH in line]
    assert "a Palette API key: missing (offline preview)" in line
    assert all(way in line for way in BOTH_WAYS)
    assert "secrets a real run needs" in result.stdout


def test_the_key_from_the_environment_is_used_and_never_printed():
    env = {"PALETTE_API_KEY": "pk-do-not-print-4f2a"}
    result = plan("--all", "--stacks-dir", str(STACKS), env=env)
    assert result.exit_code == 0, result.output
    assert "pk-do-not-print-4f2a" not in result.output
    assert result.stdout.count(f"{KEY_PATH}: a Palette API key: from PALETTE_API_KEY") == len(
        EXAMPLES_WITH_PALETTE
    )


def test_the_key_in_the_stacks_config_counts(tmp_path):
    def with_key(config: dict) -> None:
        config.setdefault("eks-hybrid:palette", {})["apiKey"] = {"secure": "v1:bm9uY2U=:Y2lwaGVydGV4dA=="}

    stacks = copy_examples(tmp_path, {"example-hub": with_key, "example-denver": with_key})
    result = plan("--stack", "example-denver", "--stacks-dir", str(stacks), "--format", "json")
    assert result.exit_code == 0, result.output
    [secret] = json.loads(result.stdout)["secrets"]
    assert secret == {
        "path": KEY_PATH,
        "what": "a Palette API key",
        "required": True,
        "env": "PALETTE_API_KEY",
        "source": "stack config",
    }


def test_stacks_without_palette_objects_need_no_key(tmp_path):
    hub = read_stack_file(STACKS, "example-hub-ssm").document
    site = read_stack_file(STACKS, "example-denver").document
    hub = {k: v for k, v in hub.items() if k != "eks-hybrid:palette"}
    hub["eks-hybrid:sites"]["denver"] = {
        "nodeCidr": "10.62.0.0/16",
        "podCidr": "172.25.0.0/16",
        "routeVia": "site",
    }
    hub["eks-hybrid:virtualPrivateGateway"] = {}
    hub["eks-hybrid:cilium"] = {**hub["eks-hybrid:cilium"], "ipam": "multiPool"}  # denver is not on BGP
    site = {**site, "aws:region": hub["aws:region"], "eks-hybrid:hub": "lab"}
    # Direct Connect has no customer gateway to take the site's internet egress from: the hub's public
    # endpoint must admit the address its nodes leave from.
    site["eks-hybrid:site"] = {**site["eks-hybrid:site"], "nodePools": [], "egressCidrs": ["203.0.113.80/32"]}
    for name, config in (("lab", hub), ("denver", site)):
        (tmp_path / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))
    result = plan("--all", "--stacks-dir", str(tmp_path), "--format", "text")
    assert result.exit_code == 0, result.output
    assert "secrets a real run needs" not in result.stdout


def test_json_lists_the_secrets_and_the_esc_environments(tmp_path):
    stacks = copy_examples(tmp_path)
    path = stacks / "Pulumi.example-hub.yaml"
    path.write_text(path.read_text() + "environment:\n  - eks-hybrid/edge-prod\n")
    result = plan("--stack", "example-hub", "--stacks-dir", str(stacks), "-f", "json", "--offline-secrets")
    assert result.exit_code == 0, result.output
    plan_document = json.loads(result.stdout)
    assert plan_document["environments"] == ["eks-hybrid/edge-prod"]
    sources = {s["path"]: s["source"] for s in plan_document["secrets"]}
    assert sources[KEY_PATH] == "missing"
    text = plan("--stack", "example-hub", "--stacks-dir", str(stacks), "--offline-secrets").stdout
    assert "Pulumi ESC environments eks-hybrid/edge-prod: not opened offline" in text


def _runtime_config(name: str) -> tuple[dict[str, str], list[str]]:
    stack = read_stack_file(STACKS, name)
    return stack.runtime_config(), sorted(stack.secret_keys)


@pytest.mark.parametrize("stack", ["example-hub", "example-dallas"])
def test_pulumi_up_stops_before_declaring_anything_without_the_key(mock_engine, stack):
    """The program `pulumi up` runs, with the key in neither config nor environment."""
    config, secret_keys = _runtime_config(stack)
    references = {"example-hub": ({}, [])}
    with pytest.raises(ConfigError) as caught:
        mock_engine.run(
            build_current_stack,
            stack=stack,
            config=config,
            secret_keys=secret_keys,
            stack_references=references,
        )
    [problem] = caught.value.problems
    assert problem.path == KEY_PATH
    assert all(way in problem.rule for way in BOTH_WAYS)
    assert "--offline-secrets" not in problem.rule  # `pulumi up` has no such flag


def test_pulumi_up_runs_with_the_key_in_the_environment(mock_engine, monkeypatch):
    monkeypatch.setenv("PALETTE_API_KEY", "pk-from-env")
    config, secret_keys = _runtime_config("example-hub")
    run = mock_engine.run(build_current_stack, stack="example-hub", config=config, secret_keys=secret_keys)
    assert any(r.type == "eks-hybrid:palette:PaletteHub" for r in run.resources)
    assert "pk-from-env" not in json.dumps([r.to_json() for r in run.resources])


def test_make_plan_previews_every_example_and_exits_0():
    """`make plan` runs exactly the command tested here, and README (and with it the docs' Getting started,
    which includes README's quick start) says so."""
    recipe = re.search(r"^plan: .*\n\t(.+)$", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert recipe is not None
    command = recipe.group(1).split()
    assert command[0] == "$(BIN)/eks-hybrid" and command[1] == "plan"
    args = [a if a != "$(STACKS_DIR)" else str(STACKS) for a in command[2:]]
    assert "--offline-secrets" in args
    result = plan(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("secrets a real run needs") == len(EXAMPLES_WITH_PALETTE)
    assert "eks-hybrid plan --all --offline-secrets" in (REPO / "README.md").read_text()


def test_a_missing_key_in_a_stack_with_esc_environments_says_plan_cannot_open_them(tmp_path):
    stacks = copy_examples(tmp_path)
    path = stacks / "Pulumi.example-hub.yaml"
    path.write_text(path.read_text() + "environment:\n  - eks-hybrid/edge-prod\n")
    result = plan("--stack", "example-hub", "--stacks-dir", str(stacks))
    assert result.exit_code == 2
    assert "imports Pulumi ESC environments eks-hybrid/edge-prod, which plan cannot open" in result.stderr
