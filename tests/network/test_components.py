"""Network components under the mock engine: the resources, their wire inputs, parents and dependencies."""

from __future__ import annotations

import pulumi
import pytest
from pydantic import SecretStr

from eks_hybrid.components.composition.site import connectivity_exports
from eks_hybrid.components.config._site_checks import site_kind
from eks_hybrid.components.config._stack_args import site_connectivity_args
from eks_hybrid.components.errors import ArgumentsError
from eks_hybrid.components.network import (
    SITE_CONNECTIVITY,
    TRANSIT_GATEWAY_HUB,
    VIRTUAL_PRIVATE_GATEWAY,
    SiteCidrs,
    SiteConnectivity,
    TransitGatewayHub,
    TransitGatewayHubArgs,
    VirtualPrivateGateway,
    VirtualPrivateGatewayArgs,
)

from .conftest import ROUTE_TABLES, direct_connect, inventory, site, software_vpn, tgw_vpn, vgw_vpn

# The hub routes the sites that reach the VPC through the transit gateway: dallas (chicago routes its own).
SITES = {"dallas": SiteCidrs(node_cidr="10.200.0.0/16", pod_cidr="192.168.0.0/16")}


def hub_args(**overrides):
    values = {
        "vpc_id": "vpc-0123456789abcdef0",
        "vpc_cidr": "10.100.0.0/16",
        "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
        "route_tables": {table: table for table in ROUTE_TABLES},
        "sites": SITES,
        "amazon_side_asn": 64512,
        "tags": {"environment": "test"},
    }
    return TransitGatewayHubArgs(**{**values, **overrides})


def test_transit_gateway_hub(mock_engine):
    run = mock_engine.run(lambda: TransitGatewayHub("edge", hub_args()))
    [component] = run.by_type(TRANSIT_GATEWAY_HUB)
    assert component.name == "edge" and not component.custom
    assert all(child.parent == component.urn for child in run.resources if child is not component)

    tgw = run.named("edge-tgw").inputs
    assert tgw["defaultRouteTableAssociation"] == "disable"
    assert tgw["defaultRouteTablePropagation"] == "disable"
    assert tgw["amazonSideAsn"] == 64512
    assert tgw["tags"] == {"environment": "test", "Name": "edge-tgw"}

    attachment = run.named("edge-vpc-attachment")
    assert attachment.inputs["subnetIds"] == hub_args()["subnet_ids"]
    assert attachment.inputs["transitGatewayDefaultRouteTableAssociation"] is False
    assert attachment.inputs["transitGatewayDefaultRouteTablePropagation"] is False

    association = run.named("edge-vpc-association").inputs
    vpc_route = run.named("edge-tgw-route-vpc").inputs
    assert vpc_route["destinationCidrBlock"] == "10.100.0.0/16"
    assert vpc_route["transitGatewayAttachmentId"] == association["transitGatewayAttachmentId"]
    assert vpc_route["transitGatewayRouteTableId"] == association["transitGatewayRouteTableId"]


def test_hub_routes_every_tgw_site_from_every_table_after_the_attachment(mock_engine):
    run = mock_engine.run(lambda: TransitGatewayHub("edge", hub_args()))
    routes = run.by_type("aws:ec2/route:Route")
    assert sorted((r.inputs["routeTableId"], r.inputs["destinationCidrBlock"]) for r in routes) == sorted(
        (table, cidr) for table in ROUTE_TABLES for cidr in ("10.200.0.0/16", "192.168.0.0/16")
    )
    attachment = run.named("edge-vpc-attachment")
    tgw_id = run.named("edge-route-table").inputs["transitGatewayId"]
    for route in routes:
        assert attachment.urn in route.dependencies
        assert route.inputs["transitGatewayId"] == tgw_id


def test_route_names_are_stable_when_a_site_is_added(mock_engine):
    before = mock_engine.run(lambda: TransitGatewayHub("edge", hub_args()))
    more = {**SITES, "austin": SiteCidrs(node_cidr="10.210.0.0/16", pod_cidr="172.30.0.0/16")}
    after = mock_engine.run(lambda: TransitGatewayHub("edge", hub_args(sites=more)))
    assert {r.urn for r in before.resources} < {r.urn for r in after.resources}


def test_virtual_private_gateway_with_propagation(mock_engine):
    args = VirtualPrivateGatewayArgs(
        vpc_id="vpc-0123456789abcdef0",
        route_tables={table: table for table in ROUTE_TABLES},
        amazon_side_asn=64513,
        propagate_routes=True,
    )
    run = mock_engine.run(lambda: VirtualPrivateGateway("edge", args))
    assert len(run.by_type(VIRTUAL_PRIVATE_GATEWAY)) == 1
    assert run.named("edge-vgw").inputs["amazonSideAsn"] == "64513"
    attachment = run.named("edge-vgw-attachment")
    assert attachment.inputs["vpcId"] == "vpc-0123456789abcdef0"
    propagations = run.by_type("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation")
    assert sorted(p.inputs["routeTableId"] for p in propagations) == ROUTE_TABLES
    assert all(attachment.urn in p.dependencies for p in propagations)


def test_virtual_private_gateway_without_propagation(mock_engine):
    args = VirtualPrivateGatewayArgs(
        vpc_id="vpc-0123456789abcdef0", route_tables={table: table for table in ROUTE_TABLES}
    )
    run = mock_engine.run(lambda: VirtualPrivateGateway("edge", args))
    assert run.by_type("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation") == []


def connectivity(config):
    """The site's `SiteConnectivity` with the Args its stack file and hub inventory make."""
    return SiteConnectivity(config.site.name, site_connectivity_args(config, inventory()))


def test_tgw_vpn_with_static_routes(mock_engine):
    config = site(tgw_vpn())
    run = mock_engine.run(lambda: connectivity(config))
    assert run.by_type(SITE_CONNECTIVITY)[0].name == "dallas"
    gateway = run.named("dallas-customer-gateway").inputs
    assert gateway == {
        "bgpAsn": "65010",
        "ipAddress": "203.0.113.10",
        "type": "ipsec.1",
        "tags": gateway["tags"],
    }
    vpn = run.named("dallas-vpn").inputs
    assert vpn["transitGatewayId"] == "tgw-0123456789abcdef0"
    assert vpn["staticRoutesOnly"] is True
    assert "vpnGatewayId" not in vpn
    assert vpn["tunnel1IkeVersions"] == ["ikev2"]

    association = run.named("dallas-vpn-association").inputs
    attachment_id = association["transitGatewayAttachmentId"]
    assert attachment_id.startswith("tgw-attach-")
    assert association["transitGatewayRouteTableId"] == "tgw-rtb-0123456789abcdef0"
    routes = run.by_type("aws:ec2transitgateway/route:Route")
    assert sorted(r.inputs["destinationCidrBlock"] for r in routes) == ["10.200.0.0/16", "192.168.0.0/16"]
    assert {r.inputs["transitGatewayAttachmentId"] for r in routes} == {attachment_id}
    assert run.by_type("aws:ec2/route:Route") == []
    assert run.by_type("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation") == []


def test_tgw_vpn_with_bgp_propagates_instead_of_static_routes(mock_engine):
    run = mock_engine.run(lambda: connectivity(site(tgw_vpn(routing="bgp"))))
    assert run.named("dallas-vpn").inputs["staticRoutesOnly"] is False
    assert run.by_type("aws:ec2transitgateway/route:Route") == []
    [propagation] = run.by_type("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
    assert propagation.inputs["transitGatewayRouteTableId"] == "tgw-rtb-0123456789abcdef0"


def test_a_static_vpn_keeps_aws_default_selectors_unless_policy_based(mock_engine):
    """Route-based by default: the VPN connection keeps AWS's 0.0.0.0/0 network CIDRs. `policyBased`
    sets its one selector pair: the customer side holding node and pod CIDRs, the AWS side the VPC."""
    run = mock_engine.run(lambda: connectivity(site(tgw_vpn())))
    vpn = run.named("dallas-vpn").inputs
    assert "localIpv4NetworkCidr" not in vpn and "remoteIpv4NetworkCidr" not in vpn
    block = tgw_vpn()
    block["siteToSiteVpn"]["policyBased"] = True
    hub = inventory(sites={"dallas": {"nodeCidr": "10.200.0.0/16", "podCidr": "10.201.0.0/16"}})
    config = site(block)
    run = mock_engine.run(lambda: SiteConnectivity("dallas", site_connectivity_args(config, hub)))
    vpn = run.named("dallas-vpn").inputs
    assert vpn["localIpv4NetworkCidr"] == "10.200.0.0/15" and vpn["remoteIpv4NetworkCidr"] == "10.100.0.0/16"


def test_policy_based_selectors_come_in_pairs_and_never_with_bgp(mock_engine):
    base = site_connectivity_args(site(tgw_vpn()), inventory())
    one = {**base, "vpn": {**base["vpn"], "local_network_cidr": "10.200.0.0/15"}}
    with pytest.raises(ArgumentsError, match="need both local_network_cidr and remote_network_cidr"):
        mock_engine.run(lambda: SiteConnectivity("dallas", one))
    both = {"local_network_cidr": "10.200.0.0/15", "remote_network_cidr": "10.100.0.0/16"}
    bgp = {**base, "vpn": {**base["vpn"], **both, "routing": "bgp"}}
    with pytest.raises(ArgumentsError, match="BGP runs over route-based tunnels"):
        mock_engine.run(lambda: SiteConnectivity("dallas", bgp))


def test_vgw_vpn_routes_on_the_connection_and_in_every_table(mock_engine):
    run = mock_engine.run(lambda: connectivity(site(vgw_vpn(), name="chicago")))
    vpn = run.named("chicago-vpn")
    assert vpn.inputs["vpnGatewayId"] == "vgw-0123456789abcdef0"
    assert "transitGatewayId" not in vpn.inputs
    vpn_routes = run.by_type("aws:ec2/vpnConnectionRoute:VpnConnectionRoute")
    assert sorted(r.inputs["destinationCidrBlock"] for r in vpn_routes) == ["10.201.0.0/16", "172.18.0.0/16"]
    routes = run.by_type("aws:ec2/route:Route")
    assert sorted((r.inputs["routeTableId"], r.inputs["destinationCidrBlock"]) for r in routes) == sorted(
        (t, c) for t in ROUTE_TABLES for c in ("10.201.0.0/16", "172.18.0.0/16")
    )
    assert {r.inputs["gatewayId"] for r in routes} == {"vgw-0123456789abcdef0"}


def test_direct_connect_association_then_routes(mock_engine):
    run = mock_engine.run(lambda: connectivity(site(direct_connect("10.100.16.0/20"), name="chicago")))
    association = run.named("chicago-dx-association")
    assert association.inputs == {
        "allowedPrefixes": ["10.100.16.0/20"],
        "associatedGatewayId": "vgw-0123456789abcdef0",
        "dxGatewayId": "5f2b9c1e-0000-0000-0000-000000000000",
    }
    routes = run.by_type("aws:ec2/route:Route")
    assert len(routes) == 4
    assert all(association.urn in r.dependencies for r in routes)
    assert run.by_type("aws:ec2/vpnConnection:VpnConnection") == []


def test_software_vpn_routes_to_the_appliance(mock_engine):
    run = mock_engine.run(lambda: connectivity(site(software_vpn(), name="chicago")))
    routes = run.by_type("aws:ec2/route:Route")
    assert len(routes) == 4
    assert {r.inputs["networkInterfaceId"] for r in routes} == {"eni-0a1b2c3d4e5f60001"}


@pytest.fixture
def vpn_with_keys():
    block = tgw_vpn()
    block["siteToSiteVpn"]["tunnels"] = [
        {"insideCidr": "169.254.10.0/30", "presharedKey": "[secret]"},
        {"insideCidr": "169.254.10.4/30"},
    ]
    return site(block)


def test_preshared_key_is_sent_as_a_secret(mock_engine, vpn_with_keys):
    key = vpn_with_keys.site.connectivity.site_to_site_vpn.tunnels[0].preshared_key
    assert isinstance(key, SecretStr)

    def program():
        component = connectivity(vpn_with_keys)
        for name, value in connectivity_exports(site_kind(vpn_with_keys.site), component).items():
            pulumi.export(name, value)

    run = mock_engine.run(program)
    vpn = run.named("dallas-vpn").inputs
    assert vpn["tunnel1PresharedKey"] == "[secret]"
    assert "tunnel2PresharedKey" not in vpn
    assert vpn["tunnel1InsideCidr"] == "169.254.10.0/30"
    assert run.outputs["tunnelPresharedKeys"] == "[secret]"
    assert "tunnelPresharedKeys" in run.secret_outputs
    assert run.outputs["tunnels"][0] == {
        "awsInsideAddress": "169.254.10.1",
        "customerInsideAddress": "169.254.10.2",
        "outsideAddress": run.outputs["tunnels"][0]["outsideAddress"],
    }
    assert "tunnels" not in run.secret_outputs
