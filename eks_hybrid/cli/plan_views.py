"""`plan --format markdown|svg` and the policy lines of `--format text`."""

from __future__ import annotations

from collections.abc import Mapping
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
