"""The hub's exports as a site reads them: names kept in one place, inventory rules reused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from eks_hybrid.components.domain.hub_outputs import (
    HUB_INVENTORY_OUTPUTS,
    HubInventory,
    hub_sites,
    site_inventory_text,
    site_view,
)


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
    # The hub exports the inventory as text (`siteInventory`); a site validates its own entry as `sites`.
    assert set(HUB_INVENTORY_OUTPUTS) == aliases - {"sites"} | {"siteInventory"}


def test_the_inventory_travels_as_one_sorted_compact_json_text():
    sites = outputs()["sites"]
    text = site_inventory_text(sites)
    assert text.startswith('{"chicago":{"nodeCidr":"10.201.0.0/16"') and " " not in text
    assert hub_sites({"siteInventory": text}) == sites


def test_hub_sites_reads_the_text_and_the_map_of_0_2_hubs():
    sites = outputs()["sites"]
    assert hub_sites({"sites": sites}) == sites
    assert hub_sites({"siteInventory": site_inventory_text(sites), "sites": {"other": {}}}) == sites
    assert hub_sites({}) == {}
    assert hub_sites({"siteInventory": "not json"}) == {}
    assert hub_sites({"siteInventory": "[1]"}) == {}


def test_a_site_sees_only_its_own_entry_and_the_estate_size():
    for shape in ({"siteInventory": site_inventory_text(outputs()["sites"]), "siteCount": 2}, outputs()):
        hub = {**{k: v for k, v in outputs().items() if k != "sites"}, **shape}
        inventory = HubInventory.model_validate(site_view(hub, "chicago"))
        assert list(inventory.sites) == ["chicago"] and inventory.site_count == 2
        assert HubInventory.model_validate(site_view(hub, "elsewhere")).sites == {}


def test_a_site_never_validates_the_other_sites_entries():
    # One bad entry elsewhere in a 1,000-site inventory is the hub's problem, not every site's.
    hub = {k: v for k, v in outputs().items() if k != "sites"}
    hub["siteInventory"] = site_inventory_text({**outputs()["sites"], "broken": {"nodeCidr": "nope"}})
    assert HubInventory.model_validate(site_view(hub, "dallas")).site_count == 3


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
