"""Run the policy rules over a plan document, as `pulumi preview --policy-pack policy/` would over a stack."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_hybrid.components.domain.hub_outputs import hub_sites

from .rules import EKS_CLUSTER, OPEN, Resource, Violation, check_resources


def plan_resources(document: Mapping[str, Any]) -> list[Resource]:
    return [
        Resource(type=r["type"], urn=r["urn"], inputs=r.get("inputs") or {}, parent=r.get("parent"))
        for r in document.get("resources", [])
        if r.get("custom", True)
    ]


def _opted_into_open_endpoint(resources: list[Resource]) -> bool:
    """eks-hybrid writes 0.0.0.0/0 into publicAccessCidrs only when the stack file lists it (its config rules
    refuse a public endpoint without the list), so in a plan of eks-hybrid's own program it is the opt-in."""
    return any(
        OPEN in ((r.inputs.get("vpcConfig") or {}).get("publicAccessCidrs") or [])
        for r in resources
        if r.type == EKS_CLUSTER
    )


def _routed_by_sites(outputs: Mapping[str, Any]) -> list[str]:
    """A hub's `routeVia: site` sites own their VPC routes, in their own stacks."""
    sites = hub_sites(outputs)
    return [
        str(site[key])
        for site in sites.values()
        if isinstance(site, dict) and site.get("routeVia") == "site"
        for key in ("nodeCidr", "podCidr")
        if site.get(key)
    ]


def check_plan(document: Mapping[str, Any]) -> list[Violation]:
    resources = plan_resources(document)
    return check_resources(
        resources,
        allow_open_public_endpoint=_opted_into_open_endpoint(resources),
        routed_elsewhere=_routed_by_sites(document.get("outputs") or {}),
    )


def policy_section(document: Mapping[str, Any]) -> dict[str, Any]:
    violations = check_plan(document)
    return {
        "checked": True,
        "violations": [v.to_json() for v in violations],
        "mandatory": sum(1 for v in violations if v.level == "mandatory"),
    }
