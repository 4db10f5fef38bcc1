"""What a plan does, counted, never timed: each hub planned once, one wait per site, a light CLI import.

The figures (seconds, MiB, ratios to the engine's floor) are `make bench`'s, in BENCHMARKS.md.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid import plan_documents, runtime_tuning
from eks_hybrid import planner as planner_module
from eks_hybrid.components._sdk_private import wait as sdk_wait
from eks_hybrid.components.composition import inventory
from eks_hybrid.plan_documents import stack_order
from eks_hybrid.planner import Planner
from tests.conftest import REPO, STACKS


def test_planning_every_stack_plans_each_hub_once(monkeypatch: pytest.MonkeyPatch) -> None:
    planned: list[str] = []
    run = Planner._run

    def counting(self: Planner, stack: Any, references: Any) -> Any:
        planned.append(stack.name)
        return run(self, stack, references)

    monkeypatch.setattr(Planner, "_run", counting)
    planner = Planner(STACKS, offline_secrets=True)
    names = stack_order(STACKS)
    for name in names:
        planner.plan(name)
    assert sorted(planned) == sorted(names)


def test_ordering_and_planning_every_stack_read_each_stack_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    original = planner_module.read_stack_file

    def counting(stacks_dir: Path, name: str) -> Any:
        read.append(name)
        return original(stacks_dir, name)

    for module in (planner_module, plan_documents):
        monkeypatch.setattr(module, "read_stack_file", counting)
    planner = Planner(STACKS, offline_secrets=True)
    names = stack_order(STACKS, planner.read)
    for name in names:
        planner.plan(name)
    assert sorted(read) == sorted(names)


def test_a_site_whose_hub_is_planned_first_by_its_site_plans_the_hub_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    planned: list[str] = []
    run = Planner._run
    monkeypatch.setattr(Planner, "_run", lambda self, s, r: planned.append(s.name) or run(self, s, r))
    planner = Planner(STACKS, offline_secrets=True)
    planner.plan("example-dallas")
    planner.plan("example-hub")  # asked for after its site: planned again, as asked
    planner.plan("example-chicago")
    assert planned == ["example-hub", "example-dallas", "example-hub", "example-chicago"]


def test_a_site_reads_all_its_hubs_outputs_in_one_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[object] = []

    def counting(awaitable: Any) -> Any:
        waits.append(awaitable)
        return sdk_wait(awaitable)

    planner = Planner(STACKS, offline_secrets=True)
    planner.plan("example-hub")
    monkeypatch.setattr(inventory, "wait", counting)
    planner.plan("example-dallas")
    assert len(waits) == 1


def test_the_cli_imports_neither_pulumi_nor_the_planner_until_a_command_needs_them() -> None:
    # `eks-hybrid --help` and `--version` stay quick (BENCHMARKS.md times them): the heavy modules load in the
    # command that uses them.
    heavy = ("pulumi", "pulumi_aws", "pydantic", "eks_hybrid.planner")
    code = f"import sys, eks_hybrid.cli.app; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.strip() == "[]"


def test_tune_gc_freezes_the_imports_and_raises_the_first_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    monkeypatch.delenv(runtime_tuning.DISABLE_ENV, raising=False)
    try:
        runtime_tuning.tune_gc()
        assert gc.get_threshold() == (
            runtime_tuning.FIRST_GENERATION_THRESHOLD,
            *runtime_tuning.OLDER_GENERATION_THRESHOLDS,
        )
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()  # tuned, never switched off: cycles are still collected
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_tune_gc_keeps_the_defaults_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    monkeypatch.setenv(runtime_tuning.DISABLE_ENV, "1")
    runtime_tuning.tune_gc()
    assert gc.get_threshold() == before


def test_the_benchmark_estate_stays_valid_at_1000_sites(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import estate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    from eks_hybrid.components.config import validate_stack

    names = estate.write_estate(tmp_path, 1000)
    from eks_hybrid.stack_files import read_stack_file

    hub = read_stack_file(tmp_path, names[0])
    config = validate_stack(hub.document, "bench-hub")
    assert len(config.sites) == 1000  # type: ignore[union-attr]
    assert estate.site_cidrs(999) == ("10.62.112.0/20", "100.79.156.0/22")
    last = read_stack_file(tmp_path, names[-1])
    validate_stack(last.document, "bench-site0999")
