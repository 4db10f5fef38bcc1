"""What a hub stack exports for its sites, read back through a StackReference."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import ConfigModel
from .hub import SiteInventoryEntry

# The hub's export names, one constant each, so the hub and the site cannot drift apart.
HUB_INVENTORY_OUTPUTS = (
    "region",
    "vpcId",
    "vpcCidr",
    "serviceCidr",
    "routeTableIds",
    "transitGatewayId",
    "transitGatewayRouteTableId",
    "amazonSideAsn",
    "vpnGatewayId",
    "vpnGatewayAsn",
    "vpnGatewayPropagatesRoutes",
    "sites",
    "ciliumIpamMode",
)


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
    cilium_ipam_mode: Literal["multiPool", "clusterPool"] = "multiPool"
    site_count: int = Field(default=1, ge=1)
    """How many sites the hub's inventory holds (the site itself reads only its own entry)."""

    @property
    def remote_pod_cidrs(self) -> list[str]:
        return sorted({s.pod_cidr for s in self.sites.values()})


HUB_PALETTE_OUTPUTS = (
    "paletteEndpoint",
    "paletteProjectUid",
    "paletteClusterUid",
    "paletteCloudConfigUid",
    "paletteProfileUid",
)


class HubPalette(ConfigModel):
    """The hub's Palette cluster, where a site's hybrid node pools are created."""

    endpoint: str = Field(alias="paletteEndpoint")
    project_uid: str = Field(alias="paletteProjectUid")
    cluster_uid: str = Field(alias="paletteClusterUid")
    cloud_config_uid: str = Field(alias="paletteCloudConfigUid")
    profile_uid: str = Field(alias="paletteProfileUid")
