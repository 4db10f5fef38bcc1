"""Builders for sites and hub inventories in the shapes the network planners take."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.config import SiteConfig, SiteInventoryEntry, validate_stack
from eks_hybrid.components.domain.hub_outputs import HubInventory

ROUTE_TABLES = ["rtb-0a1b2c3d4e5f60001", "rtb-0a1b2c3d4e5f60002"]


def inventory(**overrides: Any) -> HubInventory:
    values: dict[str, Any] = {
        "region": "us-west-2",
        "vpcId": "vpc-0123456789abcdef0",
        "vpcCidr": "10.100.0.0/16",
        "serviceCidr": "172.20.0.0/16",
        "routeTableIds": ROUTE_TABLES,
        "transitGatewayId": "tgw-0123456789abcdef0",
        "transitGatewayRouteTableId": "tgw-rtb-0123456789abcdef0",
        "amazonSideAsn": 64512,
        "vpnGatewayId": "vgw-0123456789abcdef0",
        "vpnGatewayAsn": 64513,
        "vpnGatewayPropagatesRoutes": False,
        "sites": {
            "dallas": {"nodeCidr": "10.200.0.0/16", "podCidr": "192.168.0.0/16"},
            "chicago": {"nodeCidr": "10.201.0.0/16", "podCidr": "172.18.0.0/16", "routeVia": "site"},
        },
    }
    values.update(overrides)
    return HubInventory.model_validate(values)


def entry(node: str, pod: str, route_via: str = "transitGateway") -> SiteInventoryEntry:
    return SiteInventoryEntry.model_validate({"nodeCidr": node, "podCidr": pod, "routeVia": route_via})


def site(connectivity: dict[str, Any], name: str = "dallas", **extra: Any) -> SiteConfig:
    document: dict[str, Any] = {
        "aws:region": "us-west-2",
        "eks-hybrid:role": "site",
        "eks-hybrid:hub": "example-hub",
        "eks-hybrid:site": {"name": name, "connectivity": connectivity, **extra},
    }
    config = validate_stack(document, "stacks/Pulumi.test-site.yaml")
    assert isinstance(config, SiteConfig)
    return config


def tgw_vpn(routing: str = "static", propagate: bool = False, asn: int = 65010) -> dict[str, Any]:
    return {
        "type": "siteToSiteVpn",
        "siteToSiteVpn": {
            "attachTo": "transitGateway",
            "customerGateway": {"ipAddress": "203.0.113.10", "bgpAsn": asn},
            "routing": routing,
            "propagateRoutes": propagate,
        },
    }


def vgw_vpn(routing: str = "static", propagate: bool = False, asn: int = 65020) -> dict[str, Any]:
    block = tgw_vpn(routing, propagate, asn)
    block["siteToSiteVpn"]["attachTo"] = "virtualPrivateGateway"
    return block


def direct_connect(private_subnet: str | None = None) -> dict[str, Any]:
    dx: dict[str, Any] = {"gatewayId": "5f2b9c1e-0000-0000-0000-000000000000"}
    if private_subnet:
        dx["privateSubnetCidr"] = private_subnet
    return {"type": "directConnect", "directConnect": dx}


def software_vpn() -> dict[str, Any]:
    return {"type": "softwareVpn", "softwareVpn": {"networkInterfaceId": "eni-0a1b2c3d4e5f60001"}}


@pytest.fixture
def hub_inventory() -> HubInventory:
    return inventory()
