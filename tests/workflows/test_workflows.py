"""The GitHub workflows: actionlint passes, hubs go before their sites, and nothing a fork can trigger
sees a secret."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
SECRET = re.compile(r"\$\{\{[^}]*\bsecrets\.")
SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"


def workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads `on:` as True
    return document


def all_workflows() -> dict[str, dict[str, Any]]:
    return {path.name: workflow(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


@pytest.mark.skipif(ACTIONLINT is None, reason="actionlint is not installed (requirements-dev.txt pins it)")
def test_actionlint_passes() -> None:
    result = subprocess.run([ACTIONLINT, "-no-color", "-oneline"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(ACTIONLINT is None, reason="actionlint is not installed (requirements-dev.txt pins it)")
def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = subprocess.run(
        [ACTIONLINT, "-no-color", "-oneline", str(broken)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "nope" in result.stdout


def test_no_workflow_runs_untrusted_code_with_privileges() -> None:
    for name, document in all_workflows().items():
        assert "pull_request_target" not in document["on"], name


def test_fork_triggered_jobs_see_no_secret() -> None:
    """A `pull_request` job runs for forks unless it checks the head repository; such a job uses no secret."""
    for name, document in all_workflows().items():
        if "pull_request" not in document["on"]:
            continue
        for job_name, job in document["jobs"].items():
            if SAME_REPO in str(job.get("if", "")):
                continue
            assert not SECRET.search(yaml.safe_dump(job)), f"{name}: {job_name}"
            assert job.get("permissions", {}) in ({}, {"contents": "read"}), f"{name}: {job_name}"
        assert document.get("permissions") == {"contents": "read"}, name


def test_the_comment_workflow_runs_no_pull_request_code() -> None:
    document = workflow("plan-diff-comment.yml")
    assert set(document["on"]) == {"workflow_run"}
    for job in document["jobs"].values():
        uses = [step.get("uses", "") for step in job["steps"]]
        assert not any(u.startswith("actions/checkout") for u in uses)
        assert not any("run" in step for step in job["steps"])
    assert workflow("plan-diff.yml")["name"] in document["on"]["workflow_run"]["workflows"]


def test_every_pull_request_gets_a_plan_diff_without_credentials() -> None:
    document = workflow("plan-diff.yml")
    [job] = document["jobs"].values()
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "eks-hybrid diff" in script and "--format markdown" in script
    assert not SECRET.search(yaml.safe_dump(document))


def needs(job: dict[str, Any]) -> set[str]:
    value = job.get("needs", [])
    return {value} if isinstance(value, str) else set(value)


def test_previews_hubs_before_sites_on_trusted_pull_requests() -> None:
    jobs = workflow("preview.yml")["jobs"]
    assert "hubs" in needs(jobs["sites"])
    assert "stacks" in needs(jobs["hubs"])
    for job in jobs.values():
        assert SAME_REPO in job["if"]
    steps = jobs["hubs"]["steps"]
    [pulumi] = [s for s in steps if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["comment-on-pr"] is True
    assert jobs["sites"]["steps"] == steps  # the same steps (a YAML anchor)


def test_deploys_each_environment_hub_first_then_sites_in_parallel() -> None:
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    environment = deploy["jobs"]["environment"]
    assert environment["uses"] == "./.github/workflows/deploy-environment.yml"
    assert "matrix" in environment["strategy"]
    jobs = workflow("deploy-environment.yml")["jobs"]
    assert needs(jobs["sites"]) == {"hub"}
    assert jobs["sites"]["strategy"]["max-parallel"] <= 3
    for job in jobs.values():
        assert job["environment"] == "${{ inputs.hub }}"  # required reviewers of production approve it
        [pulumi] = [s for s in job["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@")]
        assert pulumi["with"]["command"] == "up" and pulumi["with"]["policyPacks"] == "policy"


def test_a_tag_builds_and_publishes_on_pypi_with_trusted_publishing() -> None:
    document = workflow("release.yml")
    assert document["on"] == {"push": {"tags": ["v*"]}}
    assert document["permissions"] == {"contents": "read"}
    build, publish = document["jobs"]["build"], document["jobs"]["publish"]
    scripts = "\n".join(step.get("run", "") for step in build["steps"])
    assert "python -m build" in scripts and 'test "$TAG" = "v$version"' in scripts
    assert [s["with"] for s in build["steps"] if s.get("uses", "").startswith("actions/upload-artifact")] == [
        {"name": "dist", "path": "dist/", "retention-days": 7}
    ]
    # Publishing only after the build, from its artifact, with the job's OIDC token and no stored secret.
    assert publish["needs"] == "build" and publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    uses = [step.get("uses", "") for step in publish["steps"]]
    assert uses[0].startswith("actions/download-artifact") and publish["steps"][0]["with"]["name"] == "dist"
    assert uses[-1] == "pypa/gh-action-pypi-publish@release/v1" and "with" not in publish["steps"][-1]
    assert not SECRET.search((WORKFLOWS / "release.yml").read_text())


def test_the_build_pin_the_release_reads_is_in_the_dev_requirements() -> None:
    pins = (REPO / "requirements-dev.txt").read_text().splitlines()
    assert [line for line in pins if line.startswith("build==")]


@pytest.mark.slow
def test_the_plan_diff_workflow_runs_as_written_in_a_stacks_repository(tmp_path: Path) -> None:
    """A team's repository holding only stack files, plan-diff.yml copied unchanged: its steps' scripts, run
    with the installed eks-hybrid, diff the pull request's base against its head and name the version."""
    from eks_hybrid import __version__

    repo = tmp_path / "estate"
    shutil.copytree(REPO / "stacks", repo / "stacks")
    (repo / "requirements.txt").write_text(
        f"eks-hybrid @ git+https://example.com/eks-hybrid@v{__version__}\n"
    )

    def git(*args: str) -> str:
        identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
        done = subprocess.run(["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "base")
    base = git("rev-parse", "HEAD")
    dallas = repo / "stacks" / "Pulumi.example-dallas.yaml"
    document = yaml.safe_load(dallas.read_text())
    document["config"]["eks-hybrid:site"]["nodePools"][0]["edgeHosts"].append(
        {"uid": "edge-8f3a2b1e", "name": "dallas-03"}
    )
    dallas.write_text(yaml.safe_dump(document))
    git("commit", "-qam", "a host for dallas")

    job = workflow("plan-diff.yml")["jobs"]["plan-diff"]
    summary = tmp_path / "summary.md"
    environment = {
        **os.environ,
        **job["env"],
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "NO_COLOR": "1",
    }
    values = {"github.event.pull_request.base.sha": base, "github.event.pull_request.number": "7"}
    for step in job["steps"]:
        if "run" not in step:
            continue
        if step["name"] == "Install eks-hybrid":  # the repository's requirements.txt: installed here already
            assert "-r requirements.txt" in step["run"]
            continue
        env = {
            k: re.sub(r"\$\{\{\s*([^}]*?)\s*\}\}", lambda m: values[m.group(1)], str(v))
            for k, v in (step.get("env") or {}).items()
        }
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=repo,
            env={**environment, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"{step['name']}: {done.stderr[-3000:]}"
    report = json.loads((repo / "plan-diff" / "diff.json").read_text())
    assert report["totals"] == {"create": 0, "replace": 0, "update": 1, "delete": 0}
    installed = f"eks-hybrid {__version__} (installed)"
    assert report["planned_by"] == {"base": installed, "head": installed}
    assert f"Planned by: base {installed}, head {installed}." in summary.read_text()
    assert (repo / "plan-diff" / "pr-number").read_text() == "7\n"
