"""A diff as plain text (terminals, logs) or Markdown (a pull request comment). Values are never cut."""

from __future__ import annotations

import json
from typing import Any

from ..offline.options import type_label
from ..topology.graphviz import to_svg
from ..topology.mermaid import to_mermaid
from .engine import ResourceDiff, StackDiff
from .grouping import group_tunnel_crypto
from .report import DiffReport
from .values import MISSING, Change

COMMENT_MARKER = "<!-- eks-hybrid:plan-diff -->"
_SYMBOLS = {"create": "+", "delete": "-", "replace": "+-", "update": "~"}
NO_DANGER = "No dangerous changes."
_VERBS = {"create": "to create", "replace": "to replace", "update": "to update", "delete": "to delete"}


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def change_lines(change: Change) -> list[str]:
    """`- path: old` / `+ path: new`, the shape a `diff` code block colours."""
    lines = []
    if change.old is not MISSING:
        lines.append(f"- {change.path}: {_value(change.old)}")
    if change.new is not MISSING:
        lines.append(f"+ {change.path}: {_value(change.new)}")
    return lines


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{n} {_VERBS[a]}" for a, n in counts.items() if n]
    return ", ".join(parts) or "no changes"


def _resource_heading(resource: ResourceDiff) -> str:
    heading = f"{_SYMBOLS[resource.action]} {resource.name} ({type_label(resource.type, resource.kind)})"
    heading += f" {resource.action}"
    if resource.replace_reasons:
        heading += f", because of {', '.join(resource.replace_reasons)}"
    return heading


def _shown_changes(resource: ResourceDiff) -> list[Change]:
    """The changes as a person reads them: a VPN connection's tunnel crypto options grouped."""
    return group_tunnel_crypto(resource.type, resource.changes)


def _resource_lines(resource: ResourceDiff, indent: str = "    ") -> list[str]:
    lines = [f"{indent}{note}" for note in resource.notes]
    lines += [f"{indent}{line}" for change in _shown_changes(resource) for line in change_lines(change)]
    return lines


def stacks_named(report: DiffReport, limit: int = 6, quote: Any = str) -> str:
    """The stacks a diff is about, for its heading: those that change (every stack when none does), the
    first `limit` by name and how many more."""
    stacks = [s.stack for s in report.changed_stacks()] or [s.stack for s in report.stacks]
    if not stacks:
        return "no stacks"
    shown = ", ".join(quote(name) for name in stacks[:limit])
    return shown + (f" and {len(stacks) - limit} more" if len(stacks) > limit else "")


def _stack_status(stack: StackDiff) -> str:
    if stack.status == "failed":
        return "could not be planned"
    if stack.status in ("added", "removed"):
        return f"stack {stack.status}: {_summary(stack.counts())}"
    return _summary(stack.counts())


# --- text ----------------------------------------------------------------------------------------------


def to_text(report: DiffReport) -> str:
    by = report.planned_by()
    out = [
        f"eks-hybrid diff of {stacks_named(report)}: {_summary(report.totals())}",
        f"  base: {report.base}",
        f"  head: {report.head}",
        f"  planned by: base {by['base']}, head {by['head']}",
        "",
    ]
    if report.dangers:
        out.append(f"DANGEROUS CHANGES ({len(report.dangers)}):")
        out += [f"  ! {d.stack}: {d.message}" for d in report.dangers]
    else:
        out.append(NO_DANGER)
    violations = report.violations()
    if violations:
        out.append("")
        out.append(f"POLICY VIOLATIONS in {report.head} ({len(violations)}):")
        out += [f"  x {stack}: [{v['rule']}] {v['message']}" for stack, v in violations]
    for stack in report.stacks:
        out.append("")
        out.append(f"{stack.stack} ({stack.role}): {_stack_status(stack)}")
        out += [f"  {side}: {message}" for side, message in stack.errors.items()]
        for resource in stack.resources:
            out.append(f"  {_resource_heading(resource)}")
            out += _resource_lines(resource)
        if stack.outputs:
            out.append("  outputs:")
            out += [f"    {line}" for change in stack.outputs for line in change_lines(change)]
        if stack.secrets:
            out.append("  config secrets (digests of their ciphertext):")
            out += [f"    {line}" for change in stack.secrets for line in change_lines(change)]
    return "\n".join(out) + "\n"


# --- markdown ------------------------------------------------------------------------------------------


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _stack_markdown(stack: StackDiff) -> list[str]:
    out = [f"### {stack.stack} ({stack.role}): {_stack_status(stack)}", ""]
    for side, message in stack.errors.items():
        out += [f"**{side} could not be planned:**", "", "```", message.strip(), "```", ""]
    if stack.resources:
        out += ["| | Resource | Type | Replaced because of |", "|---|---|---|---|"]
        for r in stack.resources:
            why = ", ".join(_code(p) for p in r.replace_reasons) or ""
            kind = f" ({_code(r.kind['token'])}, {r.kind['description']})" if r.kind else ""
            out.append(
                f"| {_SYMBOLS[r.action]} {r.action} | {_code(r.name)} | {_code(r.type)}{kind} | {why} |"
            )
        out.append("")
        out += ["<details><summary>Property changes</summary>", "", "```diff"]
        for r in stack.resources:
            # A diff block colours a line by its first character: `@@` headings, `+`/`-` values.
            out.append(f"@@ {_resource_heading(r)} @@")
            out += [f"# {note}" for note in r.notes]
            out += [
                f"{line[0]}   {line[2:]}" for change in _shown_changes(r) for line in change_lines(change)
            ]
        out += ["```", "", "</details>", ""]
    if stack.outputs or stack.secrets:
        out += ["<details><summary>Outputs and config secrets</summary>", "", "```diff"]
        out += [line for change in stack.outputs for line in change_lines(change)]
        out += [
            f"{line} (config secret: digest of its ciphertext)"
            for c in stack.secrets
            for line in change_lines(c)
        ]
        out += ["```", "", "</details>", ""]
    return out


def to_markdown(report: DiffReport) -> str:
    changed = report.changed_stacks()
    out = [
        COMMENT_MARKER,
        f"## eks-hybrid plan diff: {stacks_named(report, quote=_code)}",
        "",
        f"Base {_code(report.base)} → head {_code(report.head)}."
        f" **{len(changed)} of {len(report.stacks)} stacks change**: {_summary(report.totals())}."
        " Planned offline (no cloud credentials); secrets show as `[secret]` and compare by presence.",
        "",
        f"Planned by: base {report.planned_by()['base']}, head {report.planned_by()['head']}.",
        "",
    ]
    if report.dangers:
        out += [f"### :warning: Dangerous changes ({len(report.dangers)})", ""]
        out += [f"- **{d.kind}** in {_code(d.stack)}: {d.message}" for d in report.dangers]
        out.append("")
    else:
        out += [f":white_check_mark: {NO_DANGER}", ""]
    violations = report.violations()
    if violations:
        out += [f"### :no_entry: Policy violations in {_code(report.head)} ({len(violations)})", ""]
        out += [
            f"- **{v['rule']}** ({v['level']}) in {_code(stack)}: {v['message']}" for stack, v in violations
        ]
        out.append("")
    out += [
        "### Topology",
        "",
        "Marked: `+` added (green), `-` removed (red, dashed), `~` changed (yellow).",
        "",
        "```mermaid",
        to_mermaid(report.topology).rstrip(),
        "```",
        "",
    ]
    for stack in changed:
        out += _stack_markdown(stack)
    unchanged = [s.stack for s in report.stacks if s.status == "unchanged"]
    if unchanged:
        out += [f"Unchanged: {', '.join(_code(s) for s in unchanged)}.", ""]
    return "\n".join(out).rstrip() + "\n"


# --- svg -----------------------------------------------------------------------------------------------


def to_svg_picture(report: DiffReport) -> str:
    """The topology of both sides, marked as in the Markdown picture, drawn by Graphviz (`dot`)."""
    return to_svg(
        report.topology, title=f"eks-hybrid diff of {stacks_named(report)}: {report.base} -> {report.head}"
    )
