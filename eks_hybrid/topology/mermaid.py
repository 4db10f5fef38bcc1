"""A topology as a Mermaid flowchart, which GitHub renders in comments and Markdown files.

Syntax: https://mermaid.js.org/syntax/flowchart.html (subgraphs, `classDef`, links to subgraphs). Labels
are quoted strings with `<br/>` between lines; `#quot;` stands for a double quote inside one.
"""

from __future__ import annotations

from .model import Element, Link, Topology

_MARKS = {"added": "+ ", "removed": "- ", "changed": "~ ", "same": ""}
CLASSES = (
    "classDef added fill:#dafbe1,stroke:#1a7f37,stroke-width:2px,color:#0a3622;",
    "classDef removed fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5,color:#5c0011;",
    "classDef changed fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#3b2300;",
)


def _label(lines: tuple[str, ...], status: str) -> str:
    text = "<br/>".join(line.replace('"', "#quot;") for line in lines if line)
    return f'"{_MARKS[status]}{text}"'


def _element(element: Element, topology: Topology, indent: str, out: list[str]) -> None:
    label = _label(element.lines, element.status)
    if element.kind == "group":
        out.append(f"{indent}subgraph {element.id}[{label}]")
        for child in topology.children(element.id):
            _element(child, topology, indent + "  ", out)
        out.append(f"{indent}end")
    elif element.kind == "gateway":
        out.append(f"{indent}{element.id}{{{{{label}}}}}")
    else:
        out.append(f"{indent}{element.id}[{label}]")


def _link(link: Link) -> str:
    arrow = "-.-" if link.status == "removed" else "==>" if link.status == "added" else "---"
    label = _label(link.lines, link.status)
    return f"  {link.source} {arrow}|{label}| {link.target}"


def to_mermaid(topology: Topology) -> str:
    out = ["flowchart LR"]
    for element in topology.children(None):
        _element(element, topology, "  ", out)
    out += [_link(link) for link in topology.links]
    styled = [e for e in topology.elements if e.status != "same"]
    if styled:
        out += [f"  {line}" for line in CLASSES]
        for status in ("added", "removed", "changed"):
            ids = [e.id for e in styled if e.status == status]
            if ids:
                out.append(f"  class {','.join(ids)} {status};")
    return "\n".join(out) + "\n"
