"""The `plan --format text` view: components, their resources and the inputs a reviewer looks at."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from rich.markup import escape
from rich.tree import Tree

from .offline.recording import RecordedResource
from .planner import StackPlan

# Inputs too bulky to read in a tree; JSON output keeps them all.
_QUIET_INPUTS = frozenset({"tags", "tagsAll"})
_MAX_VALUE = 100


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"
    return escape(text)


def _label(resource: RecordedResource) -> str:
    return f"[bold]{escape(resource.name)}[/bold] [dim]({escape(resource.type)})[/dim]"


def _add(tree: Tree, resource: RecordedResource, children: dict[str | None, list[RecordedResource]]) -> None:
    branch = tree.add(_label(resource))
    if resource.custom:
        for key, value in resource.inputs.items():
            if key not in _QUIET_INPUTS and value not in (None, [], {}, ""):
                branch.add(f"[cyan]{key}[/cyan] = {_short(value)}", highlight=False)
    for child in children.get(resource.urn, []):
        _add(branch, child, children)


def plan_tree(plan: StackPlan) -> Tree:
    count = len(plan.run.resources)
    tree = Tree(f"[bold]{escape(plan.stack)}[/bold] ({plan.role} stack, {count} resources)")
    known = {resource.urn for resource in plan.run.resources}
    children: dict[str | None, list[RecordedResource]] = defaultdict(list)
    for resource in sorted(plan.run.resources, key=lambda r: (r.custom, r.name, r.type)):
        parent = resource.parent if resource.parent in known else None
        children[parent].append(resource)
    for resource in children.get(None, []):
        _add(tree, resource, children)
    if plan.run.outputs:
        outputs = tree.add("[bold]outputs[/bold]")
        for key, value in plan.run.outputs.items():
            outputs.add(f"[green]{key}[/green] = {_short(value)}", highlight=False)
    return tree
