"""A topology drawn with Graphviz (`dot -Tsvg`), for people outside GitHub.

Boxes are `subgraph cluster_*` (the DOT language, https://graphviz.org/doc/info/lang.html); `dot` comes from
Debian's `graphviz` package. The DOT text is ours, so the layout matches the Mermaid picture.
"""

from __future__ import annotations

import shutil
import subprocess

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import EksHybridError

from .model import Element, Link, Topology

COLOURS = {
    "same": ("#f6f8fa", "#57606a", "solid"),
    "added": ("#dafbe1", "#1a7f37", "bold"),
    "removed": ("#ffebe9", "#cf222e", "dashed"),
    "changed": ("#fff8c5", "#9a6700", "bold"),
}
_MARKS = {"added": "+ ", "removed": "- ", "changed": "~ ", "same": ""}


class GraphvizMissingError(EksHybridError, RuntimeError):
    """`dot` is not installed."""

    code = Code.GRAPHVIZ_MISSING


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(lines: tuple[str, ...], status: str) -> str:
    return _quote(_MARKS[status] + "\\n".join(line for line in lines if line)).replace("\\\\n", "\\n")


def _element(element: Element, topology: Topology, indent: str, out: list[str]) -> None:
    fill, line, style = COLOURS[element.status]
    if element.kind == "group":
        out.append(f"{indent}subgraph cluster_{element.id} {{")
        out.append(
            f'{indent}  label={_label(element.lines, element.status)}; style="rounded,filled,{style}";'
        )
        out.append(f'{indent}  fillcolor="{fill}"; color="{line}"; fontname="Helvetica";')
        children = topology.children(element.id)
        for child in children:
            _element(child, topology, indent + "  ", out)
        if not children:  # an empty cluster is not drawn: keep the box with a point
            out.append(f"{indent}  {element.id}_anchor [shape=point, style=invis];")
        out.append(f"{indent}}}")
    else:
        shape = "hexagon" if element.kind == "gateway" else "box"
        out.append(
            f"{indent}{element.id} [label={_label(element.lines, element.status)}, shape={shape},"
            f' style="rounded,filled,{style}", fillcolor="{fill}", color="{line}", fontname="Helvetica"];'
        )


def _link(link: Link) -> str:
    _, line, style = COLOURS[link.status]
    return (
        f"  {link.source} -> {link.target} [label={_label(link.lines, link.status)}, dir=both,"
        f' color="{line}", style={style}, fontname="Helvetica", fontsize=10];'
    )


def to_dot(topology: Topology, title: str = "eks-hybrid topology") -> str:
    out = [
        "digraph topology {",
        f'  label={_quote(title)}; labelloc=t; rankdir=LR; compound=true; fontname="Helvetica";',
    ]
    for element in topology.children(None):
        _element(element, topology, "  ", out)
    out += [_link(link) for link in topology.links]
    out.append("}")
    return "\n".join(out) + "\n"


def to_svg(topology: Topology, title: str = "eks-hybrid topology") -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissingError(
            "--format svg draws with Graphviz's `dot`, which is not installed"
            " (Debian: apt-get install graphviz)"
        )
    result = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(topology, title), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"dot failed: {result.stderr.strip()}")
    return result.stdout
