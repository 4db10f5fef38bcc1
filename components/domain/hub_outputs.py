"""What a hub stack exports for its sites, read back through a StackReference.

The CIDR inventory travels as one JSON text, `siteInventory`, beside its size, `siteCount`. A StackReference
hands a site every output of its hub, and the SDK turns each value of a structured output into Python
objects one by one: as a map of N sites, the inventory made every site's plan cost grow with the estate
(50 ms a site at 1,000 sites). As text it is one value, parsed by `json` in C. Hubs of eks-hybrid 0.2
exported the map as `sites`; `hub_sites` reads either.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ._base import ConfigModel
from .defaults import CiliumIpam
from .inventory import SiteInventoryEntry
from .versions import KUBERNETES_VERSION_OUTPUT


class HubOutput:
    """The hub stack's output names, one constant each: the hub writes its outputs under these names, and
    every reader (a site stack, `render`, `verify`, `diff`, the topology picture) reads them by them."""

    # The hub's network facts and inventory (what a site checks itself against).
    REGION: Final = "region"
    KUBERNETES_VERSION: Final = KUBERNETES_VERSION_OUTPUT
    VPC_ID: Final = "vpcId"
    VPC_CIDR: Final = "vpcCidr"
    SERVICE_CIDR: Final = "serviceCidr"
    ROUTE_TABLE_IDS: Final = "routeTableIds"
    TRANSIT_GATEWAY_ID: Final = "transitGatewayId"
    TRANSIT_GATEWAY_ROUTE_TABLE_ID: Final = "transitGatewayRouteTableId"
    VPC_ATTACHMENT_ID: Final = "vpcAttachmentId"
    AMAZON_SIDE_ASN: Final = "amazonSideAsn"
    VPN_GATEWAY_ID: Final = "vpnGatewayId"
    VPN_GATEWAY_ASN: Final = "vpnGatewayAsn"
    VPN_GATEWAY_PROPAGATES_ROUTES: Final = "vpnGatewayPropagatesRoutes"
    ENDPOINT_ACCESS: Final = "endpointAccess"
    PUBLIC_ACCESS_CIDRS: Final = "publicAccessCidrs"
    """With a public endpoint, the networks allowed to reach it (a site checks its egress is inside)."""
    SITE_INVENTORY: Final = "siteInventory"
    SITE_COUNT: Final = "siteCount"
    LEGACY_SITES: Final = "sites"
    """The map eks-hybrid 0.2 hubs exported in place of `siteInventory` (and `siteCount`)."""
    # Cilium's settings (`render` words a site's pod blocks and BGP peering from them).
    CILIUM_CHART_VERSION: Final = "ciliumChartVersion"
    CILIUM_POD_CIDR_MASK_SIZE: Final = "ciliumPodCidrMaskSize"
    CILIUM_BGP_CONTROL_PLANE: Final = "ciliumBgpControlPlane"
    CILIUM_CLUSTER_ASN: Final = "ciliumClusterAsn"
    CILIUM_IPAM_MODE: Final = "ciliumIpamMode"
    CILIUM_OPERATOR_PLACEMENT: Final = "ciliumOperatorPlacement"
    """`hybrid`: each site stack declares its own Cilium BGP objects; `cloud`, or absent (a hub of 0.2 or
    earlier): the hub declares them."""
    CILIUM_ROUTING_MODE: Final = "ciliumRoutingMode"
    """`native` or `tunnel`: the routing mode the hub's Cilium runs, pinned at install
    (`domain.cilium_upgrade`); absent on hubs deployed before it existed."""
    CILIUM_INSTALLED_VERSION: Final = "ciliumInstalledVersion"
    """The Cilium chart version the hub first installed: its line is Cilium's `upgradeCompatibility`."""
    # The EKS side: the cluster and the hybrid nodes' identity.
    CLUSTER_NAME: Final = "clusterName"
    CLUSTER_ARN: Final = "clusterArn"
    CLUSTER_ENDPOINT: Final = "clusterEndpoint"
    CLUSTER_CERTIFICATE_AUTHORITY: Final = "clusterCertificateAuthority"
    CLUSTER_SECURITY_GROUP_ID: Final = "clusterSecurityGroupId"
    DNS_SECURITY_GROUP_ID: Final = "dnsSecurityGroupId"
    """The cloud nodes' DNS group (`cluster.planning.dns_rules`); hubs deployed before it existed lack it."""
    HYBRID_NODE_ROLE_ARN: Final = "hybridNodeRoleArn"
    CREDENTIALS_PROVIDER: Final = "credentialsProvider"
    ENABLE_CREDENTIALS_FILE: Final = "enableCredentialsFile"
    TRUST_ANCHOR_ARN: Final = "trustAnchorArn"
    PROFILE_ARN: Final = "profileArn"
    ROOT_CA_CERTIFICATE: Final = "rootCaCertificate"
    ROOT_CA_PRIVATE_KEY: Final = "rootCaPrivateKey"
    SSM_ACTIVATION_ID: Final = "ssmActivationId"
    SSM_ACTIVATION_CODE: Final = "ssmActivationCode"
    # The hub's Palette cluster, where a site's node pools go.
    PALETTE_ENDPOINT: Final = "paletteEndpoint"
    PALETTE_PROJECT_UID: Final = "paletteProjectUid"
    PALETTE_CLUSTER_UID: Final = "paletteClusterUid"
    PALETTE_CLOUD_CONFIG_UID: Final = "paletteCloudConfigUid"
    PALETTE_PROFILE_UID: Final = "paletteProfileUid"
    PALETTE_PROFILE_VERSIONS: Final = "paletteProfileVersions"


HUB_INVENTORY_OUTPUTS = (
    HubOutput.REGION,
    HubOutput.VPC_ID,
    HubOutput.VPC_CIDR,
    HubOutput.SERVICE_CIDR,
    HubOutput.ROUTE_TABLE_IDS,
    HubOutput.TRANSIT_GATEWAY_ID,
    HubOutput.TRANSIT_GATEWAY_ROUTE_TABLE_ID,
    HubOutput.AMAZON_SIDE_ASN,
    HubOutput.VPN_GATEWAY_ID,
    HubOutput.VPN_GATEWAY_ASN,
    HubOutput.VPN_GATEWAY_PROPAGATES_ROUTES,
    HubOutput.ENDPOINT_ACCESS,
    HubOutput.PUBLIC_ACCESS_CIDRS,
    HubOutput.SITE_INVENTORY,
    HubOutput.SITE_COUNT,
    HubOutput.CILIUM_IPAM_MODE,
)
"""What a site reads of its hub to check itself against it (`HubInventory`)."""

HUB_SITE_BGP_OUTPUTS = (
    HubOutput.CILIUM_OPERATOR_PLACEMENT,
    HubOutput.CILIUM_BGP_CONTROL_PLANE,
    HubOutput.CILIUM_CLUSTER_ASN,
    HubOutput.CILIUM_CHART_VERSION,
    HubOutput.CLUSTER_NAME,
    HubOutput.CLUSTER_ENDPOINT,
    HubOutput.CLUSTER_CERTIFICATE_AUTHORITY,
)
"""What a site whose nodes peer over Cilium BGP reads of its hub to declare its own BGP objects through the
cluster's API (with `region` and its inventory entry's `bgpPeer`)."""

EKS_OUTPUTS = (
    HubOutput.CLUSTER_NAME,
    HubOutput.CLUSTER_ARN,
    HubOutput.CLUSTER_ENDPOINT,
    HubOutput.CLUSTER_CERTIFICATE_AUTHORITY,
    HubOutput.CLUSTER_SECURITY_GROUP_ID,
    HubOutput.DNS_SECURITY_GROUP_ID,
    HubOutput.HYBRID_NODE_ROLE_ARN,
    HubOutput.CREDENTIALS_PROVIDER,
    HubOutput.ENABLE_CREDENTIALS_FILE,
    HubOutput.CILIUM_IPAM_MODE,
    HubOutput.CILIUM_ROUTING_MODE,
    HubOutput.CILIUM_INSTALLED_VERSION,
    HubOutput.TRUST_ANCHOR_ARN,
    HubOutput.PROFILE_ARN,
    HubOutput.ROOT_CA_CERTIFICATE,
    HubOutput.ROOT_CA_PRIVATE_KEY,
    HubOutput.SSM_ACTIVATION_ID,
    HubOutput.SSM_ACTIVATION_CODE,
)
"""Every output the EKS side of a hub may write; the identity's depend on the credentials provider."""

HUB_PALETTE_OUTPUTS = (
    HubOutput.PALETTE_ENDPOINT,
    HubOutput.PALETTE_PROJECT_UID,
    HubOutput.PALETTE_CLUSTER_UID,
    HubOutput.PALETTE_CLOUD_CONFIG_UID,
    HubOutput.PALETTE_PROFILE_UID,
    HubOutput.PALETTE_PROFILE_VERSIONS,
)
"""What a site with node pools reads of its hub (`HubPalette`)."""

SITE_INVENTORY = HubOutput.SITE_INVENTORY
LEGACY_SITES = HubOutput.LEGACY_SITES


def site_inventory_text(sites: Mapping[str, Mapping[str, Any]]) -> str:
    """The `siteInventory` export: every site's inventory entry as compact JSON, sorted by site."""
    return json.dumps(sites, sort_keys=True, separators=(",", ":"))


def inventory_output(outputs: Mapping[str, Any]) -> str:
    """The output a hub's inventory is read from, for messages: `siteInventory`, or a 0.2 hub's `sites`."""
    return SITE_INVENTORY if SITE_INVENTORY in outputs else LEGACY_SITES


def hub_sites(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Every site's inventory entry from a hub's outputs (`siteInventory`, or a 0.2 hub's `sites`); `{}` when
    neither is there or the text is not a JSON object."""
    text = outputs.get(SITE_INVENTORY)
    if isinstance(text, str):
        try:
            sites = json.loads(text)
        except ValueError:
            return {}
        return sites if isinstance(sites, dict) else {}
    legacy = outputs.get(LEGACY_SITES)
    return dict(legacy) if isinstance(legacy, Mapping) else {}


def site_view(outputs: Mapping[str, Any], site: str) -> dict[str, Any]:
    """The hub's outputs as `HubInventory` reads them for `site`: its own inventory entry only (the others
    are not validated: planning a site stays independent of the estate's size) and the estate's size."""
    values = {
        k: v for k, v in outputs.items() if k not in (SITE_INVENTORY, LEGACY_SITES, HubOutput.SITE_COUNT)
    }
    if SITE_INVENTORY not in outputs and LEGACY_SITES not in outputs:
        return values  # the hub exports no inventory: validation names `sites` as missing
    sites = hub_sites(outputs)
    values[LEGACY_SITES] = {site: sites[site]} if site in sites else {}
    count = outputs.get(HubOutput.SITE_COUNT)
    values[HubOutput.SITE_COUNT] = count if isinstance(count, int) and count >= 1 else max(1, len(sites))
    return values


class HubInventory(ConfigModel):
    """The hub's network facts and CIDR inventory, as a site stack sees them."""

    region: str
    vpc_id: str
    vpc_cidr: str
    service_cidr: str
    route_table_ids: list[str] = Field(min_length=1)
    transit_gateway_id: str
    transit_gateway_route_table_id: str
    amazon_side_asn: int
    vpn_gateway_id: str | None = None
    vpn_gateway_asn: int | None = None
    vpn_gateway_propagates_routes: bool = False
    sites: dict[str, SiteInventoryEntry]
    # Hubs planned before these existed export neither: read as a multi-pool hub of one site.
    cilium_ipam_mode: CiliumIpam = "multiPool"
    site_count: int = Field(default=1, ge=1)
    """How many sites the hub's inventory holds (the site itself reads only its own entry)."""
    # Hubs planned before these existed export neither: a site's egress is then not checked.
    endpoint_access: str | None = None
    public_access_cidrs: list[str] | None = None

    @property
    def remote_pod_cidrs(self) -> list[str]:
        return sorted({s.pod_cidr for s in self.sites.values()})


class HubPalette(ConfigModel):
    """The hub's Palette cluster, where a site's hybrid node pools are created."""

    endpoint: str = Field(alias=HubOutput.PALETTE_ENDPOINT)
    project_uid: str = Field(alias=HubOutput.PALETTE_PROJECT_UID)
    cluster_uid: str = Field(alias=HubOutput.PALETTE_CLUSTER_UID)
    cloud_config_uid: str = Field(alias=HubOutput.PALETTE_CLOUD_CONFIG_UID)
    profile_uid: str = Field(alias=HubOutput.PALETTE_PROFILE_UID)
    # Hubs planned before it existed export none: a site may then only follow the newest version.
    profile_versions: dict[str, str] | None = Field(default=None, alias=HubOutput.PALETTE_PROFILE_VERSIONS)
    """The profile versions the hub publishes, version to uid (`published_versions`)."""


class HubOutputs(BaseModel):
    """Every output of a hub stack (its names are `HubOutput`'s), each possibly absent: a hub of an older
    version, or outputs read before `pulumi up`. Read them with `from_outputs`, which takes the inventory from
    `siteInventory` or from a 0.2 hub's `sites` map."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)

    region: str | None = None
    kubernetes_version: str | None = None
    vpc_id: str | None = None
    vpc_cidr: str | None = None
    service_cidr: str | None = None
    route_table_ids: list[str] | None = None
    transit_gateway_id: str | None = None
    transit_gateway_route_table_id: str | None = None
    vpc_attachment_id: str | None = None
    amazon_side_asn: int | None = None
    vpn_gateway_id: str | None = None
    vpn_gateway_asn: int | None = None
    vpn_gateway_propagates_routes: bool | None = None
    endpoint_access: str | None = None
    public_access_cidrs: list[str] | None = None
    sites: dict[str, Any] = Field(default_factory=dict)
    """Every site's inventory entry (from `siteInventory`, or a 0.2 hub's `sites`), as the hub wrote it."""
    site_count: int | None = None
    cilium_chart_version: str | None = None
    cilium_pod_cidr_mask_size: int | None = None
    cilium_bgp_control_plane: bool | None = None
    cilium_cluster_asn: int | None = None
    cilium_ipam_mode: str | None = None
    cilium_operator_placement: str | None = None
    cilium_routing_mode: str | None = None
    cilium_installed_version: str | None = None
    cluster_name: str | None = None
    cluster_arn: str | None = None
    cluster_endpoint: str | None = None
    cluster_certificate_authority: str | None = None
    cluster_security_group_id: str | None = None
    dns_security_group_id: str | None = None
    """None for a hub deployed before the cloud nodes' DNS group existed."""
    hybrid_node_role_arn: str | None = None
    credentials_provider: str | None = None
    enable_credentials_file: bool | None = None
    trust_anchor_arn: str | None = None
    profile_arn: str | None = None
    root_ca_certificate: str | None = None
    ssm_activation_id: str | None = None
    palette_endpoint: str | None = None
    palette_project_uid: str | None = None
    palette_cluster_uid: str | None = None
    palette_cloud_config_uid: str | None = None
    palette_profile_uid: str | None = None
    palette_profile_versions: dict[str, str] | None = None

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any]) -> HubOutputs:
        """A hub's outputs (`pulumi stack output --json`, or a StackReference's), secrets left out."""
        values = {k: v for k, v in outputs.items() if k not in (SITE_INVENTORY, LEGACY_SITES)}
        values[LEGACY_SITES] = hub_sites(outputs)
        return cls.model_validate(values)
