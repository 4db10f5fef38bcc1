"""The picture of planned stacks: a model read from plan documents, drawn as Mermaid or with Graphviz."""

from .model import Element, Link, Topology, build_topology, merge

__all__ = ["Element", "Link", "Topology", "build_topology", "merge"]
