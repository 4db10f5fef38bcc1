"""Shared fixtures: the mock engine, the repository's paths and the example stacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid.offline.engine import OfflineRun, StackOutputs, run_offline

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference"
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
    if not REFERENCE.is_dir():
        pytest.fail(f"{REFERENCE} is missing: clone the repository with ../shared beside it")
    return REFERENCE


def inputs_of(run: OfflineRun, name: str) -> dict[str, Any]:
    return run.named(name).inputs
