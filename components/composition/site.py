"""Compose a site stack: check it against the hub's inventory, then declare its connectivity."""

from __future__ import annotations

import os
from typing import Any

import pulumi

from ..config.labels import SITE_LABEL
from ..config.rules import check_site_label
from ..config.secrets import check_secrets
from ..config.site import NodePoolConfig, SiteConfig
from ..errors import PlanError, Problem
from ..network.checks import check_site_against_hub
from ..network.planning import plan_site
from ..network.site import SiteConnectivity, SiteConnectivityArgs
from ..palette import PaletteNodePools, PaletteNodePoolsArgs
from ..postdeploy import VERIFY_HUB_OUTPUTS, PostDeployVerify, PostDeployVerifyArgs, config_digest
from .inventory import hub_inventory, hub_palette, read_outputs


def labelled_pools(site: SiteConfig, file: str) -> list[NodePoolConfig]:
    """The site's pools, each with `eks-hybrid/site=<site>` merged into its labels: the label Cilium's
    per-site node config selects the site's pod pool by. A pool label with that key and another value is
    refused (the stack's config rules already refuse it; programmatic callers get the same problem)."""
    conflicts = check_site_label(site.model_dump(by_alias=True, mode="json"))
    problems = [Problem(file, path, rule) for path, rule in conflicts]
    if problems:
        raise PlanError(problems)
    return [
        pool.model_copy(update={"labels": {**pool.labels, SITE_LABEL: site.site.name}})
        for pool in site.site.node_pools
    ]


def build_site(site: SiteConfig, file: str) -> dict[str, Any]:
    """Declare the whole site; returns (and exports) its outputs. Raises `ProblemsError` before declaring."""
    check_secrets(site, file, os.environ)
    hub_ref = pulumi.StackReference(site.hub)
    inventory = hub_inventory(hub_ref, site.hub, file, site.site.name)
    check_site_against_hub(site, inventory, file, site.hub)
    palette = hub_palette(hub_ref, site.hub, file) if site.site.node_pools else None
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
            protect=site.protect,
        ),
    )
    exports: dict[str, Any] = {
        "site": site.site.name,
        "nodeCidr": plan.node_cidr,
        "podCidr": plan.pod_cidr,
        **connectivity.exports(),
    }
    if palette is not None:
        pools = PaletteNodePools(
            site.site.name,
            PaletteNodePoolsArgs(
                pools=labelled_pools(site, file),
                site_name=site.site.name,
                endpoint=palette.endpoint,
                project_uid=palette.project_uid,
                cloud_config_uid=palette.cloud_config_uid,
                profile_uid=palette.profile_uid,
            ),
            pulumi.ResourceOptions(depends_on=[connectivity]),
        )
        exports["palettePoolUids"] = {name: pool.poolUid for name, pool in pools.pools.items()}
    for key, value in exports.items():
        pulumi.export(key, value)
    if site.verify.enabled:
        PostDeployVerify(
            site.site.name,
            PostDeployVerifyArgs(
                stack=pulumi.get_stack(),
                outputs=exports,
                hub_outputs=read_outputs(hub_ref, VERIFY_HUB_OUTPUTS),
                skip=site.verify.skip,
                config_digest=config_digest(site),
            ),
            pulumi.ResourceOptions(depends_on=[connectivity, *([pools] if palette is not None else [])]),
        )
    return exports
