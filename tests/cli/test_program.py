"""`eks-hybrid plan --program DIR` and `diff --program DIR`: a user's own Pulumi program, planned offline from
a scratch directory (a copy of examples/library), with its config from its own `Pulumi.<stack>.yaml`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.policy.plans import policy_section

from ..conftest import REPO

runner = CliRunner()
LIBRARY = REPO / "examples" / "library"


def scratch_program(tmp_path: Path, name: str = "estate") -> Path:
    directory = tmp_path / name
    shutil.copytree(LIBRARY, directory)
    return directory


def set_config(program: Path, stack: str, key: str, value: object) -> None:
    path = program / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"][key] = value
    path.write_text(yaml.safe_dump(document))


def plan_json(program: Path, *extra: str) -> dict:
    result = runner.invoke(app, ["plan", "--program", str(program), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def inputs_of(document: dict, type_token: str, name: str) -> dict:
    [resource] = [r for r in document["resources"] if r["type"] == type_token and r["name"] == name]
    return resource["inputs"]


def test_a_program_plans_from_a_scratch_directory_with_its_own_config(tmp_path, monkeypatch) -> None:
    program = scratch_program(tmp_path)
    set_config(program, "dev", "aws:region", "eu-west-1")
    set_config(program, "dev", "edge-estate:paletteProjectUid", "0123456789abcdef01234567")
    monkeypatch.chdir(tmp_path)  # nowhere near the repository's stacks/
    document = plan_json(Path("estate"))
    assert document["stack"] == "dev" and document["role"] == "program"
    assert all(r["urn"].startswith("urn:pulumi:dev::edge-estate::") for r in document["resources"])
    # `pulumi.Config` and `aws.config.region` read the program's Pulumi.dev.yaml.
    assert inputs_of(document, "aws:ec2/subnet:Subnet", "edge-a")["availabilityZone"] == "eu-west-1a"
    palette = [r for r in document["resources"] if r.get("kind", {}).get("token") == "palette:ClusterImport"]
    assert [r["inputs"]["projectUid"] for r in palette] == ["0123456789abcdef01234567"]
    # The same policy verdict as a stack file's plan: the pack's rules over the same document.
    assert document["policy"] == policy_section({k: v for k, v in document.items() if k != "policy"})
    assert document["outputs"]["dallasTunnelKeys"] == "[secret]"


def test_the_text_tree_is_the_stack_files_tree(tmp_path) -> None:
    result = runner.invoke(app, ["plan", "--program", str(scratch_program(tmp_path)), "--stack", "dev"])
    assert result.exit_code == 0, result.output
    assert "dev (program stack, " in result.stdout
    assert "dallas-workers (pulumi-python:dynamic:Resource: palette:HybridNodePool" in result.stdout
    assert "policy: dev: " in result.stdout


def test_a_secret_config_value_stands_in_and_stays_secret(tmp_path) -> None:
    program = scratch_program(tmp_path)
    set_config(program, "dev", "edge-estate:paletteApiKey", {"secure": "v1:bm9uY2U=:Y2lwaGVydGV4dA=="})
    document = plan_json(program)
    [hybrid] = [r for r in document["resources"] if r.get("kind", {}).get("token") == "palette:ClusterImport"]
    assert hybrid["inputs"]["apiKey"] == "[secret]"
    assert list(document["configSecrets"]) == ["edge-estate:paletteApiKey"]


def test_the_stack_is_named_when_the_program_has_several(tmp_path) -> None:
    program = scratch_program(tmp_path)
    shutil.copy(program / "Pulumi.dev.yaml", program / "Pulumi.prod.yaml")
    result = runner.invoke(app, ["plan", "--program", str(program)])
    assert result.exit_code == 2
    assert "name the stack to plan with --stack" in result.output and "dev, prod" in result.output
    assert plan_json(program, "--stack", "prod")["stack"] == "prod"


def test_a_directory_that_is_no_program_is_refused_with_its_code(tmp_path) -> None:
    program = scratch_program(tmp_path)
    (program / "Pulumi.yaml").unlink()
    result = runner.invoke(app, ["plan", "--program", str(program), "--format", "json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert "Pulumi.yaml" in error["message"] and "[program-dir]" in error["message"]
    usage = runner.invoke(app, ["plan", "--program", str(program), "--all"])
    assert usage.exit_code == 2 and "--program plans one stack" in usage.output


def tiny_program(directory: Path, cidr: str) -> Path:
    """A program whose VPC CIDR comes from a module of its own (imported from its directory)."""
    directory.mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text("name: tiny\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-2\n  tiny:owner: ops\n")
    (directory / "network.py").write_text(f"CIDR = {cidr!r}\n")
    (directory / "__main__.py").write_text(
        "import pulumi, pulumi_aws as aws\nimport network\n"
        "aws.ec2.Vpc('main', cidr_block=network.CIDR, tags={'owner': pulumi.Config().require('owner')})\n"
    )
    return directory


def test_diff_compares_two_program_directories_each_with_its_own_modules(tmp_path) -> None:
    base = tiny_program(tmp_path / "base", "10.0.0.0/16")
    head = tiny_program(tmp_path / "head", "10.1.0.0/16")
    result = runner.invoke(app, ["diff", "--program", ".", str(base), str(head), "--format", "json"])
    assert result.exit_code == 0, result.output
    [stack] = json.loads(result.stdout)["stacks"]
    assert stack["role"] == "program"
    [vpc] = stack["resources"]
    assert vpc["changes"] == [
        {"path": "cidrBlock", "kind": "changed", "old": "10.0.0.0/16", "new": "10.1.0.0/16"}
    ]


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.slow
def test_diff_plans_the_program_of_two_revisions_of_a_repository_without_eks_hybrid(tmp_path) -> None:
    repo = tmp_path / "infra"
    program = scratch_program(repo, "estate")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    main = program / "__main__.py"
    main.write_text(
        main.read_text().replace(
            'EdgeHost(uid="edge-8a2b3c01")]', 'EdgeHost(uid="edge-8a2b3c01"), EdgeHost(uid="edge-8a2b3c02")]'
        )
    )
    git(repo, "commit", "-qam", "a host for chicago")
    result = runner.invoke(
        app, ["diff", "--program", "estate", "HEAD~1", "HEAD", "--repo", str(repo), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["totals"] == {"create": 0, "replace": 0, "update": 1, "delete": 0}
    [pool] = [r for s in report["stacks"] for r in s["resources"]]
    assert pool["kind"]["token"] == "palette:HybridNodePool"
    assert pool["changes"][0]["path"] == "pool.edgeHosts[1]"
