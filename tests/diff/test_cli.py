"""`eks-hybrid diff` end to end: plan JSON files, stack directories and git revisions, in every format."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from eks_hybrid import __version__
from eks_hybrid.cli import app
from eks_hybrid.diff.sample import pull_request

from ..conftest import REPO, STACKS, copy_examples

runner = CliRunner()


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def add_host(stacks: Path) -> None:
    path = stacks / "Pulumi.example-dallas.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["eks-hybrid:site"]["nodePools"][0]["edgeHosts"].append(
        {"uid": "edge-8f3a2b1e", "name": "dallas-03"}
    )
    path.write_text(yaml.safe_dump(document))


@pytest.mark.slow
def test_git_revisions_are_planned_with_their_own_code(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for part in ("eks_hybrid", "components", "stacks"):  # what `python -m eks_hybrid.cli plan` imports
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, repo / part, ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    add_host(repo / "stacks")
    git(repo, "commit", "-qam", "a host for dallas")
    result = runner.invoke(app, ["diff", "HEAD~1", "HEAD", "--repo", str(repo), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["totals"] == {"create": 0, "replace": 0, "update": 1, "delete": 0}
    [dallas] = [s for s in report["stacks"] if s["stack"] == "example-dallas"]
    [pool] = dallas["resources"]
    assert pool["changes"] == [
        {"path": "pool.edgeHosts[2]", "kind": "added", "new": {"name": "dallas-03", "uid": "edge-8f3a2b1e"}}
    ]
    assert report["base"].startswith("HEAD~1 (")
    own = f"eks-hybrid {__version__} (the revision's own)"
    assert report["planned_by"] == {"base": own, "head": own}


def test_a_stacks_repository_is_planned_with_the_installed_eks_hybrid(tmp_path: Path) -> None:
    # A team's own repository: stack files only, eks-hybrid installed from a package.
    repo = tmp_path / "estate"
    shutil.copytree(STACKS, repo / "stacks")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    add_host(repo / "stacks")
    git(repo, "commit", "-qam", "a host for dallas")
    assert sorted(p.name for p in repo.iterdir()) == [".git", "stacks"]
    result = runner.invoke(app, ["diff", "HEAD~1", "HEAD", "--repo", str(repo), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["totals"] == {"create": 0, "replace": 0, "update": 1, "delete": 0}
    assert not [s for s in report["stacks"] if s.get("errors")]
    installed = f"eks-hybrid {__version__} (installed)"
    assert report["planned_by"] == {"base": installed, "head": installed}
    text = runner.invoke(app, ["diff", "HEAD~1", "HEAD", "--repo", str(repo)])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[3] == f"  planned by: base {installed}, head {installed}"


def test_plan_json_files_and_directories_in_text_and_markdown(tmp_path: Path) -> None:
    base = runner.invoke(
        app, ["plan", "--all", "--offline-secrets", "--format", "json", "--stacks-dir", str(STACKS)]
    )
    assert base.exit_code == 0
    (tmp_path / "base.json").write_text(base.stdout)
    head_dir = copy_examples(tmp_path)
    add_host(head_dir)
    text = runner.invoke(app, ["diff", str(tmp_path / "base.json"), str(head_dir)])
    assert text.exit_code == 0, text.output
    assert (
        "~ dallas-workers (pulumi-python:dynamic:Resource: palette:HybridNodePool, Palette hybrid node"
        " pool) update" in text.stdout
    )
    assert '+ pool.edgeHosts[2]: {"name": "dallas-03", "uid": "edge-8f3a2b1e"}' in text.stdout
    markdown = runner.invoke(
        app, ["diff", str(tmp_path / "base.json"), str(head_dir), "--format", "markdown"]
    )
    assert markdown.stdout.startswith("<!-- eks-hybrid:plan-diff -->\n## eks-hybrid plan diff:")
    assert "```mermaid\nflowchart LR" in markdown.stdout
    assert '"+ dallas-03<br/>edge-8f3a2b1e"' in markdown.stdout


def test_a_side_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", "no-such-thing", str(STACKS), "--repo", str(tmp_path)])
    assert result.exit_code == 2
    assert "no-such-thing: not a plan JSON file, a stacks directory or a git revision" in result.stderr
    as_json = runner.invoke(
        app, ["diff", "no-such-thing", str(STACKS), "--repo", str(tmp_path), "--format", "json"]
    )
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["error"]["kind"] == "source"
    (tmp_path / "bad.json").write_text('{"hello": 1}')
    result = runner.invoke(app, ["diff", str(tmp_path / "bad.json"), str(STACKS)])
    assert result.exit_code == 2 and "not an eks-hybrid plan document" in result.stderr


def test_fail_on_danger(tmp_path: Path) -> None:
    def new_asn(config: dict) -> None:
        config["eks-hybrid:transitGateway"]["amazonSideAsn"] = 64514

    head_dir = copy_examples(tmp_path, {"example-hub": new_asn})
    result = runner.invoke(app, ["diff", str(STACKS), str(head_dir), "--fail-on-danger"])
    assert result.exit_code == 1
    assert "DANGEROUS CHANGES" in result.stdout and "Amazon-side ASN 64512 -> 64514" in result.stdout


def test_headings_name_the_stacks_and_say_when_nothing_is_dangerous(tmp_path: Path) -> None:
    head_dir = copy_examples(tmp_path)
    add_host(head_dir)
    text = runner.invoke(app, ["diff", str(STACKS), str(head_dir)])
    assert text.exit_code == 0, text.output
    first, base, head = text.stdout.splitlines()[:3]
    assert first == "eks-hybrid diff of example-dallas: 1 to update"
    assert (base, head) == (f"  base: {STACKS}", f"  head: {head_dir}")
    assert "No dangerous changes." in text.stdout and "DANGEROUS" not in text.stdout
    markdown = runner.invoke(app, ["diff", str(STACKS), str(head_dir), "--format", "markdown"]).stdout
    heading = markdown.splitlines()[1]
    assert heading == "## eks-hybrid plan diff: `example-dallas`"
    assert ":white_check_mark: No dangerous changes." in markdown


def test_a_dangerous_change_has_no_all_clear_line(tmp_path: Path) -> None:
    head_dir = copy_examples(tmp_path)
    pull_request(head_dir)  # the docs' sample: boise's pod CIDR lands mid-list in Cilium's pool list
    for format in ("text", "markdown"):
        output = runner.invoke(app, ["diff", str(STACKS), str(head_dir), "--format", format]).stdout
        assert "cilium-pool-reorder" in output or "DANGEROUS CHANGES (1)" in output
        assert "No dangerous changes." not in output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_svg_draws_both_sides_marked(tmp_path: Path) -> None:
    head_dir = copy_examples(tmp_path)
    add_host(head_dir)
    result = runner.invoke(app, ["diff", str(STACKS), str(head_dir), "--format", "svg"])
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout)
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "eks-hybrid diff of example-dallas" in texts
    assert "+ dallas-03" in texts
