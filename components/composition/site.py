"""Compose a site stack: check it against the hub's inventory, then declare its connectivity."""

from __future__ import annotations

import os
from typing import Any

import pulumi

from ..config._site_checks import check_site_against_hub, site_kind
from ..config._stack_args import palette_node_pools_args, post_deploy_verify_args, site_connectivity_args
from ..config.rules import check_site_label
from ..config.secrets import check_secrets
from ..config.site import NodePoolConfig, SiteConfig
from ..domain.hub_outputs import EKS_OUTPUTS, HUB_INVENTORY_OUTPUTS, HUB_PALETTE_OUTPUTS, HubOutput
from ..domain.labels import SITE_LABEL
from ..domain.site_outputs import SiteOutput, TunnelOutput
from ..errors import PlanError, Problem
from ..network import SiteConnectivity
from ..palette import PaletteNodePools
from ..postdeploy import SECRET_OUTPUTS, PostDeployVerify
from .inventory import HUB_SITE_OUTPUTS, hub_inventory, hub_palette, read_outputs, site_profile
from .site_cilium import declare_site_bgp, site_bgp

VERIFY_HUB_OUTPUTS = tuple(
    name
    for name in (*HUB_INVENTORY_OUTPUTS, HubOutput.VPC_ATTACHMENT_ID, *EKS_OUTPUTS, *HUB_PALETTE_OUTPUTS)
    if name not in SECRET_OUTPUTS
)
"""What a site's post-deploy verify reads of its hub: the inventory, the cluster and the Palette cluster."""


def labelled_pools(site: SiteConfig, file: str) -> list[NodePoolConfig]:
    """The site's pools, each with `eks-hybrid/site=<site>` merged into its labels: the label Cilium's
    per-site node config selects the site's pod pool by. A pool label with that key and another value is
    refused (the stack's config rules already refuse it; programmatic callers get the same problem)."""
    conflicts = check_site_label(site.model_dump(by_alias=True, mode="json"))
    problems = [Problem(file, path, rule, code) for path, code, rule in conflicts]
    if problems:
        raise PlanError(problems)
    return [
        pool.model_copy(update={"labels": {**pool.labels, SITE_LABEL: site.site.name}})
        for pool in site.site.node_pools
    ]


def build_site(site: SiteConfig, file: str) -> dict[str, Any]:
    """Declare the whole site; returns (and exports) its outputs. Raises `ProblemsError` before declaring."""
    check_secrets(site, file, os.environ)
    # One read of the hub's outputs: what the site checks itself against, and what its verify step reads.
    hub_outputs = read_outputs(pulumi.StackReference(site.hub), (*HUB_SITE_OUTPUTS, *VERIFY_HUB_OUTPUTS))
    inventory = hub_inventory(hub_outputs, site.hub, file, site.site.name)
    check_site_against_hub(site, inventory, file, site.hub)
    palette = hub_palette(hub_outputs, site.hub, file) if site.site.node_pools else None
    profile = site_profile(site, palette, file) if palette is not None else None
    entry = inventory.sites[site.site.name]
    kind = site_kind(site.site)

    connectivity = SiteConnectivity(site.site.name, site_connectivity_args(site, inventory))
    exports: dict[str, Any] = {
        SiteOutput.SITE: site.site.name,
        SiteOutput.NODE_CIDR: entry.node_cidr,
        SiteOutput.POD_CIDR: entry.pod_cidr,
        **connectivity_exports(kind, connectivity),
    }
    if palette is not None and profile is not None:
        pools = PaletteNodePools(
            site.site.name,
            palette_node_pools_args(site, labelled_pools(site, file), palette, profile),
            pulumi.ResourceOptions(depends_on=[connectivity]),
        )
        exports[SiteOutput.PALETTE_POOL_UIDS] = {name: pool.poolUid for name, pool in pools.pools.items()}
    # With the hub's Cilium operator on hybrid nodes, the site's BGP objects are the site's (site_cilium.py):
    # declared once its nodes (its node pools) have brought the operator and its CRDs up.
    own_bgp = site_bgp(
        site.site.name,
        entry,
        hub_outputs,
        ipam=inventory.cilium_ipam_mode,
        wait_minutes=site.site.cilium_crd_wait_minutes,
        file=file,
        hub=site.hub,
    )
    if own_bgp is not None:
        declare_site_bgp(own_bgp, [connectivity, *([pools] if palette is not None else [])])
    for key, value in exports.items():
        pulumi.export(key, value)
    if site.verify.enabled:
        PostDeployVerify(
            site.site.name,
            post_deploy_verify_args(
                pulumi.get_stack(),
                site,
                exports,
                {k: v for k, v in hub_outputs.items() if k in VERIFY_HUB_OUTPUTS},
            ),
            pulumi.ResourceOptions(depends_on=[connectivity, *([pools] if palette is not None else [])]),
        )
    return exports


def connectivity_exports(kind: str, connectivity: SiteConnectivity) -> dict[str, Any]:
    """What the site stack exports for `render` and operators (pre-shared keys stay secret)."""
    outputs: dict[str, Any] = {SiteOutput.KIND: kind}
    if kind not in ("transitGatewayVpn", "vpnGatewayVpn"):
        return outputs
    outputs[SiteOutput.VPN_CONNECTION_ID] = connectivity.vpn_connection_id
    outputs[SiteOutput.CUSTOMER_GATEWAY_ID] = connectivity.customer_gateway_id
    if kind == "transitGatewayVpn":
        outputs[SiteOutput.TRANSIT_GATEWAY_ATTACHMENT_ID] = connectivity.transit_gateway_attachment_id
    # Addresses stay readable; the keys go in their own export so only they are secret.
    outputs[SiteOutput.TUNNELS] = pulumi.Output.all(
        connectivity.tunnel_outside_addresses,
        connectivity.tunnel_customer_inside_addresses,
        connectivity.tunnel_aws_inside_addresses,
    ).apply(
        lambda columns: [
            {
                TunnelOutput.OUTSIDE_ADDRESS: outside,
                TunnelOutput.CUSTOMER_INSIDE_ADDRESS: customer,
                TunnelOutput.AWS_INSIDE_ADDRESS: aws_side,
            }
            for outside, customer, aws_side in zip(*columns, strict=True)
        ]
    )
    outputs[SiteOutput.TUNNEL_PRESHARED_KEYS] = connectivity.tunnel_preshared_keys
    return outputs
