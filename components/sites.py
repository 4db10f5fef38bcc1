"""What several components take about the sites: each site's node and pod CIDR by the site's name, and the
remote-network aggregates that may stand for them. Pass the same mapping to `TransitGatewayHub`,
`HybridCluster` and `CiliumSitePools`; its keys name their per-site children.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

from collections.abc import Mapping
from ipaddress import IPv4Network
from typing import TypedDict

import pulumi

from ._inputs import Arguments, remote_cidr
from .config import cidrs
from .config.cidrs import MAX_REMOTE_NETWORKS

__all__ = ["RemoteNetworkAggregates", "SiteCidrs", "checked_aggregates", "checked_sites"]


class SiteCidrs(TypedDict):
    """One site's networks: where its hybrid nodes and its pods get their addresses."""

    node_cidr: pulumi.Input[str]
    """The site's hybrid node CIDR (IPv4, /8 to /32, inside RFC 1918 or 100.64.0.0/10)."""
    pod_cidr: pulumi.Input[str]
    """The site's pod CIDR (IPv4, /8 to /32, inside RFC 1918 or 100.64.0.0/10); it must not overlap the
    node CIDR, another site's CIDRs or the VPC."""


class RemoteNetworkAggregates(TypedDict, total=False):
    """Aggregates that stand for many sites' CIDRs (EKS takes at most 15 remote networks of each kind):
    with aggregates of a kind, the VPC routes and cluster security group rules of that kind are one per
    aggregate instead of one per site, so their number does not grow with the sites."""

    node_cidrs: Mapping[str, pulumi.Input[str]]
    """Aggregates containing the sites' node CIDRs, by a name you choose (it names their child resources)."""
    pod_cidrs: Mapping[str, pulumi.Input[str]]
    """Aggregates containing the sites' pod CIDRs, by a name you choose (it names their child resources)."""


def checked_sites(
    arguments: Arguments,
    sites: Mapping[str, SiteCidrs] | None,
    path: str = "sites",
    *,
    beside: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, SiteCidrs]:
    """`sites` with each CIDR checked (now when known, else when it resolves), after checking that the
    mapping is written in the program; known CIDRs must not overlap each other nor the `beside` networks
    (`{"vpc_cidr": ...}`), so node CIDR == pod CIDR is refused."""
    checked: dict[str, SiteCidrs] = {}
    labelled = [
        cidrs.LabelledNetwork(arg, network)
        for arg, value in (beside or {}).items()
        if (network := _known_network(value)) is not None
    ]
    for key, site in arguments.plain_mapping(path, sites).items():
        if not isinstance(site, Mapping):
            arguments.problem(f"{path}.{key}", "must be a mapping with node_cidr and pod_cidr")
            continue
        entry: dict[str, pulumi.Input[str]] = {}
        for role in ("node_cidr", "pod_cidr"):
            where = f"{path}.{key}.{role}"
            if site.get(role) is None:
                arguments.problem(where, "is required")
                continue
            entry[role] = arguments.check(where, site[role], remote_cidr)
            network = _known_network(site[role])
            if network is not None:
                labelled.append(cidrs.LabelledNetwork(where, network))
        if len(entry) == 2:
            checked[key] = SiteCidrs(node_cidr=entry["node_cidr"], pod_cidr=entry["pod_cidr"])
    for overlap in cidrs.find_overlaps(labelled):
        arguments.problem(
            overlap.second.path, f"{overlap.describe()}: node, pod and VPC CIDRs must not overlap"
        )
    return checked


def checked_aggregates(
    arguments: Arguments, aggregates: RemoteNetworkAggregates | None, path: str = "remote_network_aggregates"
) -> tuple[dict[str, pulumi.Input[str]], dict[str, pulumi.Input[str]]]:
    """(node aggregates, pod aggregates) by key, each CIDR checked; empty when there are none."""
    if aggregates is None:
        return {}, {}
    found: list[dict[str, pulumi.Input[str]]] = []
    for role, given in (
        ("node_cidrs", aggregates.get("node_cidrs")),
        ("pod_cidrs", aggregates.get("pod_cidrs")),
    ):
        mapping = arguments.plain_mapping(f"{path}.{role}", given)
        if len(mapping) > MAX_REMOTE_NETWORKS:
            arguments.problem(
                f"{path}.{role}", f"{len(mapping)} aggregates: EKS takes at most {MAX_REMOTE_NETWORKS}"
            )
        found.append(
            {key: arguments.check(f"{path}.{role}.{key}", cidr, remote_cidr) for key, cidr in mapping.items()}
        )
    return found[0], found[1]


def _known_network(value: object) -> IPv4Network | None:
    if not isinstance(value, str):
        return None
    try:
        return cidrs.parse_ipv4_network(value)
    except cidrs.CidrRuleError:
        return None
