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
    protected = " [yellow]protected[/yellow]" if resource.protect else ""
    return f"[bold]{escape(resource.name)}[/bold] [dim]({escape(resource.type)})[/dim]{protected}"


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
    _add_secrets(tree, plan)
    return tree


def _add_secrets(tree: Tree, plan: StackPlan) -> None:
    """Which secrets a real `pulumi up` of this stack needs, and where it would find each one now."""
    if not plan.secrets and not plan.environments:
        return
    branch = tree.add("[bold]secrets a real run needs[/bold]")
    for status in plan.secrets:
        need = status.need
        if status.source == "missing":
            where = "[red]missing[/red]" + (" (offline preview)" if plan.offline_secrets else "")
            where += f": {escape(need.ways_to_supply())}"
        elif status.source == "environment":
            where = f"[green]from {escape(need.env or '')}[/green]"
        else:
            where = "[green]set in the stack's config[/green]"
        branch.add(f"[cyan]{escape(need.path)}[/cyan]: {escape(need.what)}: {where}", highlight=False)
    if plan.environments:
        names = ", ".join(plan.environments)
        branch.add(
            f"Pulumi ESC environments {escape(names)}: not opened offline; `pulumi up` merges their"
            " pulumiConfig and environmentVariables",
            highlight=False,
        )
