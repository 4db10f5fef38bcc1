"""`plan --format text` without colour is written by eks-hybrid itself: exactly what rich would print."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pytest
from rich.console import Console

from eks_hybrid.plan_documents import stack_order
from eks_hybrid.planner import StackPlan
from eks_hybrid.text_tree import Node, plan_node, render_text, to_rich
from tests.conftest import STACKS


def rich_plain(node: Node, *, encoding: str = "utf-8") -> str:
    """How the CLI's stdout console (`cli.output`) prints the tree into a pipe."""
    buffer = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="replace", newline="")
    console = Console(file=buffer, soft_wrap=True, highlight=False, color_system=None, width=240)
    console.print(to_rich(node))
    buffer.flush()
    return buffer.buffer.getvalue().decode(encoding)  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("name", stack_order(STACKS))
def test_every_example_stack_prints_as_rich_would(name: str, example_plans: Mapping[str, StackPlan]) -> None:
    node = plan_node(example_plans[name])
    assert render_text(node, width=240) == rich_plain(node)


def tricky() -> Node:
    root = Node((("root", "bold"), (" two\nlines", "")))
    branch = root.add(("[bold]not markup[/bold] :cat: ", "cyan"), ("tab\there", ""))
    branch.add(("multi\nline\nvalue", ""))
    branch.add(("bell\x07 and return\r gone", "green"))
    lone = root.add(("last", "dim"))
    lone.add(("only child\nwith more", "")).add(("deep", ""))
    lone.add(("y" * 224 + "…", ""))  # as wide as rich leaves it at this depth (240 - 3 guides)
    return root


def test_multi_line_labels_markup_tabs_control_codes_and_wide_lines_print_as_rich_would() -> None:
    assert render_text(tricky(), width=240) == rich_plain(tricky())


def test_an_ascii_console_gets_ascii_guides_as_from_rich() -> None:
    text = render_text(tricky(), width=240, ascii_only=True)
    assert text is not None  # written to an ASCII stream, "…" becomes "?" in both
    assert text.encode("ascii", "replace").decode() == rich_plain(tricky(), encoding="ascii")


@pytest.mark.parametrize(
    ("wide", "fitting"), [("x" * 237, "x" * 236), ("y " * 119, "y " * 118), ("界" * 119, "界" * 118)]
)
def test_a_line_rich_would_wrap_is_left_to_rich(wide: str, fitting: str) -> None:
    tree = tricky()
    tree.add((wide, ""))  # 4 cells of guides: 236 left on a 240-cell console
    assert render_text(tree, width=240) is None
    tree.children[-1] = Node(((fitting, ""),))
    assert render_text(tree, width=240) == rich_plain(tree)
