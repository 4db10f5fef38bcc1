"""`plan` beside files a new user might leave in the stacks directory: each problem is blamed
on the file that has it, with exit status 2 and no traceback, and the other stacks still plan."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from eks_hybrid.cli import app

from ..conftest import copy_examples

runner = CliRunner()


def plan(*args: str):
    return runner.invoke(app, ["plan", *args, "--offline-secrets"])


def test_plan_all_beside_a_binary_stack_file_blames_that_file_only(tmp_path: Path) -> None:
    stacks = copy_examples(tmp_path)
    (stacks / "Pulumi.zz-backup.yaml").write_bytes(bytes(range(256)) * 4)
    result = plan("--all", "--stacks-dir", str(stacks))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (
        f"✗ zz-backup\ninvalid stack configuration (1 problem):\n  - {stacks}/Pulumi.zz-backup.yaml: (file):"
        in (result.stderr)
    )
    assert result.stderr.count("✗") == 1  # every example still planned
    assert result.stdout.count("(hub stack,") == 2 and result.stdout.count("(site stack,") == 4


def test_a_site_whose_hub_file_is_unreadable_is_skipped_and_the_hub_file_blamed(tmp_path: Path) -> None:
    stacks = copy_examples(tmp_path)
    hub = stacks / "Pulumi.example-hub.yaml"
    hub.write_bytes(hub.read_text().encode("latin-1") + "# café\n".encode("latin-1"))
    result = plan("--stack", "example-dallas", "--stacks-dir", str(stacks))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "✗ example-hub\n" in result.stderr and "✗ example-dallas" not in result.stderr
    assert f"{stacks}/Pulumi.example-hub.yaml: (file): is not UTF-8 text" in result.stderr
    assert "skipped site example-dallas: hub stack example-hub could not be planned" in result.stderr


def test_plan_all_with_a_duplicate_key_in_one_stack(tmp_path: Path) -> None:
    stacks = copy_examples(tmp_path)
    dallas = stacks / "Pulumi.example-dallas.yaml"
    dallas.write_text(
        dallas.read_text().replace("  aws:region: us-west-2\n", "  aws:region: us-west-2\n" * 2)
    )
    result = plan("--all", "--stacks-dir", str(stacks))
    assert result.exit_code == 2
    assert (
        f"{stacks}/Pulumi.example-dallas.yaml: aws:region: is given twice (line 4 and line 5)"
        in result.stderr
    )
    assert result.stderr.count("✗") == 1


def test_the_file_is_named_where_stacks_dir_found_it_even_for_program_checks(tmp_path: Path) -> None:
    # Each message names the file under --stacks-dir, never `stacks/Pulumi....` whatever the directory.
    other = tmp_path / "elsewhere"
    copy_examples(tmp_path).rename(other)
    config_path = other / "Pulumi.example-dallas.yaml"
    document = yaml.safe_load(config_path.read_text())
    document["config"]["eks-hybrid:site"]["name"] = "austin-2"  # not in the hub's inventory: the program says
    config_path.write_text(yaml.safe_dump(document))
    result = plan("--stack", "example-dallas", "--stacks-dir", str(other))
    assert result.exit_code == 2, result.output
    assert f"{other}/Pulumi.example-dallas.yaml: eks-hybrid:site.name:" in result.stderr
    assert "stacks/Pulumi" not in result.stderr
