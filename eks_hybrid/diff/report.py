"""A whole diff: every stack's changes, the dangerous ones, and the topology of both sides merged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..topology import Topology, build_topology, merge
from .danger import Danger, find_dangers
from .engine import ACTIONS, PlanSet, StackDiff, diff_plans


@dataclass(frozen=True)
class DiffReport:
    base: str
    head: str
    stacks: tuple[StackDiff, ...]
    dangers: tuple[Danger, ...]
    topology: Topology

    def totals(self) -> dict[str, int]:
        return {a: sum(s.counts()[a] for s in self.stacks) for a in ACTIONS}

    def changed_stacks(self) -> list[StackDiff]:
        return [s for s in self.stacks if s.status != "unchanged"]

    def violations(self) -> list[tuple[str, dict[str, Any]]]:
        return [(s.stack, v) for s in self.stacks for v in s.violations]

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "totals": self.totals(),
            "dangers": [d.to_json() for d in self.dangers],
            "stacks": [s.to_json() for s in self.stacks],
        }


def compare(base: PlanSet, head: PlanSet) -> DiffReport:
    stacks = diff_plans(base, head)
    return DiffReport(
        base=base.label,
        head=head.label,
        stacks=tuple(stacks),
        dangers=tuple(find_dangers(stacks, base, head)),
        topology=merge(build_topology(base.stacks.values()), build_topology(head.stacks.values())),
    )
