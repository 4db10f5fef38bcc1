"""Compose a site stack: check it against the hub's inventory, then declare its connectivity."""

from __future__ import annotations

from typing import Any

import pulumi

from ..config.site import SiteConfig
from ..network.checks import check_site_against_hub
from ..network.planning import plan_site
from ..network.site import SiteConnectivity, SiteConnectivityArgs
from .inventory import hub_inventory


def build_site(site: SiteConfig, file: str) -> dict[str, Any]:
    """Declare the whole site; returns (and exports) its outputs. Raises `PlanError` before declaring."""
    hub_ref = pulumi.StackReference(site.hub)
    inventory = hub_inventory(hub_ref, site.hub, file, site.site.name)
    check_site_against_hub(site, inventory, file, site.hub)
    plan = plan_site(site.site, inventory)

    connectivity = SiteConnectivity(
        site.site.name,
        SiteConnectivityArgs(
            site=site.site,
            plan=plan,
            transit_gateway_id=inventory.transit_gateway_id,
            transit_gateway_route_table_id=inventory.transit_gateway_route_table_id,
            vpn_gateway_id=inventory.vpn_gateway_id,
            tags={**site.tags, "eks-hybrid:site": site.site.name},
        ),
    )
    exports: dict[str, Any] = {
        "site": site.site.name,
        "nodeCidr": plan.node_cidr,
        "podCidr": plan.pod_cidr,
        **connectivity.exports(),
    }
    for key, value in exports.items():
        pulumi.export(key, value)
    return exports
