"""VPC route tables, the transit gateway route table and the VPN connections, against the intent.

A destination is served by its most specific covering route (longest prefix; a static route beats a
propagated one for the same prefix: VPC user guide, "Route priority"; Transit Gateway guide, "Route
evaluation order"), so a route to an aggregate that contains a site's CIDR serves it too. A more specific
route inside a site's CIDR that goes elsewhere, or is a blackhole, steals part of the site: a failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any, Literal

from .. import findings
from ..findings import Finding
from ..intent import RouteIntent, Target, TargetKind, TgwRouteIntent, VpnIntent

__all__ = ["check_route_tables", "check_tgw_routes", "check_vpn_connections"]


def _network(value: object) -> IPv4Network | None:
    try:
        return IPv4Network(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class _Route:
    destination: IPv4Network
    target_kind: TargetKind | Literal["other"]
    target_id: str
    state: str
    propagated: bool

    def describe(self) -> str:
        how = "propagated" if self.propagated else "static"
        target = (
            Target(self.target_kind, self.target_id).describe()
            if self.target_kind != "other"
            else (self.target_id or "no target")
        )
        return f"{how} route {self.destination} to {target}"


def _vpc_route(raw: Mapping[str, Any]) -> _Route | None:
    destination = _network(raw.get("DestinationCidrBlock"))
    if destination is None:  # IPv6 and prefix-list destinations never serve an IPv4 site CIDR here
        return None
    gateway = str(raw.get("GatewayId") or "")
    kind: TargetKind | Literal["other"]
    if raw.get("TransitGatewayId"):
        kind, target = "transitGateway", str(raw["TransitGatewayId"])
    elif gateway.startswith("vgw-"):
        kind, target = "vpnGateway", gateway
    elif raw.get("NetworkInterfaceId"):
        kind, target = "networkInterface", str(raw["NetworkInterfaceId"])
    else:
        kind = "other"
        target = next(
            (
                str(raw[key])
                for key in (
                    "GatewayId",
                    "NatGatewayId",
                    "VpcPeeringConnectionId",
                    "InstanceId",
                    "LocalGatewayId",
                )
                if raw.get(key)
            ),
            "",
        )
    return _Route(
        destination=destination,
        target_kind=kind,
        target_id=target,
        state=str(raw.get("State") or ""),
        propagated=raw.get("Origin") == "EnableVgwRoutePropagation",
    )


def _serving(routes: Iterable[_Route], cidr: IPv4Network) -> tuple[_Route | None, list[_Route]]:
    """The route that serves all of `cidr`, and the more specific routes inside it."""
    covering = [r for r in routes if cidr.subnet_of(r.destination)]
    inside = [r for r in routes if r.destination != cidr and r.destination.subnet_of(cidr)]
    best = max(covering, key=lambda r: (r.destination.prefixlen, not r.propagated), default=None)
    return best, inside


def _what(site: str, role: str, cidr: str) -> str:
    return "the VPC CIDR" if role == "vpc" else f"{site}'s {role} CIDR {cidr}"


def check_route_tables(
    intents: Sequence[RouteIntent], tables: Mapping[str, Mapping[str, Any] | None]
) -> list[Finding]:
    """`tables`: route table id -> DescribeRouteTables' `RouteTable` (None when it does not exist)."""
    out: list[Finding] = []
    missing_reported: set[str] = set()
    for intent in intents:
        table = tables.get(intent.route_table_id)
        check = f"{intent.route_table_id}: {intent.cidr} ({intent.site} {intent.role})"
        if table is None:
            if intent.route_table_id not in missing_reported:
                missing_reported.add(intent.route_table_id)
                out.append(
                    findings.fail(
                        "routes",
                        intent.route_table_id,
                        f"route table {intent.route_table_id} does not exist in this account and region",
                        "fix eks-hybrid:cluster.routeTableIds in the hub's stack file (every table of the"
                        " subnets that must reach hybrid networks), then `pulumi up` the hub",
                    )
                )
            continue
        routes = [r for r in (_vpc_route(raw) for raw in table.get("Routes") or []) if r is not None]
        out.append(_route_finding(intent, check, routes, table))
    return out


def _route_finding(
    intent: RouteIntent, check: str, routes: list[_Route], table: Mapping[str, Any]
) -> Finding:
    cidr = IPv4Network(intent.cidr)
    what = _what(intent.site, intent.role, intent.cidr)
    expected = " or ".join(t.describe() for t in intent.targets) or "its site's link"
    restore = f"{intent.owner} declares it: run `pulumi up` there (after `pulumi refresh` if it was changed"
    restore += " outside Pulumi)"
    best, inside = _serving(routes, cidr)
    if best is None:
        propagating = [g.get("GatewayId") for g in table.get("PropagatingVgws") or []]
        hint = ""
        if any(t.kind == "vpnGateway" for t in intent.targets):
            hint = (
                f" (the table propagates {', '.join(map(str, propagating))})"
                if propagating
                else " (the table propagates no virtual private gateway)"
            )
        return findings.fail(
            "routes", check, f"no route serves {what}{hint}", f"add a route to {expected}: {restore}"
        )
    if best.state != "active":
        return findings.fail(
            "routes",
            check,
            f"{what} is served by a {best.state} {best.describe()}: traffic to it is dropped",
            f"the route's target is gone or detached; recreate it to {expected}: {restore}",
        )
    if (best.target_kind, best.target_id) in {(t.kind, t.id) for t in intent.avoid}:
        return findings.fail(
            "routes",
            check,
            f"{what} is served by a {best.describe()}, which does not reach {intent.site}: the site routes"
            " its CIDRs itself (routeVia: site)",
            f"give {what} its own route, more specific than {best.destination}: {restore}",
        )
    if intent.targets and (best.target_kind, best.target_id) not in {(t.kind, t.id) for t in intent.targets}:
        return findings.fail(
            "routes",
            check,
            f"{what} is served by a {best.describe()}, not {expected}",
            f"replace that route so {what} goes to {expected}: {restore}",
        )
    stolen = [
        r
        for r in inside
        if r.state != "active"
        or (r.target_kind, r.target_id)
        != (
            best.target_kind,
            best.target_id,
        )
    ]
    if stolen:
        parts = ", ".join(f"{r.destination} ({r.state}, {r.describe()})" for r in stolen)
        return findings.fail(
            "routes",
            check,
            f"part of {what} is routed elsewhere by more specific routes: {parts}",
            "delete those routes, or move them to the same target, so the whole CIDR reaches its site",
        )
    via = "" if best.destination == cidr else f" (aggregate {best.destination})"
    return findings.ok("routes", check, f"active {best.describe()}{via}")


# --- transit gateway route table ----------------------------------------------------------------------


@dataclass(frozen=True)
class _TgwRoute:
    destination: IPv4Network
    attachments: tuple[tuple[str, str], ...]  # (attachment id, resource type)
    state: str
    propagated: bool

    def describe(self) -> str:
        how = "propagated" if self.propagated else "static"
        to = ", ".join(f"{kind} attachment {aid}" for aid, kind in self.attachments) or "no attachment"
        return f"{how} route {self.destination} to {to}"


def _tgw_route(raw: Mapping[str, Any]) -> _TgwRoute | None:
    destination = _network(raw.get("DestinationCidrBlock"))
    if destination is None:
        return None
    attachments = tuple(
        (str(a.get("TransitGatewayAttachmentId") or ""), str(a.get("ResourceType") or ""))
        for a in raw.get("TransitGatewayAttachments") or []
    )
    return _TgwRoute(destination, attachments, str(raw.get("State") or ""), raw.get("Type") == "propagated")


def check_tgw_routes(
    intents: Sequence[TgwRouteIntent], tables: Mapping[str, Sequence[Mapping[str, Any]] | None]
) -> list[Finding]:
    """`tables`: TGW route table id -> SearchTransitGatewayRoutes' `Routes` (None when it does not exist)."""
    out: list[Finding] = []
    for intent in intents:
        check = f"{intent.route_table_id}: {intent.cidr} ({intent.site} {intent.role})"
        raw = tables.get(intent.route_table_id)
        what = _what(intent.site, intent.role, intent.cidr)
        owner = "the hub stack" if intent.role == "vpc" else f"site {intent.site}'s stack"
        if raw is None:
            out.append(
                findings.fail(
                    "transit-gateway",
                    check,
                    f"transit gateway route table {intent.route_table_id} does not exist",
                    "the hub stack declares it: run `pulumi refresh` and `pulumi up` on the hub",
                )
            )
            continue
        routes = [r for r in (_tgw_route(item) for item in raw) if r is not None]
        covering = [r for r in routes if IPv4Network(intent.cidr).subnet_of(r.destination)]
        best = max(covering, key=lambda r: (r.destination.prefixlen, not r.propagated), default=None)
        expected = (
            f"attachment {intent.attachment_id}"
            if intent.attachment_id
            else f"a {' or '.join(intent.resource_types)} attachment"
        )
        restore = f"{owner} declares it: run `pulumi up` there"
        if best is None:
            out.append(
                findings.fail(
                    "transit-gateway", check, f"no route serves {what}", f"route it to {expected}: {restore}"
                )
            )
        elif best.state != "active":
            out.append(
                findings.fail(
                    "transit-gateway",
                    check,
                    f"{what} is served by a {best.state} {best.describe()}: traffic to it is dropped",
                    f"recreate the route to {expected}: {restore}",
                )
            )
        elif not any(
            (aid == intent.attachment_id) if intent.attachment_id else (kind in intent.resource_types)
            for aid, kind in best.attachments
        ):
            out.append(
                findings.fail(
                    "transit-gateway",
                    check,
                    f"{what} is served by a {best.describe()}, not {expected}",
                    f"route it to {expected}: {restore}",
                )
            )
        else:
            out.append(findings.ok("transit-gateway", check, f"active {best.describe()}"))
    return out


# --- VPN connections ----------------------------------------------------------------------------------


def check_vpn_connections(
    intents: Sequence[VpnIntent], connections: Mapping[str, Mapping[str, Any] | None]
) -> list[Finding]:
    """`connections`: VPN connection id -> DescribeVpnConnections' `VpnConnection` (None when absent)."""
    out: list[Finding] = []
    for intent in intents:
        vpn = connections.get(intent.connection_id)
        name = f"{intent.site} {intent.connection_id}"
        if vpn is None or vpn.get("State") in ("deleted", "deleting"):
            state = "does not exist" if vpn is None else f"is {vpn.get('State')}"
            out.append(
                findings.fail(
                    "vpn",
                    name,
                    f"VPN connection {intent.connection_id} {state}",
                    f"site {intent.site}'s stack declares it: `pulumi refresh` and `pulumi up` the site",
                )
            )
            continue
        state = str(vpn.get("State"))
        if state != "available":
            out.append(
                findings.fail(
                    "vpn",
                    f"{name} state",
                    f"VPN connection is {state}, not available",
                    "wait for AWS to finish provisioning it (a few minutes), then verify again",
                )
            )
        else:
            out.append(findings.ok("vpn", f"{name} state", "available"))
        out.append(_tunnels(intent, name, vpn.get("VgwTelemetry") or []))
        out.extend(_vpn_routes(intent, name, vpn.get("Routes") or []))
    return out


def _tunnels(intent: VpnIntent, name: str, telemetry: Sequence[Mapping[str, Any]]) -> Finding:
    up = [t for t in telemetry if t.get("Status") == "UP"]
    down = [t for t in telemetry if t.get("Status") != "UP"]
    listed = (
        "; ".join(
            f"{t.get('OutsideIpAddress')} {t.get('Status')}"
            + (f" ({t['StatusMessage']})" if t.get("StatusMessage") else "")
            for t in telemetry
        )
        or "no tunnel telemetry"
    )
    remedy = (
        "bring the tunnel(s) up on the on-prem router: outside addresses, pre-shared keys and proposals from"
        f" site {intent.site}'s outputs (`tunnels`, `tunnelPresharedKeys`); check UDP 500/4500 reach AWS"
    )
    if not up:
        return findings.fail("vpn", f"{name} tunnels", f"no tunnel is UP: {listed}", remedy)
    if down:
        return findings.warn(
            "vpn",
            f"{name} tunnels",
            f"{len(up)} of {len(telemetry)} tunnels UP, no redundancy: {listed}",
            remedy,
        )
    return findings.ok("vpn", f"{name} tunnels", f"{len(up)} of {len(telemetry)} tunnels UP")


def _vpn_routes(intent: VpnIntent, name: str, routes: Sequence[Mapping[str, Any]]) -> list[Finding]:
    by_cidr = {str(r.get("DestinationCidrBlock")): r for r in routes}
    out = []
    for cidr in intent.static_routes:
        route = by_cidr.get(cidr)
        check = f"{name} static route {cidr}"
        remedy = (
            f"site {intent.site}'s stack declares it (VpnConnectionRoute): `pulumi refresh` and `pulumi up`"
        )
        if route is None:
            out.append(
                findings.fail("vpn", check, f"the VPN connection has no static route for {cidr}", remedy)
            )
        elif route.get("State") != "available":
            out.append(findings.fail("vpn", check, f"the static route is {route.get('State')}", remedy))
        else:
            out.append(findings.ok("vpn", check, "available"))
    return out
