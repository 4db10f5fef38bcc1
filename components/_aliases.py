"""Aliases to the names 0.1 gave children by value (a CIDR, a route table id), so a stack planned by 0.1
keeps its resources when a child is now named by the caller's keys. Only a known value can have been in a
0.1 name: a value that is an Output gets no alias (no 0.1 stack had one)."""

from __future__ import annotations

import pulumi

from .domain.naming import cidr_slug

__all__ = ["renamed_from", "renamed_route"]


def renamed_from(new_name: str, prefix: str, cidr: pulumi.Input[str]) -> list[pulumi.Input[pulumi.Alias]]:
    """The alias to `<prefix><CIDR as a name>` (`edge-tgw-route-10.100.0.0-16`), unless that is the new
    name."""
    if not isinstance(cidr, str):
        return []
    old = f"{prefix}{cidr_slug(cidr)}"
    return [] if old == new_name else [pulumi.Alias(name=old)]


def renamed_route(
    new_name: str, name: str, table_id: pulumi.Input[str], cidr: pulumi.Input[str]
) -> list[pulumi.Input[pulumi.Alias]]:
    """0.1 named a VPC route by its table's id and its CIDR (`<name>-route-<rtb id>-<CIDR>`)."""
    return renamed_from(new_name, f"{name}-route-{table_id}-", cidr) if isinstance(table_id, str) else []
