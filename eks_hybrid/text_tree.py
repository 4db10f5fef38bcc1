"""The `plan --format text` view: components, their resources and the inputs a reviewer looks at.

The tree is built once (`plan_node`) and drawn two ways: `plan_text` writes the guide lines itself, for
pipes, files, CI logs and NO_COLOR (what rich prints there, character for character, without its layout
engine, which took ~0.8 s of a 100-site plan); `plan_tree` is a rich `Tree`, for a colour terminal.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from .components.errors import printable_lines
from .offline.options import type_label
from .offline.recording import RecordedResource
from .planner import StackPlan

if TYPE_CHECKING:
    from rich.tree import Tree

# Inputs too bulky to read in a tree; JSON output keeps them all.
_QUIET_INPUTS = frozenset({"tags", "tagsAll"})
_MAX_VALUE = 100
# rich's guides (rich.tree.Tree.TREE_GUIDES[0] and ASCII_GUIDES): space, continue, fork, end.
UNICODE_GUIDES = ("    ", "│   ", "├── ", "└── ")
ASCII_GUIDES = ("    ", "|   ", "+-- ", "`-- ")
# What rich's Text drops (rich.control.strip_control_codes): bell, backspace, vertical tab, form feed, CR.
_CONTROL_CODES = re.compile("[\x07\x08\x0b\x0c\x0d]")

Span = tuple[str, str]
"""A piece of a label and its rich style ("": unstyled)."""


@dataclass
class Node:
    label: tuple[Span, ...]
    children: list[Node] = field(default_factory=list)

    def add(self, *label: Span) -> Node:
        child = Node(label)
        self.children.append(child)
        return child


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _resource_label(resource: RecordedResource) -> tuple[Span, ...]:
    protected: tuple[Span, ...] = ((" ", ""), ("protected", "yellow")) if resource.protect else ()
    return (
        (resource.name, "bold"),
        (" ", ""),
        (f"({type_label(resource.type, resource.kind)})", "dim"),
        *protected,
    )


def _add(tree: Node, resource: RecordedResource, children: dict[str | None, list[RecordedResource]]) -> None:
    branch = tree.add(*_resource_label(resource))
    if resource.custom:
        for key, value in resource.inputs.items():
            if key not in _QUIET_INPUTS and value not in (None, [], {}, ""):
                branch.add((key, "cyan"), (f" = {_short(value)}", ""))
    for child in children.get(resource.urn, []):
        _add(branch, child, children)


def plan_node(plan: StackPlan) -> Node:
    count = len(plan.run.resources)
    tree = Node(((plan.stack, "bold"), (f" ({plan.role} stack, {count} resources)", "")))
    known = {resource.urn for resource in plan.run.resources}
    children: dict[str | None, list[RecordedResource]] = defaultdict(list)
    for resource in sorted(plan.run.resources, key=lambda r: (r.custom, r.name, r.type)):
        parent = resource.parent if resource.parent in known else None
        children[parent].append(resource)
    for resource in children.get(None, []):
        _add(tree, resource, children)
    if plan.run.outputs:
        outputs = tree.add(("outputs", "bold"))
        for key, value in plan.run.outputs.items():
            outputs.add((key, "green"), (f" = {_short(value)}", ""))
    _add_secrets(tree, plan)
    return tree


def _add_secrets(tree: Node, plan: StackPlan) -> None:
    """Which secrets a real `pulumi up` of this stack needs, and where it would find each one now."""
    if not plan.secrets and not plan.environments:
        return
    branch = tree.add(("secrets a real run needs", "bold"))
    for status in plan.secrets:
        need = status.need
        where: tuple[Span, ...]
        if status.source == "missing":
            preview = " (offline preview)" if plan.offline_secrets else ""
            where = (("missing", "red"), (f"{preview}: {need.ways_to_supply()}", ""))
        elif status.source == "environment":
            where = ((f"from {need.env or ''}", "green"),)
        else:
            where = (("set in the stack's config", "green"),)
        branch.add((need.path, "cyan"), (f": {need.what}: ", ""), *where)
    if plan.environments:
        names = ", ".join(plan.environments)
        branch.add(
            (
                f"Pulumi ESC environments {names}: not opened offline; `pulumi up` merges their"
                " pulumiConfig and environmentVariables",
                "",
            )
        )


def _shown(piece: str) -> str:
    """A label's text as printed: the control codes rich drops dropped, every other escaped."""
    return printable_lines(_CONTROL_CODES.sub("", piece))


def _label_lines(label: tuple[Span, ...]) -> list[str]:
    text = _shown("".join(piece for piece, _ in label)).expandtabs(8)
    return text.split("\n")


class _TooWide(Exception):
    """A label line is wider than the console leaves it: rich would wrap it."""


def _fitting(lines: list[str], room: int) -> list[str]:
    if any(not (line.isascii() and len(line) <= room) and cell_len(line) > room for line in lines):
        raise _TooWide
    return lines


def _lines(node: Node, prefix: str, guides: tuple[str, ...], width: int) -> Iterator[str]:
    space, cont, fork, end = guides
    for index, child in enumerate(node.children):
        last = index == len(node.children) - 1
        first_line, *more = _fitting(_label_lines(child.label), width - len(prefix) - len(fork))
        yield f"{prefix}{end if last else fork}{first_line}"
        below = prefix + (space if last else cont)
        for line in more:
            yield f"{below}{line}"
        yield from _lines(child, below, guides, width)


def render_text(node: Node, *, width: int, ascii_only: bool = False) -> str | None:
    """The tree as rich prints it without colour on a console `width` cells wide: guide lines and one label
    line per line, ending in a newline. None when a label line is too wide for the console (rich would wrap
    it: print `to_rich(node)` instead)."""
    try:
        lines = _fitting(_label_lines(node.label), width)
        lines.extend(_lines(node, "", ASCII_GUIDES if ascii_only else UNICODE_GUIDES, width))
    except _TooWide:
        return None
    return "\n".join(lines) + "\n"


def to_rich(node: Node) -> Tree:
    from rich.text import Text
    from rich.tree import Tree

    def text(label: tuple[Span, ...]) -> Text:
        return Text.assemble(*((_shown(piece), style) for piece, style in label))

    def build(target: Tree, source: Node) -> None:
        for child in source.children:
            build(target.add(text(child.label)), child)

    root = Tree(text(node.label))
    build(root, node)
    return root


def plan_tree(plan: StackPlan) -> Tree:
    return to_rich(plan_node(plan))
