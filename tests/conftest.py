"""Shared fixtures: the mock engine, the repository's paths and the example stacks."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml

from eks_hybrid.components.errors import PlanError, ProblemsError
from eks_hybrid.components.palette._client import CHECKED_KEYS
from eks_hybrid.offline.engine import OfflineRun, StackOutputs, run_offline
from eks_hybrid.plan_documents import stack_order
from eks_hybrid.planner import Planner, StackPlan

REPO = Path(__file__).resolve().parents[1]
# Reference data the tests check against lives in the repository (see reference/README.md).
REFERENCE = REPO / "reference"
# The project's shared folder, present beside a developer's or CI's clone but not a user's: only the
# tests that compare our vendored copies with it use it, and they exist only when it does.
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
STACKS = REPO / "stacks"


class MockEngine:
    """Runs a program under Pulumi's mock engine (`preview=False`) and returns what it registered."""

    def run(
        self,
        program: Callable[[], None],
        *,
        stack: str = "test",
        config: Mapping[str, str] | None = None,
        secret_keys: list[str] | None = None,
        stack_references: Mapping[str, StackOutputs] | None = None,
    ) -> OfflineRun:
        return run_offline(
            program,
            stack=stack,
            config=config,
            secret_keys=secret_keys,
            stack_references=stack_references,
        )

    def run_refused(
        self,
        program: Callable[[], object],
        *,
        stack: str = "test",
        stack_references: Mapping[str, StackOutputs] | None = None,
        config: Mapping[str, str] | None = None,
        secret_keys: list[str] | None = None,
        refusal: type[ProblemsError] = PlanError,
    ) -> tuple[OfflineRun, ProblemsError]:
        """Run `program`, which must raise `refusal` (`PlanError` unless told, `ConfigError` for a stack's
        config the program refuses); the run shows what it declared before that."""
        caught: list[ProblemsError] = []

        def guarded() -> None:
            try:
                program()
            except refusal as exc:
                caught.append(exc)

        run = self.run(
            guarded, stack=stack, stack_references=stack_references, config=config, secret_keys=secret_keys
        )
        [error] = caught
        return run, error


@pytest.fixture
def mock_engine() -> Iterator[MockEngine]:
    """A fresh event loop per run, `preview=False`, and Pulumi's globals reset afterwards."""
    yield MockEngine()


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


def declared(run: OfflineRun) -> list[str]:
    """The URNs of what `run` declared beyond reads: a hub reads its own previous outputs through a
    StackReference (`composition.previous_outputs`) before it checks anything, which creates nothing."""
    return [r.urn for r in run.resources if r.type != "pulumi:pulumi:StackReference"]


def inputs_of(run: OfflineRun, name: str) -> dict[str, Any]:
    return run.named(name).inputs


@pytest.fixture(scope="session")
def example_plans() -> Mapping[str, StackPlan]:
    """Every stack in stacks/ planned offline (`plan --offline-secrets`), once per test session and xdist
    worker, hubs first so each site reads its hub's outputs. For tests that only read a plan: one that
    edits a stack plans its own copy (`copy_examples`)."""
    planner = Planner(STACKS, offline_secrets=True)
    return MappingProxyType({name: planner.plan(name) for name in stack_order(STACKS, planner.read)})


@pytest.fixture(autouse=True)
def _no_palette_key_from_the_developer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a Palette key is set is part of what tests check: never inherit one from the shell."""
    monkeypatch.delenv("PALETTE_API_KEY", raising=False)


@pytest.fixture(autouse=True)
def _palette_keys_unchecked() -> Iterator[None]:
    """A Palette key check passes once per process (`CHECKED_KEYS`): each test starts as a fresh process
    would, whatever emulator an earlier test ran at the same address."""
    CHECKED_KEYS.clear()
    yield
    CHECKED_KEYS.clear()


def copy_examples(tmp_path: Path, edits: Mapping[str, Callable[[dict[str, Any]], None]] = {}) -> Path:
    """The example stacks copied to `tmp_path/stacks`, `edits[stack]` applied to that stack's `config`."""
    stacks = tmp_path / "stacks"
    shutil.copytree(STACKS, stacks)
    for name, edit in edits.items():
        path = stacks / f"Pulumi.{name}.yaml"
        document = yaml.safe_load(path.read_text())
        edit(document["config"])
        path.write_text(yaml.safe_dump(document))
    return stacks
