"""Where the two sides of a diff come from: a plan JSON file, a stacks directory, or a git revision.

- A JSON file: `eks-hybrid plan --format json` of one stack, or of several (`--all`).
- A directory of `Pulumi.<stack>.yaml` files: planned here, with this checkout's code.
- With `--program DIR`: a program directory (`plan --program`), every stack it has config for; or a git
  revision whose tree holds the program at DIR, extracted and planned here, with the installed eks-hybrid
  (the one the program imports).
- A git revision (`origin/main`, a commit): the revision's tree is extracted (`git archive`) into a
  temporary directory. A revision of eks-hybrid itself (it holds the `eks_hybrid` package) is planned with
  *its own* code (`python -m eks_hybrid.cli plan` run there), because that is what deploying it would run.
  A revision of a stacks repository (stack files only, eks-hybrid installed from a package) is planned with
  the installed eks-hybrid, the one its deployments run. Secrets are never needed: plans run with
  `--offline-secrets`.

Each side says which eks-hybrid planned it (`PlanSet.planned_by`), so a reviewer knows what the diff compares.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eks_hybrid import __version__
from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import EksHybridError, ProblemsError

from ..plan_documents import error_document, plan_document, plan_stacks, stack_order
from ..plan_schema import PlanDocumentError, parse_plan_json, read_plan_document, validate_plan_document
from ..planner import Planner
from ..program import plan_program, read_program
from .engine import PlanSet


class SourceError(EksHybridError):
    """A side of the diff cannot be read or planned at all (not one stack: the whole side)."""

    code = Code.PLAN_SOURCE


INSTALLED = f"eks-hybrid {__version__} (installed)"


def _from_documents(label: str, document: Any, planned_by: str = "") -> PlanSet:
    plans = PlanSet(label, planned_by=planned_by)
    if isinstance(document, dict) and "stacks" in document:
        for stack in document["stacks"]:
            plans.stacks[stack["stack"]] = stack
        for name, error in (document.get("errors") or {}).items():
            plans.errors[name] = str(error.get("message", error) if isinstance(error, dict) else error)
    elif isinstance(document, dict) and "resources" in document:
        plans.stacks[document["stack"]] = document
    elif isinstance(document, dict) and "error" in document:
        plans.errors[document["stack"]] = str(document["error"].get("message"))
    else:
        raise SourceError(f"{label}: not an eks-hybrid plan document")
    return plans


def _checked(label: str, output: str) -> Any:
    """A plan command's JSON output, checked as a plan file is (`plan_schema`)."""
    return validate_plan_document(label, parse_plan_json(label, output.encode("utf-8", "surrogateescape")))


def load_plan_file(path: Path) -> PlanSet:
    try:
        return _from_documents(str(path), read_plan_document(path))
    except PlanDocumentError as error:
        raise SourceError(error.render(), code=error.code) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read as a plan: {exc.strerror or exc}") from None


def plan_directory(stacks_dir: Path, *, label: str | None = None, policy: bool = True) -> PlanSet:
    planner = Planner(stacks_dir, offline_secrets=True)
    plans = PlanSet(label or str(stacks_dir), planned_by=INSTALLED)
    for outcome in plan_stacks(planner, stack_order(stacks_dir, planner.read)):
        if outcome.plan is not None:
            plans.stacks[outcome.stack] = plan_document(outcome.plan, policy=policy)
        elif outcome.error is not None:
            plans.errors[outcome.stack] = error_document(outcome.stack, outcome.error)["error"]["message"]
    return plans


def _git(repo: Path, *args: str, binary: bool = False) -> Any:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if result.returncode != 0:
        raise SourceError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout if binary else result.stdout.decode().strip()


def is_revision(repo: Path, revision: str) -> bool:
    result = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _run_plan(tree: Path, stacks: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(tree), "NO_COLOR": "1"}
    command = [
        sys.executable,
        "-m",
        "eks_hybrid.cli",
        "plan",
        "--offline-secrets",
        "--stacks-dir",
        stacks,
        *args,
    ]
    return subprocess.run(command, cwd=tree, env=environment, capture_output=True, text=True, check=False)


def _own_version(tree: Path) -> str:
    """The eks-hybrid version a revision of eks-hybrid itself declares (`eks_hybrid/__init__.py`)."""
    found = re.search(
        r"""^__version__\s*=\s*["']([^"']+)["']""", (tree / "eks_hybrid" / "__init__.py").read_text(), re.M
    )
    return f"eks-hybrid {found.group(1) if found else 'of unknown version'} (the revision's own)"


@contextlib.contextmanager
def _revision_tree(repo: Path, revision: str) -> Iterator[tuple[str, Path]]:
    """`revision`'s files extracted in a temporary directory, with the label the diff shows for it."""
    commit = _git(repo, "rev-parse", "--verify", f"{revision}^{{commit}}")
    label = f"{revision} ({commit[:12]})" if not commit.startswith(revision) else commit[:12]
    archive = _git(repo, "archive", "--format=tar", commit, binary=True)
    with tempfile.TemporaryDirectory(prefix="eks-hybrid-diff-") as tmp:
        tree = Path(tmp)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
        yield label, tree


def plan_revision(repo: Path, revision: str, stacks_dir: str = "stacks") -> PlanSet:
    with _revision_tree(repo, revision) as (label, tree):
        own_code = (tree / "eks_hybrid" / "cli").is_dir()
        planned_by = _own_version(tree) if own_code else INSTALLED
        if not (tree / stacks_dir).is_dir():
            return PlanSet(label, planned_by=planned_by)  # no stacks yet: every head stack is new
        if not own_code:
            # A stacks repository: its stack files, planned by this installation.
            return plan_directory(tree / stacks_dir, label=label)
        whole = _run_plan(tree, stacks_dir, "--all", "--format", "json")
        try:
            return _from_documents(label, _checked(label, whole.stdout), planned_by)
        except (PlanDocumentError, SourceError):
            pass  # an older eks-hybrid: --format json takes one stack at a time
        plans = PlanSet(label, planned_by=planned_by)
        for name in sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in (tree / stacks_dir).glob("Pulumi.*.yaml")
        ):
            single = _run_plan(tree, stacks_dir, "--stack", name, "--format", "json")
            try:
                plans.stacks[name] = _checked(f"{label}: plan --stack {name}", single.stdout)
            except PlanDocumentError:
                plans.errors[name] = (
                    single.stderr or single.stdout
                ).strip() or f"exit status {single.returncode}"
        return plans


def plan_program_directory(directory: Path, *, label: str | None = None, policy: bool = True) -> PlanSet:
    """Every stack of the program in `directory` (each `Pulumi.<stack>.yaml` beside its Pulumi.yaml),
    planned here, with the installed eks-hybrid (the one the program imports)."""
    try:
        program = read_program(directory)
    except ProblemsError as error:
        raise SourceError(f"{label or directory}: {error.render()}") from error
    plans = PlanSet(label or str(directory))
    for name in program.stacks:
        try:
            plans.stacks[name] = plan_document(plan_program(directory, name), policy=policy)
        except Exception as error:
            plans.errors[name] = error_document(name, error)["error"]["message"]
    return plans


def plan_program_revision(repo: Path, revision: str, program: str) -> PlanSet:
    """The program at `program` (a directory of the repository) as `revision` has it, planned here."""
    with _revision_tree(repo, revision) as (label, tree):
        if not (tree / program).is_dir():
            return PlanSet(label)  # no program yet: every head stack is new
        return plan_program_directory(tree / program, label=label)


def load_side(
    argument: str, *, repo: Path, stacks_dir: str = "stacks", program: str | None = None
) -> PlanSet:
    """BASE or HEAD of `eks-hybrid diff`: a plan JSON file, a stacks directory, or a git revision; with
    `program` (`diff --program DIR`), a directory is a program directory and a revision's program is at
    `program` in it."""
    path = Path(argument)
    if path.is_file():
        return load_plan_file(path)
    if path.is_dir():
        if program is not None:
            return plan_program_directory(path, label=argument)
        return plan_directory(path, label=argument)
    if is_revision(repo, argument):
        if program is not None:
            return plan_program_revision(repo, argument, program)
        return plan_revision(repo, argument, stacks_dir)
    raise SourceError(f"{argument}: not a plan JSON file, a stacks directory or a git revision of {repo}")
