"""Compose a hub stack: network, then the EKS side, then Palette; export what sites and tools need."""

from __future__ import annotations

import os
from typing import Any

import pulumi

from ..config.hub import HubConfig
from ..config.secrets import check_secrets
from ..config.source import stack_file_label
from ..eks_hub import EksSide, declare_eks_side, eks_side_problems
from ..errors import PlanError, Problem
from ..network.hub import (
    TransitGatewayHub,
    TransitGatewayHubArgs,
    VirtualPrivateGateway,
    VirtualPrivateGatewayArgs,
    attachment_problems,
)
from ..palette import PaletteHub, PaletteHubArgs
from ..postdeploy import PostDeployVerify, PostDeployVerifyArgs, config_digest
from ..quotas import hub_quota_problems


def inventory_exports(hub: HubConfig) -> dict[str, Any]:
    """The hub's configured facts, in the shape `HubInventory` reads back."""
    vgw = hub.virtual_private_gateway
    return {
        "region": hub.region,
        "vpcId": hub.cluster.vpc_id,
        "vpcCidr": hub.cluster.vpc_cidr,
        "serviceCidr": hub.cluster.service_cidr,
        "routeTableIds": list(hub.cluster.route_table_ids),
        "amazonSideAsn": hub.transit_gateway.amazon_side_asn,
        "vpnGatewayAsn": vgw.amazon_side_asn if vgw else None,
        "vpnGatewayPropagatesRoutes": bool(vgw and vgw.propagate_routes),
        "sites": {
            name: entry.model_dump(by_alias=True, mode="json") for name, entry in sorted(hub.sites.items())
        },
    }


def hub_problems(hub: HubConfig, file: str) -> list[Problem]:
    """Everything that stops the hub from planning, found before anything is declared: AWS quotas the
    plan would exceed, the attachment's subnets (read from AWS), and the EKS side's problems."""
    return (
        hub_quota_problems(hub, file)
        + attachment_problems(TransitGatewayHubArgs.from_config(hub), file)
        + eks_side_problems(hub, file)
    )


def check_hub(hub: HubConfig, file: str) -> None:
    """Raise `PlanError` listing every problem of `hub_problems`."""
    problems = hub_problems(hub, file)
    if problems:
        raise PlanError(sorted(problems, key=lambda p: p.path))


def build_hub(hub: HubConfig) -> dict[str, Any]:
    """Declare the whole hub; returns (and exports) its outputs."""
    name = hub.cluster.name
    file = stack_file_label(pulumi.get_stack())
    check_secrets(hub, file, os.environ)  # before anything is declared
    check_hub(hub, file)
    network = TransitGatewayHub(name, TransitGatewayHubArgs.from_config(hub))
    exports: dict[str, Any] = {
        **inventory_exports(hub),
        "transitGatewayId": network.transit_gateway_id,
        "transitGatewayRouteTableId": network.route_table_id,
        "vpcAttachmentId": network.vpc_attachment_id,
        "vpnGatewayId": None,
    }
    if hub.virtual_private_gateway is not None:
        vgw = VirtualPrivateGateway(
            name, VirtualPrivateGatewayArgs.from_config(hub, hub.virtual_private_gateway)
        )
        exports["vpnGatewayId"] = vgw.vpn_gateway_id

    eks = declare_eks_side(name, hub)
    exports |= eks.exports()
    if hub.palette is not None:
        palette = PaletteHub(name, palette_args(hub, eks))
        exports |= palette.exports()

    for key, value in exports.items():
        pulumi.export(key, value)
    if hub.verify.enabled:
        declared = [network, eks.cluster, eks.identity, eks.cilium, eks.hybrid_config]
        declared += [vgw] if hub.virtual_private_gateway is not None else []
        declared += [palette] if hub.palette is not None else []
        PostDeployVerify(
            name,
            PostDeployVerifyArgs(
                stack=pulumi.get_stack(),
                outputs=exports,
                skip=hub.verify.skip,
                config_digest=config_digest(hub),
            ),
            pulumi.ResourceOptions(depends_on=declared),
        )
    return exports


def palette_args(hub: HubConfig, eks: EksSide) -> PaletteHubArgs:
    assert hub.palette is not None
    return PaletteHubArgs(
        palette=hub.palette,
        cluster_name=eks.cluster_name,
        region=hub.region,
        vpc_cidr=hub.cluster.vpc_cidr,
        # The cluster's remote networks, aggregates included, as EKS has them.
        node_cidrs=list(eks.cluster.remote_networks.node_cidrs),
        pod_cidrs=list(eks.cluster.remote_networks.pod_cidrs),
        k8s_provider=eks.k8s_provider,
        credentials_provider=hub.credentials.provider,
        role_arn=eks.role_arn,
        trust_anchor_arn=eks.trust_anchor_arn,
        profile_arn=eks.profile_arn,
        activation_id=eks.activation_id,
        activation_code=eks.activation_code,
        root_ca_certificate=eks.root_ca_certificate,
        root_ca_private_key=eks.root_ca_private_key,
    )
