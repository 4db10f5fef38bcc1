"""What several components take about the sites: each site's node and pod CIDR by the site's name, and the
remote-network aggregates that may stand for them. Pass the same mapping to `TransitGatewayHub`,
`HybridCluster` and `CiliumSitePools`; its keys name their per-site children.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

from collections.abc import Mapping
from typing import TypedDict

import pulumi

__all__ = ["RemoteNetworkAggregates", "SiteCidrs"]


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
