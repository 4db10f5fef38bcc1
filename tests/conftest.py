"""Shared fixtures: the mock engine, the repository's paths and the example stacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid.offline.engine import OfflineRun, StackOutputs, run_offline

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


@pytest.fixture
def mock_engine() -> Iterator[MockEngine]:
    """A fresh event loop per run, `preview=False`, and Pulumi's globals reset afterwards."""
    yield MockEngine()


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


def inputs_of(run: OfflineRun, name: str) -> dict[str, Any]:
    return run.named(name).inputs
