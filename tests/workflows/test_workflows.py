"""The GitHub workflows: actionlint passes, hubs go before their sites, and nothing a fork can trigger
sees a secret."""

from __future__ import annotations

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
