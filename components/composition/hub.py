"""Compose a hub stack: network, then the EKS side, then Palette; export what sites and tools need."""

from __future__ import annotations

import os
from typing import Any

import pulumi
import pulumi_aws as aws

from ..config._eks_hub import (
    EksSide,
    check_cilium_upgrade,
    control_plane_problems,
    declare_eks_side,
    eks_side_problems,
)
from ..config._quotas import hub_quota_problems
from ..config._stack_args import (
    palette_hub_args,
    post_deploy_verify_args,
    transit_gateway_hub_args,
    virtual_private_gateway_args,
)
from ..config.hub import HubConfig
from ..config.secrets import check_secrets
from ..config.source import stack_file_label
from ..domain.cilium_upgrade import DEPLOYED_OUTPUTS as CILIUM_DEPLOYED_OUTPUTS
from ..domain.cluster_rules import nat_gateway_warnings, restricted_public_cidrs
from ..domain.hub_outputs import HubOutput, site_inventory_text
from ..errors import PlanError, Problem
from ..network import TransitGatewayHub, VirtualPrivateGateway
from ..network.planning import SubnetFacts, attachment_subnet_problems
from ..ownership import HUB_TAG
from ..palette import PaletteHub, PaletteHubArgs
from ..postdeploy import PostDeployVerify
from .previous_outputs import previous_outputs

DEPLOYED_OUTPUTS = (HubOutput.KUBERNETES_VERSION, *CILIUM_DEPLOYED_OUTPUTS)
"""What the hub reads of its own previous `pulumi up` (`previous_outputs`, one read): the control plane's
version, and Cilium's routing mode and first installed version."""


def inventory_exports(hub: HubConfig) -> dict[str, Any]:
    """The hub's configured facts, in the shape `HubInventory` reads back; `render` reads the Kubernetes
    version and Cilium's settings (a site's nodes' pod blocks and BGP peering) from them too."""
    vgw = hub.virtual_private_gateway
    return {
        HubOutput.REGION: hub.region,
        HubOutput.KUBERNETES_VERSION: hub.cluster.kubernetes_version,
        HubOutput.VPC_ID: hub.cluster.vpc_id,
        HubOutput.VPC_CIDR: hub.cluster.vpc_cidr,
        HubOutput.SERVICE_CIDR: hub.cluster.service_cidr,
        HubOutput.ROUTE_TABLE_IDS: list(hub.cluster.route_table_ids),
        HubOutput.AMAZON_SIDE_ASN: hub.transit_gateway.amazon_side_asn,
        HubOutput.VPN_GATEWAY_ASN: vgw.amazon_side_asn if vgw else None,
        HubOutput.VPN_GATEWAY_PROPAGATES_ROUTES: bool(vgw and vgw.propagate_routes),
        HubOutput.ENDPOINT_ACCESS: hub.cluster.endpoint_access,
        HubOutput.PUBLIC_ACCESS_CIDRS: (
            list(hub.cluster.public_access_cidrs) if hub.cluster.public_access_cidrs else None
        ),
        HubOutput.SITE_INVENTORY: site_inventory_text(
            {
                name: entry.model_dump(by_alias=True, mode="json", exclude_none=True)
                for name, entry in hub.sites.items()
            }
        ),
        HubOutput.SITE_COUNT: len(hub.sites),
        HubOutput.CILIUM_CHART_VERSION: hub.cilium.chart_version,
        HubOutput.CILIUM_POD_CIDR_MASK_SIZE: hub.cilium.pod_cidr_mask_size,
        HubOutput.CILIUM_BGP_CONTROL_PLANE: hub.cilium.bgp_control_plane,
        HubOutput.CILIUM_CLUSTER_ASN: hub.cilium.cluster_asn,
        HubOutput.CILIUM_OPERATOR_PLACEMENT: hub.cilium_operator_placement,
    }


def hub_problems(hub: HubConfig, file: str) -> list[Problem]:
    """Everything that stops the hub from planning, found before anything is declared: AWS quotas the
    plan would exceed, the attachment's subnets (read from AWS), and the EKS side's problems."""
    return hub_quota_problems(hub, file) + attachment_problems(hub, file) + eks_side_problems(hub, file)


def attachment_problems(hub: HubConfig, file: str) -> list[Problem]:
    """Whether the TGW attachment's subnets are one per Availability Zone, in the VPC, and (when given apart
    from the cluster's) cover every zone of the cluster's subnets. Reads the subnets (plain invokes), so
    it runs before anything is declared."""
    explicit = hub.transit_gateway.subnet_ids is not None
    attachment = list(hub.transit_gateway.subnet_ids or hub.cluster.subnet_ids)
    cluster = list(hub.cluster.subnet_ids)
    facts = {subnet_id: _subnet_facts(subnet_id) for subnet_id in dict.fromkeys([*attachment, *cluster])}
    return attachment_subnet_problems(
        [facts[s] for s in attachment],
        [facts[s] for s in cluster],
        vpc_id=hub.cluster.vpc_id,
        explicit=explicit,
        file=file,
    )


def _subnet_facts(subnet_id: str) -> SubnetFacts:
    result = aws.ec2.get_subnet(id=subnet_id)
    return SubnetFacts(subnet_id, result.availability_zone, result.vpc_id)


def nat_gateway_addresses(vpc_id: str) -> dict[str, list[str]]:
    """The VPC's available NAT gateways and their public addresses (plain invokes, at deploy time)."""
    found = aws.ec2.get_nat_gateways(
        vpc_id=vpc_id, filters=[aws.ec2.GetNatGatewaysFilterArgs(name="state", values=["available"])]
    )
    addresses: dict[str, list[str]] = {}
    for nat in found.ids or []:
        gateway = aws.ec2.get_nat_gateway(id=nat)
        addresses[nat] = [gateway.public_ip] if gateway.public_ip else []
    return addresses


def warn_nat_gateways(hub: HubConfig) -> None:
    """With a public endpoint limited to some ranges, say which of the VPC's NAT gateways leave from an
    address outside cloudEgressCidrs (`domain.cluster_rules.nat_gateway_warnings`)."""
    cluster = hub.cluster
    if restricted_public_cidrs(cluster.endpoint_access, cluster.public_access_cidrs) is None:
        return
    nat = nat_gateway_addresses(cluster.vpc_id)
    for warning in nat_gateway_warnings(
        cluster.endpoint_access, cluster.public_access_cidrs, cluster.cloud_egress_cidrs, nat
    ):
        pulumi.log.warn(f"eks-hybrid:cluster.cloudEgressCidrs: {warning}")


def check_hub(hub: HubConfig, file: str, deployed: dict[str, Any] | None = None) -> None:
    """Raise `PlanError` listing every problem of `hub_problems`, and of the change from the `deployed`
    outputs (`control_plane_problems`)."""
    problems = hub_problems(hub, file) + control_plane_problems(hub, file, deployed or {})
    if problems:
        raise PlanError(sorted(problems, key=lambda p: p.path))


def build_hub(hub: HubConfig) -> dict[str, Any]:
    """Declare the whole hub; returns (and exports) its outputs."""
    name = hub.cluster.name
    configured = hub  # as the stack file says: the post-deploy step's trigger digests it
    hub = hub.model_copy(update={"tags": {**hub.tags, HUB_TAG: name}})
    file = stack_file_label(pulumi.get_stack())
    check_secrets(hub, file, os.environ)  # before anything is declared
    # What the hub's previous update deployed: upgrades (the control plane's version, Cilium's line and
    # routing mode) are judged against it (none on a first deploy), before any resource is declared.
    previous = previous_outputs(DEPLOYED_OUTPUTS)
    check_hub(hub, file, previous)
    check_cilium_upgrade(hub, file, previous)
    warn_nat_gateways(hub)
    network = TransitGatewayHub(name, transit_gateway_hub_args(hub))
    exports: dict[str, Any] = {
        **inventory_exports(hub),
        HubOutput.TRANSIT_GATEWAY_ID: network.transit_gateway_id,
        HubOutput.TRANSIT_GATEWAY_ROUTE_TABLE_ID: network.route_table_id,
        HubOutput.VPC_ATTACHMENT_ID: network.vpc_attachment_id,
        HubOutput.VPN_GATEWAY_ID: None,
    }
    if hub.virtual_private_gateway is not None:
        vgw = VirtualPrivateGateway(name, virtual_private_gateway_args(hub))
        exports[HubOutput.VPN_GATEWAY_ID] = vgw.vpn_gateway_id

    eks = declare_eks_side(name, hub, previous=previous)
    exports |= eks.exports()
    if hub.palette is not None:
        palette = PaletteHub(
            name, palette_args(hub, eks), pulumi.ResourceOptions(providers=[eks.k8s_provider])
        )
        exports |= palette_exports(palette)

    for key, value in exports.items():
        pulumi.export(key, value)
    if hub.verify.enabled:
        # Depending on a component waits for all its children (the access entry is the cluster's).
        declared: list[pulumi.Resource] = [network, eks.cluster, eks.identity, eks.cilium, eks.hybrid_config]
        declared += [eks.site_pools] if eks.site_pools is not None else []
        declared += [eks.bgp_peering] if eks.bgp_peering is not None else []
        declared += [vgw] if hub.virtual_private_gateway is not None else []
        declared += [palette] if hub.palette is not None else []
        PostDeployVerify(
            name,
            post_deploy_verify_args(pulumi.get_stack(), configured, exports),
            pulumi.ResourceOptions(depends_on=declared),
        )
    return exports


def palette_exports(palette: PaletteHub) -> dict[str, pulumi.Output[Any]]:
    """The hub's stack outputs for Palette, under the names site stacks read (`HUB_PALETTE_OUTPUTS`)."""
    return {
        HubOutput.PALETTE_CLUSTER_UID: palette.cluster_uid,
        HubOutput.PALETTE_CLOUD_CONFIG_UID: palette.cloud_config_uid,
        HubOutput.PALETTE_PROFILE_UID: palette.profile_uid,
        HubOutput.PALETTE_PROFILE_VERSIONS: palette.profile_versions,
        HubOutput.PALETTE_ENDPOINT: palette.endpoint,
        HubOutput.PALETTE_PROJECT_UID: palette.project_uid,
    }


def palette_args(hub: HubConfig, eks: EksSide) -> PaletteHubArgs:
    return palette_hub_args(
        hub, eks.cluster_name, eks.cluster.remote_node_cidrs, eks.cluster.remote_pod_cidrs, eks.identity
    )
