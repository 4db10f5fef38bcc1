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
from typing import Any, Literal

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
    "siteInventory",
    "siteCount",
    "ciliumIpamMode",
)
SITE_INVENTORY = "siteInventory"
LEGACY_SITES = "sites"
"""The map eks-hybrid 0.2 hubs exported in place of `siteInventory` (and `siteCount`)."""


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
    values = {k: v for k, v in outputs.items() if k not in (SITE_INVENTORY, LEGACY_SITES, "siteCount")}
    if SITE_INVENTORY not in outputs and LEGACY_SITES not in outputs:
        return values  # the hub exports no inventory: validation names `sites` as missing
    sites = hub_sites(outputs)
    values["sites"] = {site: sites[site]} if site in sites else {}
    count = outputs.get("siteCount")
    values["siteCount"] = count if isinstance(count, int) and count >= 1 else max(1, len(sites))
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
