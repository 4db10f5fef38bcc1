"""`plan --format markdown|svg` and the policy lines of `--format text`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..diff.format import COMMENT_MARKER
from ..topology import build_topology
from ..topology.graphviz import to_svg
from ..topology.mermaid import to_mermaid
from . import output


def policy_lines(document: Mapping[str, Any]) -> list[str]:
    section = document.get("policy") or {}
    violations = section.get("violations") or []
    if not violations:
        return [f"policy: {document['stack']}: every rule passes"]
    return [f"policy: {document['stack']}: {len(violations)} violation(s)"] + [
        f"  x [{v['rule']}] ({v['level']}) {v['message']}" for v in violations
    ]


def quiet_line(plan: Any, violations: int) -> str:
    """`plan --quiet`'s line for a planned stack: its resources, and its violations if any."""
    count = len(plan.run.resources)
    found = f", {violations} policy violation(s)" if violations else ""
    return f"ok {plan.stack}: {count} resources{found}"


def quiet_summary(results: Sequence[Any], documents: Sequence[Mapping[str, Any]]) -> str:
    """`plan --quiet`'s last line: stacks planned and refused, resources and violations in all."""
    planned = [r for r in results if r.plan is not None]
    refused = len(results) - len(planned)
    resources = sum(len(r.plan.run.resources) for r in planned)
    violations = sum(len((d.get("policy") or {}).get("violations") or []) for d in documents)
    return (
        f"{len(results)} stack(s): {len(planned)} planned ({resources} resources), {refused} refused or"
        f" skipped; {violations} policy violation(s)"
    )


def plan_markdown(documents: list[dict[str, Any]], errors: Mapping[str, Exception | None]) -> str:
    names = ", ".join("`" + d["stack"] + "`" for d in documents) or "no stack planned"
    out = [
        COMMENT_MARKER.replace("plan-diff", "plan"),
        f"## eks-hybrid plan: {names}",
        "",
        "```mermaid",
        to_mermaid(build_topology(documents)).rstrip(),
        "```",
        "",
    ]
    for document in documents:
        resources = [r for r in document.get("resources", []) if r.get("custom")]
        out += [f"### {document['stack']} ({document['role']}): {len(resources)} resources", ""]
        out += [f"- {line}" for line in policy_lines(document)[1:]] or ["Policy: every rule passes."]
        out += ["", "| Resource | Type | Protected |", "|---|---|---|"]
        out += [
            f"| `{r['name']}` | `{r['type']}` | {'yes' if (r.get('options') or {}).get('protect') else ''} |"
            for r in sorted(resources, key=lambda r: (r["type"], r["name"]))
        ]
        out.append("")
    for stack, error in errors.items():
        out += [f"### {stack}: could not be planned", "", "```", str(error).strip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def plan_svg(documents: list[dict[str, Any]]) -> str:
    try:
        return to_svg(
            build_topology(documents), title="eks-hybrid: " + ", ".join(d["stack"] for d in documents)
        )
    except RuntimeError as error:
        output.fail(str(error))
