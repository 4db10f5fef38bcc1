"""How `plan` scales with the number of sites, against the engine's own floor (run: `make bench`).

For each size (1 hub + N generated sites, `benchmarks/estate.py`):
- **plan**: eks-hybrid plans every stack in one process (`Planner`, the hub once and its outputs reused by
  every site);
- **floor**: a bare program registers the very same resources (same types, names, inputs, parents,
  dependencies and options, recorded from the plan) in one `set_mocks` run with Pulumi's own `MockMonitor`
  (`benchmarks/floor.py`).
Both import the same resource classes and first plan (or replay) a 10-site estate before the clock starts,
so the plan rows compare warm steady-state work; the process rows count everything (imports, first use).
The plan rows also show the floor replayed as one run per stack (on one event loop), the structure a plan of
separate stacks cannot avoid: what ours costs above that is eks-hybrid's own work.
Both run with the interpreter settings the CLI uses (`eks_hybrid.runtime_tuning`, garbage collection on),
each in a fresh process of its own (so peak memory, the process's max RSS, is its own), alternately, RUNS
times; the table shows medians. Then **process** rows time whole processes: `eks-hybrid plan --all` (text
output, policy checks) against `python benchmarks/floor.py` (imports included in both).
Before timing, the floor is checked faithful: replayed under eks-hybrid's recording monitor, every resource
must come out with the inputs the plan recorded.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(__file__).resolve().parent
for path in (REPO, BENCHMARKS):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

SIZES = (1, 10, 100, 300, 1000)
PROCESS_SIZES = (100, 300)
CHECKED_SIZE = 10


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stack_names(directory: Path) -> list[str]:
    from eks_hybrid.plan_documents import stack_order

    return stack_order(directory)


def _in_order(resources: Iterable[Any]) -> list[Any]:
    """Parents, providers and dependencies before what needs them (the order a program registers in)."""
    by_urn = {r.urn: r for r in resources}
    done: set[str] = set()
    ordered: list[Any] = []

    def visit(urn: str) -> None:
        if urn in done or urn not in by_urn:
            return
        done.add(urn)
        found = by_urn[urn]
        for needed in (found.parent, found.provider, *found.dependencies):
            if needed:
                visit(needed)
        ordered.append(found)

    for urn in by_urn:
        visit(urn)
    return ordered


def record(directory: Path, out: Path) -> int:
    """Plan every stack and write what each registered, in registration order, one JSON object a line."""
    from eks_hybrid.planner import Planner

    planner = Planner(directory, offline_secrets=True)
    count = 0
    with out.open("w") as lines:
        for name in _stack_names(directory):
            for found in _in_order(planner.plan(name).run.resources):
                entry = {
                    "stack": name,
                    "urn": found.urn,
                    "type": found.type,
                    "name": found.name,
                    "custom": found.custom,
                    "parent": found.parent,
                    "provider": found.provider,
                    "deps": list(found.dependencies),
                    "inputs": found.inputs,
                    "options": found.options,
                }
                lines.write(json.dumps(entry, sort_keys=True) + "\n")
                count += 1
    return count


def worker_plan(directory: Path, recording: Path, warm: Path | None) -> dict[str, Any]:
    from floor import import_classes, recorded_types

    from eks_hybrid.planner import Planner
    from eks_hybrid.runtime_tuning import tune_gc

    names = _stack_names(directory)
    import_classes(recorded_types(recording))  # the floor's imports, also before the clock starts
    if warm is not None:
        warming = Planner(warm, offline_secrets=True)
        for name in _stack_names(warm):
            warming.plan(name)
    tune_gc()
    start = time.perf_counter()
    planner = Planner(directory, offline_secrets=True)  # a preview: no Palette key here
    count = sum(len(planner.plan(name).run.resources) for name in names)
    wall = time.perf_counter() - start
    return {"wall": wall, "peak_mib": _peak_mib(), "resources": count}


def worker_floor(recording: Path, warm: Path | None, per_stack: bool) -> dict[str, Any]:
    from floor import run_floor

    if warm is not None:
        run_floor(warm, per_stack=per_stack)
    result = run_floor(recording, per_stack=per_stack)
    return {"wall": result["wall"], "peak_mib": _peak_mib(), "resources": result["resources"]}


def check_floor(recording: Path) -> str:
    """Replay the recording under eks-hybrid's recording monitor; every resource must match the plan's."""
    from floor import floor_mocks, read_recording, run_floor

    from eks_hybrid.offline.recording import RecordingMonitor

    monitor = RecordingMonitor(floor_mocks())
    run_floor(recording, monitor=monitor)

    def key(urn: str, inputs: Any) -> tuple[str, str]:
        return urn.split("::", 2)[2], json.dumps(inputs, sort_keys=True)  # qualified type and name, inputs

    replayed = {key(r.urn, r.inputs) for r in monitor.recorded.values()}
    planned = [key(r["urn"], r["inputs"]) for r in read_recording(recording)]
    different = [urn for urn, inputs in planned if (urn, inputs) not in replayed]
    if different:
        raise SystemExit(f"the floor does not replay {len(different)} resources faithfully: {different[:5]}")
    return f"the floor replays all {len(planned)} resources with the plan's types, parents, names and inputs"


def _run_worker(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=REPO
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _time_process(command: list[str]) -> dict[str, float]:
    """Wall seconds and max RSS of one whole process (its output thrown away)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} exited {os.waitstatus_to_exitcode(status)}")
    return {"wall": wall, "peak_mib": usage.ru_maxrss / 1024}


def _alternate(runs: int, *commands: Callable[[], dict[str, Any]]) -> list[dict[str, float]]:
    """Run the commands in turn (A B C A B C ...), `runs` times each; the median of each figure of each."""
    results: list[list[dict[str, Any]]] = [[] for _ in commands]
    for _ in range(runs):
        for command, found in zip(commands, results, strict=True):
            found.append(command())
    return [
        {key: statistics.median(r[key] for r in found) for key in ("wall", "peak_mib")} for found in results
    ]


HEADER = (
    f"{'':7} {'sites':>5} {'resources':>9} {'ours s':>7} {'floor s':>7} {'ratio':>5}"
    f" {'ms/site':>7} {'floor ms/site':>13} {'ours MiB':>8} {'floor MiB':>9} {'ratio':>5}"
    f" {'floor, a run per stack s':>24} {'ratio':>5}"
)


def _row(
    kind: str,
    sites: int,
    resources: int,
    ours: dict[str, float],
    floor: dict[str, float],
    per_stack: dict[str, float] | None = None,
) -> str:
    row = (
        f"{kind:7} {sites:>5} {resources:>9} {ours['wall']:>7.2f} {floor['wall']:>7.2f}"
        f" {ours['wall'] / floor['wall']:>5.2f} {1000 * ours['wall'] / max(sites, 1):>7.1f}"
        f" {1000 * floor['wall'] / max(sites, 1):>13.1f} {ours['peak_mib']:>8.0f} {floor['peak_mib']:>9.0f}"
        f" {ours['peak_mib'] / floor['peak_mib']:>5.2f}"
    )
    if per_stack is not None:
        row += f" {per_stack['wall']:>24.2f} {ours['wall'] / per_stack['wall']:>5.2f}"
    return row


def main(sizes: tuple[int, ...], process_sizes: tuple[int, ...], runs: int) -> None:
    from estate import write_estate

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores; medians of {runs} alternating runs",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Each worker first plans (or replays) a 10-site estate untimed: the first registration of each
        # type pays one-off costs in both (lazy imports inside the SDKs, source lines read for stack
        # traces, pickling set up), which would otherwise decide the small sizes.
        warm = root / "warm"
        warm.mkdir()
        write_estate(warm, CHECKED_SIZE)
        warm_recording = root / "warm.jsonl"
        _run_worker("--record", str(warm), str(warm_recording))
        print(_run_worker("--check", str(warm_recording))["message"], flush=True)
        print(HEADER, flush=True)
        for sites in sizes:
            directory = root / f"estate-{sites}"
            directory.mkdir()
            write_estate(directory, sites)
            recording = root / f"recording-{sites}.jsonl"
            resources = int(_run_worker("--record", str(directory), str(recording))["resources"])
            floor_args = ("--floor", str(recording), "--warm", str(warm_recording))
            ours, floor, per_stack = _alternate(
                runs,
                functools.partial(_run_worker, "--plan", str(directory), str(recording), "--warm", str(warm)),
                functools.partial(_run_worker, *floor_args),
                functools.partial(_run_worker, *floor_args, "--per-stack"),
            )
            print(_row("plan", sites, resources, ours, floor, per_stack), flush=True)
            if sites in process_sizes:
                # `python -m eks_hybrid.cli` is the `eks-hybrid` command, run from this checkout.
                cli = [sys.executable, "-m", "eks_hybrid.cli", "plan", "--all", "--offline-secrets"]
                floor_process = [sys.executable, str(BENCHMARKS / "floor.py"), str(recording)]
                ours, floor = _alternate(
                    runs,
                    functools.partial(_time_process, [*cli, "--stacks-dir", str(directory)]),
                    functools.partial(_time_process, floor_process),
                )
                print(_row("process", sites, resources, ours, floor), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="site counts, comma-separated")
    parser.add_argument("--process-sizes", default=",".join(map(str, PROCESS_SIZES)))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", nargs=2, metavar=("STACKS_DIR", "RECORDING"))
    parser.add_argument("--plan", nargs=2, metavar=("STACKS_DIR", "RECORDING"))
    parser.add_argument("--floor", metavar="RECORDING")
    parser.add_argument("--check", metavar="RECORDING")
    parser.add_argument("--per-stack", action="store_true", help="with --floor: a run per recorded stack")
    parser.add_argument(
        "--warm", metavar="STACKS_DIR_OR_RECORDING", help="plan or replay this first, untimed"
    )
    options = parser.parse_args()
    if options.record:
        print(json.dumps({"resources": record(Path(options.record[0]), Path(options.record[1]))}))
    elif options.plan:
        warm = Path(options.warm) if options.warm else None
        print(json.dumps(worker_plan(Path(options.plan[0]), Path(options.plan[1]), warm)))
    elif options.floor:
        warm = Path(options.warm) if options.warm else None
        print(json.dumps(worker_floor(Path(options.floor), warm, options.per_stack)))
    elif options.check:
        print(json.dumps({"message": check_floor(Path(options.check))}))
    else:
        parse = lambda text: tuple(int(s) for s in text.split(",") if s)  # noqa: E731
        main(parse(options.sizes), parse(options.process_sizes), options.runs)
