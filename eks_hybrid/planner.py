"""Plan stacks offline: run the real program under the mock engine, hubs before the sites that read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.composition import build_current_stack
from components.config import validate_stack
from components.config.source import stack_file_label
from components.errors import PlanError, Problem

from .offline.engine import OfflineRun, StackOutputs, run_offline
from .stack_files import StackFile, read_stack_file, stack_path


@dataclass(frozen=True)
class StackPlan:
    stack: str
    role: str
    run: OfflineRun

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "role": self.role,
            "resources": [resource.to_json() for resource in self.run.resources],
            "outputs": self.run.outputs,
        }


@dataclass
class Planner:
    """Plans stacks from one directory; each hub is planned once and its outputs reused by its sites."""

    stacks_dir: Path
    _hub_outputs: dict[str, StackOutputs] = field(default_factory=dict)

    def plan(self, name: str) -> StackPlan:
        stack = read_stack_file(self.stacks_dir, name)
        # Validate here too, so a bad file is reported as the file's problems, not the program's.
        config = validate_stack(stack.document, stack_file_label(name), stack.secret_keys)
        references: dict[str, StackOutputs] = {}
        if config.role == "site":
            references[config.hub] = self._hub_for(name, config.hub_stack_name)
        return StackPlan(stack=name, role=config.role, run=self._run(stack, references))

    def hub_outputs(self, hub: str) -> StackOutputs:
        if hub not in self._hub_outputs:
            self._hub_outputs[hub] = self.plan(hub).run.stack_outputs()
        return self._hub_outputs[hub]

    def _hub_for(self, site: str, hub: str) -> StackOutputs:
        if hub in self._hub_outputs:
            return self._hub_outputs[hub]
        hub_file = (
            read_stack_file(self.stacks_dir, hub) if stack_path(self.stacks_dir, hub).is_file() else None
        )
        if hub_file is None or hub_file.role != "hub":
            found = "is not a hub stack" if hub_file else f"has no stack file in {self.stacks_dir}"
            raise PlanError(
                [
                    Problem(
                        stack_file_label(site),
                        "eks-hybrid:hub",
                        f"{hub} {found}: plan needs the hub's outputs",
                    )
                ]
            )
        return self.hub_outputs(hub)

    def _run(self, stack: StackFile, references: dict[str, StackOutputs]) -> OfflineRun:
        region = stack.document.get("aws:region")
        return run_offline(
            build_current_stack,
            stack=stack.name,
            config=stack.runtime_config(),
            secret_keys=sorted(stack.secret_keys),
            stack_references=references,
            region=region if isinstance(region, str) else "us-west-2",
        )


def plan_stack(stacks_dir: Path, name: str) -> StackPlan:
    return Planner(stacks_dir).plan(name)
