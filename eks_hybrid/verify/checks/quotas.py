"""Headroom under the AWS quotas one more site consumes: a warning when the next site would cross one.

The limits are AWS's defaults (data below, with their source). Adjustable ones may have been raised for
your account; `verify` does not read Service Quotas, so a raised quota can show a warning it does not need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import findings
from ..findings import Finding
from ..intent import QuotaIntent
from .eks import PrefixLists, remote_cidrs

__all__ = [
    "REMOTE_NODE_NETWORKS",
    "REMOTE_POD_NETWORKS",
    "ROUTES_PER_VPC_ROUTE_TABLE",
    "RULES_PER_SECURITY_GROUP",
    "TGW_ROUTES",
    "Quota",
    "check_quotas",
    "rule_count",
]


@dataclass(frozen=True)
class Quota:
    name: str
    limit: int
    adjustable: bool
    source: str


REMOTE_NODE_NETWORKS = Quota(
    "remote node networks per cluster",
    15,
    False,
    "EKS user guide, hybrid-nodes-overview; EKS API reference, RemoteNodeNetwork",
)
REMOTE_POD_NETWORKS = Quota(
    "remote pod networks per cluster",
    15,
    False,
    "EKS user guide, hybrid-nodes-overview; EKS API reference, RemotePodNetwork",
)
RULES_PER_SECURITY_GROUP = Quota(
    "inbound or outbound rules per security group",
    60,
    True,
    "Amazon VPC quotas, Security groups (a rule referencing a prefix list counts as its max entries)",
)
ROUTES_PER_VPC_ROUTE_TABLE = Quota(
    "routes per VPC route table", 50, True, "Amazon VPC quotas, Route tables (non-propagated routes)"
)
TGW_ROUTES = Quota(
    "combined routes across all route tables of a transit gateway",
    10_000,
    True,
    "AWS Transit Gateway quotas, Routing",
)


def _headroom(quota: Quota, check: str, used: int, per_site: int) -> Finding:
    detail = f"{used} of {quota.limit} used; the next site adds {per_site}"
    if used > quota.limit:
        return findings.fail(
            "quotas",
            check,
            f"{used} is over the {quota.name} limit of {quota.limit}",
            "the account's quota was raised or the limit changed: check Service Quotas",
        )
    if used + per_site > quota.limit:
        raise_it = "request an increase in Service Quotas, or " if quota.adjustable else ""
        return findings.warn(
            "quotas",
            check,
            f"{detail}: the next site would cross the {quota.name} limit ({quota.source})",
            f"{raise_it}aggregate sites under covering remote networks (eks-hybrid:remoteNetworks)",
        )
    return findings.ok("quotas", check, detail)


def rule_count(rules: Sequence[Mapping[str, Any]], prefix_lists: PrefixLists, egress: bool) -> int:
    """Rules of one direction, a prefix-list rule counting as its list's max entries (as AWS counts)."""
    total = 0
    for rule in rules:
        if bool(rule.get("IsEgress")) != egress:
            continue
        listed = prefix_lists.get(str(rule.get("PrefixListId") or ""))
        total += int(listed.get("MaxEntries") or 1) if listed is not None else 1
    return total


def check_quotas(
    intent: QuotaIntent,
    *,
    cluster: Mapping[str, Any] | None,
    rules: Sequence[Mapping[str, Any]] | None,
    prefix_lists: PrefixLists,
    route_tables: Mapping[str, Mapping[str, Any] | None],
    tgw_route_counts: Mapping[str, int] | None,
) -> list[Finding]:
    """Each quota with what the next site would add (from the same planners the program uses)."""
    out: list[Finding] = []
    if cluster is not None:
        nodes, pods = remote_cidrs(cluster)
        out.append(
            _headroom(
                REMOTE_NODE_NETWORKS, f"cluster {intent.cluster_name} remote node networks", len(nodes), 1
            )
        )
        out.append(
            _headroom(REMOTE_POD_NETWORKS, f"cluster {intent.cluster_name} remote pod networks", len(pods), 1)
        )
    if rules is not None and intent.security_group_id:
        for egress, per_site in (
            (False, intent.ingress_rules_per_site),
            (True, intent.egress_rules_per_site),
        ):
            direction = "outbound" if egress else "inbound"
            out.append(
                _headroom(
                    RULES_PER_SECURITY_GROUP,
                    f"{intent.security_group_id} {direction} rules",
                    rule_count(rules, prefix_lists, egress),
                    per_site,
                )
            )
    for table_id in intent.route_table_ids:
        table = route_tables.get(table_id)
        if table is None:
            continue
        static = [r for r in table.get("Routes") or [] if r.get("Origin") != "EnableVgwRoutePropagation"]
        out.append(
            _headroom(
                ROUTES_PER_VPC_ROUTE_TABLE, f"{table_id} routes", len(static), intent.vpc_routes_per_site
            )
        )
    if tgw_route_counts is not None and intent.transit_gateway_id:
        total = sum(tgw_route_counts.values())
        out.append(
            _headroom(
                TGW_ROUTES,
                f"{intent.transit_gateway_id} routes ({len(tgw_route_counts)} route tables)",
                total,
                intent.tgw_routes_per_site,
            )
        )
    return out
