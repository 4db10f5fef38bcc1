"""The report: a table with one line per check (rich), or a JSON document for machines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from .findings import Finding, Status, exit_code, summary

__all__ = ["report_json", "report_table", "summary_line"]

_STYLE = {Status.ok: "green", Status.warn: "yellow", Status.fail: "bold red", Status.error: "magenta"}
_LABEL = {Status.ok: "ok", Status.warn: "warn", Status.fail: "FAIL", Status.error: "n/a"}


def report_table(stack: str, role: str, items: Sequence[Finding], *, unicode: bool = True) -> Table:
    table = Table(title=f"eks-hybrid verify: {stack} ({role} stack)", title_justify="left", expand=True)
    table.add_column("", no_wrap=True)
    table.add_column("area", no_wrap=True)
    table.add_column("check", ratio=2)
    table.add_column("found / remedy", ratio=3)
    for item in items:
        found = Text(item.detail)
        if item.remedy:
            found.append(("\n→ " if unicode else "\n-> ") + item.remedy, style="cyan")
        table.add_row(
            Text(_LABEL[item.status], style=_STYLE[item.status]), item.area, Text(item.check), found
        )
    return table


def summary_line(items: Sequence[Finding]) -> str:
    counts = summary(items)
    return (
        f"{counts['ok']} ok, {counts['warn']} warning(s), {counts['fail']} failed,"
        f" {counts['error']} could not be checked"
    )


def report_json(stack: str, role: str, items: Sequence[Finding]) -> dict[str, Any]:
    return {
        "stack": stack,
        "role": role,
        "exitCode": exit_code(items),
        "summary": summary(items),
        "checks": [item.to_json() for item in items],
    }
