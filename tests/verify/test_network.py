"""Route tables, the transit gateway route table and VPN connections: moto where it implements the API,
botocore's Stubber (validated against the service model) where it does not."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from eks_hybrid.verify.checks.network import check_route_tables, check_tgw_routes, check_vpn_connections
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import RouteIntent, Target, TgwRouteIntent, VpnIntent

from .conftest import REGION, only, vgw_telemetry

TGW = "tgw-0123456789abcdef0"


class World:
    """A VPC with two route tables, a transit gateway attached to it and a VGW, in moto."""

    def __init__(self) -> None:
        # A client of its own: the reader's refuse anything but reads.
        self.ec2 = boto3.client("ec2", region_name=REGION)
        ec2 = self.ec2
        self.vpc = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
        self.subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.100.1.0/24")["Subnet"]["SubnetId"]
        self.tables = [ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"] for _ in range(2)]
        self.tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
        self.tgw_table = ec2.create_transit_gateway_route_table(TransitGatewayId=self.tgw)[
            "TransitGatewayRouteTable"
        ]["TransitGatewayRouteTableId"]
        self.vpc_attachment = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=self.tgw, VpcId=self.vpc, SubnetIds=[self.subnet]
        )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        self.vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.attach_vpn_gateway(VpcId=self.vpc, VpnGatewayId=self.vgw)

    def route(self, table: str, cidr: str, **target: str) -> None:
        self.ec2.create_route(RouteTableId=table, DestinationCidrBlock=cidr, **target)

    def intents(self, cidrs: dict[str, str], target: Target) -> list[RouteIntent]:
        return [
            RouteIntent(table, "dallas", role, cidr, (target,), "the hub stack")  # type: ignore[arg-type]
            for table in self.tables
            for role, cidr in cidrs.items()
        ]


DALLAS = {"node": "10.200.0.0/16", "pod": "192.168.0.0/16"}


@pytest.fixture
def world(aws: Any) -> World:
    return World()


def test_every_table_routes_both_cidrs_to_the_tgw(world: World, aws: Any) -> None:
    for table in world.tables:
        for cidr in DALLAS.values():
            world.route(table, cidr, TransitGatewayId=world.tgw)
    intents = world.intents(DALLAS, Target("transitGateway", world.tgw))
    results = check_route_tables(intents, aws.route_tables(world.tables))
    assert [f.status for f in results] == [Status.ok] * 4
    assert results[0].detail == f"active static route 10.200.0.0/16 to the transit gateway {world.tgw}"


def test_a_missing_pod_route_fails_naming_the_table_and_the_owner(world: World, aws: Any) -> None:
    for table in world.tables:
        world.route(table, DALLAS["node"], TransitGatewayId=world.tgw)
    world.route(world.tables[0], DALLAS["pod"], TransitGatewayId=world.tgw)
    intents = world.intents(DALLAS, Target("transitGateway", world.tgw))
    results = check_route_tables(intents, aws.route_tables(world.tables))
    failed = [f for f in results if f.status is Status.fail]
    assert len(failed) == 1
    assert failed[0].check == f"{world.tables[1]}: 192.168.0.0/16 (dallas pod)"
    assert failed[0].detail == "no route serves dallas's pod CIDR 192.168.0.0/16"
    assert failed[0].remedy.startswith(
        f"add a route to the transit gateway {world.tgw}: the hub stack declares it"
    )


def test_a_covering_aggregate_serves_a_site(world: World, aws: Any) -> None:
    for table in world.tables:
        world.route(table, "10.200.0.0/14", TransitGatewayId=world.tgw)
        world.route(table, "192.168.0.0/16", TransitGatewayId=world.tgw)
    intents = world.intents(DALLAS, Target("transitGateway", world.tgw))
    results = check_route_tables(intents, aws.route_tables(world.tables))
    assert all(f.status is Status.ok for f in results)
    assert only(results, f"{world.tables[0]}: 10.200.0.0/16").detail.endswith("(aggregate 10.200.0.0/14)")


def test_a_route_via_site_cidr_must_not_fall_through_to_the_tgw_aggregate(world: World, aws: Any) -> None:
    """With aggregates the hub routes 10.200.0.0/14 to the TGW; chicago (routeVia: site) lies inside it and
    is routed by its own stack to the VGW. Without its own route the aggregate would carry it to the TGW,
    which has no route to chicago: a failure, however any target is acceptable for a routeVia: site site."""
    chicago = {"node": "10.201.0.0/16"}
    tgw = Target("transitGateway", world.tgw)
    intents = [
        RouteIntent(table, "chicago", "node", chicago["node"], (), "site chicago's stack", avoid=(tgw,))
        for table in world.tables
    ]
    for table in world.tables:
        world.route(table, "10.200.0.0/14", TransitGatewayId=world.tgw)
    world.route(world.tables[0], chicago["node"], GatewayId=world.vgw)
    first, second = check_route_tables(intents, aws.route_tables(world.tables))
    assert (first.status, first.detail) == (
        Status.ok,
        f"active static route 10.201.0.0/16 to the virtual private gateway {world.vgw}",
    )
    assert second.status is Status.fail
    assert second.detail == (
        "chicago's node CIDR 10.201.0.0/16 is served by a static route 10.200.0.0/14 to the transit gateway"
        f" {world.tgw}, which does not reach chicago: the site routes its CIDRs itself (routeVia: site)"
    )
    assert second.remedy.startswith(
        "give chicago's node CIDR 10.201.0.0/16 its own route, more specific than 10.200.0.0/14: site"
        " chicago's stack declares it"
    )


def test_a_route_to_the_wrong_target_fails(world: World, aws: Any) -> None:
    for table in world.tables:
        world.route(table, DALLAS["node"], GatewayId=world.vgw)
        world.route(table, DALLAS["pod"], TransitGatewayId=world.tgw)
    intents = world.intents(DALLAS, Target("transitGateway", world.tgw))
    results = check_route_tables(intents, aws.route_tables(world.tables))
    wrong = only(results, f"{world.tables[0]}: 10.200.0.0/16")
    assert wrong.status is Status.fail
    assert wrong.detail == (
        "dallas's node CIDR 10.200.0.0/16 is served by a static route 10.200.0.0/16 to the virtual private"
        f" gateway {world.vgw}, not the transit gateway {world.tgw}"
    )


def test_a_more_specific_route_inside_a_site_steals_part_of_it(world: World, aws: Any) -> None:
    for table in world.tables:
        for cidr in DALLAS.values():
            world.route(table, cidr, TransitGatewayId=world.tgw)
    world.route(world.tables[0], "10.200.5.0/24", GatewayId=world.vgw)
    intents = world.intents(DALLAS, Target("transitGateway", world.tgw))
    stolen = only(
        check_route_tables(intents, aws.route_tables(world.tables)), f"{world.tables[0]}: 10.200.0.0/16"
    )
    assert stolen.status is Status.fail
    assert stolen.detail.startswith(
        "part of dallas's node CIDR 10.200.0.0/16 is routed elsewhere by more specific routes: 10.200.5.0/24"
    )


def test_a_route_table_that_does_not_exist_fails_once(world: World, aws: Any) -> None:
    intents = [RouteIntent("rtb-0000000000000dead", "dallas", "node", "10.200.0.0/16", (), "the hub stack")]
    intents.append(
        RouteIntent("rtb-0000000000000dead", "dallas", "pod", "192.168.0.0/16", (), "the hub stack")
    )
    results = check_route_tables(intents, aws.route_tables(["rtb-0000000000000dead"]))
    assert len(results) == 1 and results[0].status is Status.fail
    assert "fix eks-hybrid:cluster.routeTableIds" in results[0].remedy


def _route_table(table: str, routes: list[dict[str, Any]], vgws: list[str]) -> dict[str, Any]:
    return {
        "RouteTables": [
            {
                "RouteTableId": table,
                "VpcId": "vpc-0123456789abcdef0",
                "OwnerId": "123456789012",
                "Associations": [],
                "PropagatingVgws": [{"GatewayId": g} for g in vgws],
                "Routes": [
                    {
                        "DestinationCidrBlock": "10.100.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    *routes,
                ],
                "Tags": [],
            }
        ]
    }


# moto has no VGW route propagation (EnableVgwRoutePropagation): its propagated routes come from the Stubber.
PROPAGATED = {"GatewayId": "vgw-0a1b2c3d4e5f60001", "Origin": "EnableVgwRoutePropagation"}


@pytest.mark.parametrize(
    ("state", "status", "detail"),
    [
        (
            "active",
            Status.ok,
            "active propagated route 172.18.0.0/16 to the virtual private gateway vgw-0a1b2c3d4e5f60001",
        ),
        (
            "blackhole",
            Status.fail,
            "chicago's pod CIDR 172.18.0.0/16 is served by a blackhole propagated route 172.18.0.0/16 to the"
            " virtual private gateway vgw-0a1b2c3d4e5f60001: traffic to it is dropped",
        ),
    ],
)
def test_propagated_vgw_routes(stubbed: Any, state: str, status: Status, detail: str) -> None:
    table = "rtb-0a1b2c3d4e5f60001"
    routes = [{**PROPAGATED, "DestinationCidrBlock": "172.18.0.0/16", "State": state}]
    stubbed("ec2").add_response(
        "describe_route_tables",
        _route_table(table, routes, ["vgw-0a1b2c3d4e5f60001"]),
        {"Filters": [{"Name": "route-table-id", "Values": [table]}]},
    )
    target = Target("vpnGateway", "vgw-0a1b2c3d4e5f60001")
    intent = RouteIntent(table, "chicago", "pod", "172.18.0.0/16", (target,), "the hub VGW's propagation")
    [finding] = check_route_tables([intent], stubbed.reader.route_tables([table]))
    assert (finding.status, finding.detail) == (status, detail)


def test_no_propagated_route_says_what_the_table_propagates(stubbed: Any) -> None:
    table = "rtb-0a1b2c3d4e5f60001"
    stubbed("ec2").add_response(
        "describe_route_tables",
        _route_table(table, [], []),
        {"Filters": [{"Name": "route-table-id", "Values": [table]}]},
    )
    target = Target("vpnGateway", "vgw-0a1b2c3d4e5f60001")
    intent = RouteIntent(table, "chicago", "node", "10.201.0.0/16", (target,), "the hub VGW's propagation")
    [finding] = check_route_tables([intent], stubbed.reader.route_tables([table]))
    assert finding.status is Status.fail
    assert finding.detail == (
        "no route serves chicago's node CIDR 10.201.0.0/16 (the table propagates no virtual private gateway)"
    )


# --- transit gateway route table ----------------------------------------------------------------------


def test_tgw_blackhole_and_missing_routes_fail_on_moto(world: World, aws: Any) -> None:
    ec2 = world.ec2
    ec2.create_transit_gateway_route(
        DestinationCidrBlock="10.200.0.0/16", TransitGatewayRouteTableId=world.tgw_table, Blackhole=True
    )
    intents = [
        TgwRouteIntent(world.tgw_table, "dallas", "node", "10.200.0.0/16", None, ("vpn",)),
        TgwRouteIntent(world.tgw_table, "dallas", "pod", "192.168.0.0/16", None, ("vpn",)),
    ]
    results = check_tgw_routes(intents, {world.tgw_table: aws.tgw_routes(world.tgw_table)})
    assert [f.status for f in results] == [Status.fail, Status.fail]
    assert results[0].detail == (
        "dallas's node CIDR 10.200.0.0/16 is served by a blackhole static route 10.200.0.0/16 to no"
        " attachment: traffic to it is dropped"
    )
    assert results[1].detail == "no route serves dallas's pod CIDR 192.168.0.0/16"
    assert (
        results[1].remedy
        == "route it to a vpn attachment: site dallas's stack declares it: run `pulumi up` there"
    )


def test_a_tgw_route_table_that_does_not_exist_fails(aws: Any) -> None:
    routes = aws.tgw_routes("tgw-rtb-0123456789abcdef0")
    intent = TgwRouteIntent("tgw-rtb-0123456789abcdef0", "vpc", "vpc", "10.100.0.0/16", None, ("vpc",))
    [finding] = check_tgw_routes([intent], {"tgw-rtb-0123456789abcdef0": routes})
    assert finding.status is Status.fail
    assert finding.detail == "transit gateway route table tgw-rtb-0123456789abcdef0 does not exist"


def _tgw_search(routes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Routes": routes, "AdditionalRoutesAvailable": False}


def _tgw_route(cidr: str, attachment: str, kind: str, route_type: str = "static") -> dict[str, Any]:
    return {
        "DestinationCidrBlock": cidr,
        "TransitGatewayAttachments": [
            {
                "ResourceId": "vpn-0a1b2c3d4e5f60001",
                "TransitGatewayAttachmentId": attachment,
                "ResourceType": kind,
            }
        ],
        "Type": route_type,
        "State": "active",
    }


# moto returns searched routes without `TransitGatewayAttachments`: the attachment cases use the Stubber.
@pytest.mark.parametrize(
    ("attachment", "status"),
    [("tgw-attach-0a1b2c3d4e5f60001", Status.ok), ("tgw-attach-0a1b2c3d4e5f69999", Status.fail)],
)
def test_tgw_routes_go_to_the_sites_own_attachment(stubbed: Any, attachment: str, status: Status) -> None:
    table = "tgw-rtb-0a1b2c3d4e5f60001"
    stubbed("ec2").add_response(
        "describe_transit_gateway_route_tables",
        {"TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": table, "State": "available"}]},
        {"Filters": [{"Name": "transit-gateway-route-table-id", "Values": [table]}]},
    )
    stubbed("ec2").add_response(
        "search_transit_gateway_routes",
        _tgw_search(
            [
                _tgw_route("10.200.0.0/16", attachment, "vpn"),
                _tgw_route("192.168.0.0/16", attachment, "vpn", "propagated"),
            ]
        ),
        {
            "TransitGatewayRouteTableId": table,
            "Filters": [{"Name": "state", "Values": ["active", "blackhole"]}],
        },
    )
    intents = [
        TgwRouteIntent(table, "dallas", "node", "10.200.0.0/16", "tgw-attach-0a1b2c3d4e5f60001", ("vpn",)),
        TgwRouteIntent(table, "dallas", "pod", "192.168.0.0/16", "tgw-attach-0a1b2c3d4e5f60001", ("vpn",)),
    ]
    results = check_tgw_routes(intents, {table: stubbed.reader.tgw_routes(table)})
    assert [f.status for f in results] == [status, status]
    if status is Status.fail:
        assert results[0].detail == (
            "dallas's node CIDR 10.200.0.0/16 is served by a static route 10.200.0.0/16 to vpn attachment"
            f" {attachment}, not attachment tgw-attach-0a1b2c3d4e5f60001"
        )
    else:
        assert results[1].detail == (f"active propagated route 192.168.0.0/16 to vpn attachment {attachment}")


# --- VPN connections ----------------------------------------------------------------------------------


def test_a_vpn_connection_that_does_not_exist_fails_on_moto(aws: Any) -> None:
    connections = aws.vpn_connections(["vpn-0000000000000dead"])
    [finding] = check_vpn_connections(
        [VpnIntent("dallas", "vpn-0000000000000dead", "transitGateway", ())], connections
    )
    assert finding.status is Status.fail
    assert finding.detail == "VPN connection vpn-0000000000000dead does not exist"


def test_an_available_vpn_on_moto_with_no_tunnel_telemetry_fails_its_tunnels(world: World, aws: Any) -> None:
    ec2 = world.ec2
    gateway = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.10", BgpAsn=65010)
    vpn = ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=gateway["CustomerGateway"]["CustomerGatewayId"],
        TransitGatewayId=world.tgw,
        Options={"StaticRoutesOnly": True},
    )["VpnConnection"]["VpnConnectionId"]
    results = check_vpn_connections(
        [VpnIntent("dallas", vpn, "transitGateway", ())], aws.vpn_connections([vpn])
    )
    assert [(f.check, f.status) for f in results] == [
        (f"dallas {vpn} state", Status.ok),
        (f"dallas {vpn} tunnels", Status.fail),
    ]
    assert results[1].detail == "no tunnel is UP: no tunnel telemetry"


def _vpn(telemetry: list[tuple[str, str]], routes: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "VpnConnections": [
            {
                "CustomerGatewayId": "cgw-0a1b2c3d4e5f60001",
                "Category": "VPN",
                "State": "available",
                "Type": "ipsec.1",
                "VpnConnectionId": "vpn-0a1b2c3d4e5f60001",
                "VpnGatewayId": "vgw-0a1b2c3d4e5f60001",
                "Options": {"StaticRoutesOnly": True, "TunnelInsideIpVersion": "ipv4"},
                "Routes": [
                    {"DestinationCidrBlock": cidr, "Source": "static", "State": state}
                    for cidr, state in routes
                ],
                "VgwTelemetry": vgw_telemetry(telemetry),
                "Tags": [],
            }
        ]
    }


BOTH_ROUTES = [("10.201.0.0/16", "available"), ("172.18.0.0/16", "available")]


@pytest.mark.parametrize(
    ("telemetry", "status", "detail"),
    [
        ([("52.0.0.1", "UP"), ("52.0.0.2", "UP")], Status.ok, "2 of 2 tunnels UP"),
        (
            [("52.0.0.1", "UP"), ("52.0.0.2", "DOWN")],
            Status.warn,
            "1 of 2 tunnels UP, no redundancy: 52.0.0.1 UP; 52.0.0.2 DOWN (IPSEC IS DOWN)",
        ),
        (
            [("52.0.0.1", "DOWN"), ("52.0.0.2", "DOWN")],
            Status.fail,
            "no tunnel is UP: 52.0.0.1 DOWN (IPSEC IS DOWN); 52.0.0.2 DOWN (IPSEC IS DOWN)",
        ),
    ],
)
def test_tunnels(stubbed: Any, telemetry: list[tuple[str, str]], status: Status, detail: str) -> None:
    stubbed("ec2").add_response(
        "describe_vpn_connections",
        _vpn(telemetry, BOTH_ROUTES),
        {"VpnConnectionIds": ["vpn-0a1b2c3d4e5f60001"]},
    )
    intent = VpnIntent("chicago", "vpn-0a1b2c3d4e5f60001", "vpnGateway", ("10.201.0.0/16", "172.18.0.0/16"))
    results = check_vpn_connections([intent], stubbed.reader.vpn_connections(["vpn-0a1b2c3d4e5f60001"]))
    tunnels = only(results, "tunnels")
    assert (tunnels.status, tunnels.detail) == (status, detail)
    if status is not Status.ok:
        assert "tunnelPresharedKeys" in tunnels.remedy


def test_vgw_vpn_static_routes_for_both_cidrs(stubbed: Any) -> None:
    stubbed("ec2").add_response(
        "describe_vpn_connections",
        _vpn(
            [("52.0.0.1", "UP"), ("52.0.0.2", "UP")],
            [("10.201.0.0/16", "available"), ("172.18.0.0/16", "deleted")],
        ),
        {"VpnConnectionIds": ["vpn-0a1b2c3d4e5f60001"]},
    )
    intent = VpnIntent("chicago", "vpn-0a1b2c3d4e5f60001", "vpnGateway", ("10.201.0.0/16", "172.18.0.0/16"))
    results = check_vpn_connections([intent], stubbed.reader.vpn_connections(["vpn-0a1b2c3d4e5f60001"]))
    assert only(results, "static route 10.201.0.0/16").status is Status.ok
    pod = only(results, "static route 172.18.0.0/16")
    assert (pod.status, pod.detail) == (Status.fail, "the static route is deleted")


def test_a_vpn_connection_still_pending_fails_with_when_to_look_again() -> None:
    pending = {"State": "pending", "VgwTelemetry": [], "Routes": []}
    results = check_vpn_connections(
        [VpnIntent("dallas", "vpn-0a1", "transitGateway", ())], {"vpn-0a1": pending}
    )
    state = only(results, "state")
    assert (state.status, state.detail) == (Status.fail, "VPN connection is pending, not available")
    assert state.remedy == "wait for AWS to finish provisioning it (a few minutes), then verify again"
