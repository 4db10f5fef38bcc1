"""Headroom under the AWS quotas one more site consumes: a warning when the next site would cross one.

The limits and the per-site increments are the plan's (`components.config._quotas.hub_quota_uses`, through
`intent.quota_limits`): AWS's defaults, or the account's raised values the stack gives in
`eks-hybrid:quotas`; remote-network aggregates make a site add no remote network, route or rule.
`verify` does not read Service Quotas: a quota raised in the account but not in the stack can warn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import findings
from ..findings import Finding
from ..intent import QuotaIntent, QuotaLimit
from .eks import PrefixLists, remote_cidrs

__all__ = ["check_quotas", "rule_count"]


def _headroom(quota: QuotaLimit, check: str, used: int) -> Finding:
    adds = f"the next site adds {quota.next_site}" if quota.next_site else "the next site adds none"
    detail = f"{used} of {quota.limit} used; {adds}"
    if used > quota.limit:
        remedy = (
            "the account's quota is higher than the stack says: set the account's value (Service Quotas) in"
            " eks-hybrid:quotas where it has a key for this quota, so plans count against it"
            if quota.adjustable
            else f"AWS's documented limit may have changed: check {quota.source}"
        )
        over = f"{used} is over the {quota.quota} limit of {quota.limit} ({quota.source})"
        return findings.fail("quotas", check, over, remedy)
    if used + quota.next_site > quota.limit:
        return findings.warn(
            "quotas",
            check,
            f"{detail}: the next site would cross the {quota.quota} limit ({quota.source})",
            quota.advice,
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
    """Each quota with what the next site would add (the plan's arithmetic, `intent.quota_limits`)."""
    out: list[Finding] = []
    if cluster is not None:
        nodes, pods = remote_cidrs(cluster)
        name = intent.cluster_name
        out.append(_headroom(intent.remote_node_networks, f"cluster {name} remote node networks", len(nodes)))
        out.append(_headroom(intent.remote_pod_networks, f"cluster {name} remote pod networks", len(pods)))
    if rules is not None and intent.security_group_id:
        for egress, quota in ((False, intent.inbound_rules), (True, intent.outbound_rules)):
            direction = "outbound" if egress else "inbound"
            check = f"{intent.security_group_id} {direction} rules"
            out.append(_headroom(quota, check, rule_count(rules, prefix_lists, egress)))
    for table_id in intent.route_table_ids:
        table = route_tables.get(table_id)
        if table is None:
            continue
        static = [r for r in table.get("Routes") or [] if r.get("Origin") != "EnableVgwRoutePropagation"]
        out.append(_headroom(intent.vpc_routes, f"{table_id} routes", len(static)))
    if tgw_route_counts is not None and intent.transit_gateway_id:
        total = sum(tgw_route_counts.values())
        check = f"{intent.transit_gateway_id} routes ({len(tgw_route_counts)} route tables)"
        out.append(_headroom(intent.tgw_routes, check, total))
    return out
