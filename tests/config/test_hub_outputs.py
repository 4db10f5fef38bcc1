"""The hub's exports as a site reads them: names kept in one place, inventory rules reused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from eks_hybrid.components.config.hub_outputs import HUB_INVENTORY_OUTPUTS, HubInventory


def outputs() -> dict:
    return {
        "region": "us-west-2",
        "vpcId": "vpc-0123456789abcdef0",
        "vpcCidr": "10.100.0.0/16",
        "serviceCidr": "172.20.0.0/16",
        "routeTableIds": ["rtb-0a1b2c3d4e5f60001"],
        "transitGatewayId": "tgw-0123456789abcdef0",
        "transitGatewayRouteTableId": "tgw-rtb-0123456789abcdef0",
        "amazonSideAsn": 64512,
        "sites": {
            "dallas": {"nodeCidr": "10.200.0.0/16", "podCidr": "192.168.0.0/16"},
            "chicago": {"nodeCidr": "10.201.0.0/16", "podCidr": "172.18.0.0/16", "routeVia": "site"},
        },
    }


def test_every_export_name_is_a_key_of_the_inventory():
    aliases = {field.alias for field in HubInventory.model_fields.values()}
    # siteCount is not an export: the site counts the hub's `sites` before keeping only its own entry.
    assert set(HUB_INVENTORY_OUTPUTS) == aliases - {"siteCount"}


def test_inventory_parses_with_defaults_and_sorted_pod_cidrs():
    inventory = HubInventory.model_validate(outputs())
    assert inventory.vpn_gateway_id is None and not inventory.vpn_gateway_propagates_routes
    assert inventory.remote_pod_cidrs == ["172.18.0.0/16", "192.168.0.0/16"]
    assert inventory.sites["chicago"].route_via == "site"


def test_inventory_sites_obey_the_remote_network_rules():
    bad = outputs()
    bad["sites"]["dallas"]["podCidr"] = "8.8.8.0/24"
    with pytest.raises(ValidationError, match="not inside RFC 1918"):
        HubInventory.model_validate(bad)
