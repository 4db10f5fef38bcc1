"""A whole diff: every stack's changes, the dangerous ones, and the topology of both sides merged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..topology import Topology, build_topology, merge
from .danger import Danger, find_dangers
from .engine import ACTIONS, PlanSet, StackDiff, diff_plans

NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class DiffReport:
    base: str
    head: str
    stacks: tuple[StackDiff, ...]
    dangers: tuple[Danger, ...]
    topology: Topology
    base_planned_by: str = ""
    head_planned_by: str = ""

    def planned_by(self) -> dict[str, str]:
        """Which eks-hybrid planned each side ("not recorded" for a plan file, which does not say)."""
        return {
            "base": self.base_planned_by or NOT_RECORDED,
            "head": self.head_planned_by or NOT_RECORDED,
        }

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
            "planned_by": self.planned_by(),
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
        base_planned_by=base.planned_by,
        head_planned_by=head.planned_by,
    )
