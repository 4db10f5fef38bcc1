"""How values are written in resource names."""

from __future__ import annotations


def cidr_slug(cidr: str) -> str:
    """`10.200.0.0/16` -> `10.200.0.0-16`: a CIDR as a resource name has it (the names 0.1 gave children by
    CIDR, kept for their aliases, and the keys of remote-network aggregates in stack files)."""
    return cidr.replace("/", "-")
